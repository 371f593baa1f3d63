"""A conversation item's JSON (audio shown as its length), read-only, highlighted."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, TextArea


class ItemDetailScreen(ModalScreen[None]):
    """Escape closes; ``c`` copies the JSON."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Close", id="item.close"),
        Binding("c", "copy", "Copy JSON", id="item.copy"),
    ]

    def __init__(self, item_id: str, detail: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="item-detail"):
            yield Label(f"item {self.item_id}", markup=False)
            yield TextArea.code_editor(self.detail, language="json", read_only=True)
        yield Footer(compact=True)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.detail)
        self.notify("Item JSON copied.")
