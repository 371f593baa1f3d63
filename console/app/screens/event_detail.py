"""One events-list row in full: a header, then the event as highlighted JSON (audio redacted).

A folded row stands for a run of records; ``n``/``p`` step through those still kept
(``EventStore.records_of``), so the first and the last of a run are one key apart (``<``/``>``).
The JSON is a read-only code editor: highlighting and scrolling come with it, and the text is
never parsed as markup. An ``error`` naming a client event (``error.event_id``) offers ``g``: the
screen closes with that client event's record, which the events pane then selects.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from console.app.widgets.event_text import ARROWS, TIMES, format_clock
from console.inspector.event_refs import find_client_event, named_client_event, why_not_kept
from console.inspector.payloads import event_json
from console.inspector.store import EventRecord, EventRow, EventStore


class EventDetailScreen(ModalScreen[EventRecord | None]):
    """The JSON of one row's record(s); ``c`` copies the record shown, escape closes; ``g``
    closes with the client event an error names (the pane goes to it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", priority=True, id="event_detail.close"),
        Binding("c", "copy", "Copy JSON", id="event_detail.copy"),
        Binding("n", "step(1)", "Next record", id="event_detail.next"),
        Binding("p", "step(-1)", "Previous record", id="event_detail.previous"),
        Binding("less_than_sign", "first", "First", key_display="<", id="event_detail.first"),
        Binding("greater_than_sign", "last", "Last", key_display=">", id="event_detail.last"),
        Binding("g", "go_to_cause", "Go to sent event", id="event_detail.go_to_cause"),
    ]

    def __init__(self, store: EventStore, row: EventRow, *, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.store = store
        self.row = row
        self.tz = tz
        kept = list(store.records_of(row))
        if not kept:  # every record of the run was dropped: the row still holds both ends
            kept = [row.first] if row.first is row.last else [row.first, row.last]
        self.records: list[EventRecord] = kept
        """The records this screen can show, oldest first."""
        self.index = 0
        """Which of ``records`` is shown."""
        self._header = Static("", id="event-detail-header", markup=False)
        self._position = Static("", id="event-detail-position", markup=False)
        self.editor = TextArea.code_editor(
            "", language="json", read_only=True, id="event-detail-json"
        )

    @property
    def record(self) -> EventRecord:
        """The record shown."""
        return self.records[self.index]

    def compose(self) -> ComposeResult:
        with Vertical(id="event-detail"):
            yield self._header
            yield self.editor
            yield self._position
        yield Footer(compact=True)  # this screen's keys: n/p, </>, c, escape

    def on_mount(self) -> None:
        self.editor.cursor_blink = False
        self._show()
        self.editor.focus()

    def header_text(self) -> str:
        """Time, direction and type; count and first…last time for a folded row."""
        row = self.row
        first = format_clock(row.first.time, self.tz)
        text = f"{first}  {ARROWS[row.source]} {row.source}  {row.type}"
        if row.count > 1:
            last = format_clock(row.last.time, self.tz)
            text += f"  {TIMES}{row.count:,}  {first} … {last}"
        return text

    def _show(self) -> None:
        record = self.record
        self._header.update(Content(self.header_text()))
        position = f"record {self.index + 1:,} of {len(self.records):,} kept"
        position += f" · #{record.seq:,} at {format_clock(record.time, self.tz)}"
        if len(self.records) > 1:
            position += "  (n next, p previous, < first, > last)"
        event_id = named_client_event(record.event)
        if event_id is not None:
            position += f"  (g goes to {event_id}, the client event it names)"
        self._position.update(Content(position))
        self.editor.load_text(event_json(record.event))

    def action_step(self, delta: int) -> None:
        index = max(0, min(len(self.records) - 1, self.index + delta))
        if index != self.index:
            self.index = index
            self._show()

    def action_first(self) -> None:
        self.action_step(-len(self.records))

    def action_last(self) -> None:
        self.action_step(len(self.records))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``g`` only for an error that names a client event."""
        if action == "go_to_cause":
            return named_client_event(self.record.event) is not None
        return True

    def action_go_to_cause(self) -> None:
        event_id = named_client_event(self.record.event)
        if event_id is None:
            return
        record = find_client_event(self.store, event_id)
        if record is None:
            self.notify(why_not_kept(self.store, event_id), severity="warning")
            return
        self.dismiss(record)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.editor.text)
        self.notify(f"Copied {self.record.type}", timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)
