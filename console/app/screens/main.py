"""The console's main screen: the panes, and the console's keys (``commands.CONSOLE_BINDINGS``).

The keys live here rather than on the app so that their priority (winning over the focused
widget's own bindings) holds on this screen only: a modal screen over it (help, details, the
composer) keeps its keys, as it would for the app's non-priority bindings.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.screen import Screen

from console.app.commands import CONSOLE_BINDINGS


class MainScreen(Screen[None]):
    """The first screen on the stack; the app composes the panes into it."""

    BINDINGS: ClassVar[list[BindingType]] = list(CONSOLE_BINDINGS)
