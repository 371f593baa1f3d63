"""A conversation item's JSON (audio shown as its length), read-only, highlighted.

A user's audio item also shows what the server heard of it (``HeardPanel``): ``r`` retrieves
it, ``h`` plays it (``Heard`` carries the app's actions and the inspector's audits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, TextArea

from console.app.widgets.heard import HeardPanel
from console.inspector.retrieve import RetrieveAudits


@dataclass(frozen=True)
class Heard:
    """What the detail of a user's audio item needs for the retrieve audit."""

    audits: RetrieveAudits
    clock: Callable[[], float]
    retrieve: Callable[[str], object]
    play: Callable[[str], Any]


class ItemDetailScreen(ModalScreen[None]):
    """Escape closes; ``c`` copies the JSON; ``r``/``h`` retrieve and play what was heard."""

    DEFAULT_CSS = """
    #item-note { color: $warning; width: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Close", id="item.close"),
        Binding("c", "copy", "Copy JSON", id="item.copy"),
        Binding("r", "retrieve", "Retrieve heard audio", id="item.retrieve"),
        Binding("h", "play_heard", "Play heard audio", id="item.play_heard"),
    ]

    def __init__(
        self, item_id: str, detail: str, heard: Heard | None = None, note: str | None = None
    ) -> None:
        """``note``: a line above the JSON (why the model no longer reads the item)."""
        super().__init__()
        self.item_id = item_id
        self.detail = detail
        self.heard = heard
        self.note = note

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The retrieve keys only for a user's audio item."""
        return self.heard is not None or action not in ("retrieve", "play_heard")

    def compose(self) -> ComposeResult:
        with Vertical(id="item-detail"):
            yield Label(f"item {self.item_id}", markup=False)
            if self.note:
                yield Label(self.note, markup=False, id="item-note")
            yield TextArea.code_editor(self.detail, language="json", read_only=True)
            if self.heard is not None:
                yield HeardPanel(self.item_id, self.heard.audits, self.heard.clock, id="heard")
        yield Footer(compact=True)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.detail)
        self.notify("Item JSON copied.")

    def action_retrieve(self) -> None:
        if self.heard is not None:
            self.heard.retrieve(self.item_id)

    def action_play_heard(self) -> None:
        if self.heard is not None:
            self.heard.play(self.item_id)
