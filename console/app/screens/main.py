"""The console's main screen: the panes, and the console's keys (``commands.CONSOLE_BINDINGS``).

The keys live here rather than on the app so that their priority (winning over the focused
widget's own bindings) holds on this screen only: a modal screen over it (help, details, the
composer) keeps its keys, as it would for the app's non-priority bindings. Actions of the main
screen alone live here too (the palette names them ``screen.…``), rather than on the app.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import BindingType
from textual.screen import Screen

from console.app.commands import CONSOLE_BINDINGS
from console.app.screens.image_input import ImageInputScreen


class MainScreen(Screen[None]):
    """The first screen on the stack; the app composes the panes into it."""

    BINDINGS: ClassVar[list[BindingType]] = list(CONSOLE_BINDINGS)

    def action_send_image(self) -> None:
        """The palette's "Send image…" (``screen.send_image``): the form asking for a path."""
        app: Any = self.app  # the console app (importing it here would be circular)
        self.app.push_screen(ImageInputScreen(app.send_content))
