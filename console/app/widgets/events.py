"""The events pane: a one-row filter bar, the events list and a status line with totals.

The debugging aids: ``t`` cycles the time column (clock, since the previous row, since the turn's
trigger); ``g`` on an ``error`` row goes to the client event it names (``error.event_id``), from
the detail screen too; ``/`` filters by type and by the events' JSON.

The pane never gets a message per event. It reads the store on a timer it starts itself
(``refresh_interval``, 30 Hz by default; ``None`` leaves the calling of ``refresh_from_store`` to
the owner, as the tests and the bench do). A tick does nothing while the pane is not on screen
(a hidden tab), and catches up from the store on the first tick after it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from console.app.screens.event_detail import EventDetailScreen
from console.app.widgets.event_list import EventList
from console.app.widgets.event_text import TIME_MODE_LABELS, TIME_MODE_NAMES
from console.inspector.event_refs import find_client_event, named_client_event, why_not_kept
from console.inspector.payloads import event_json
from console.inspector.store import EventRecord, EventRow, EventStore

if TYPE_CHECKING:  # not imported at run time: the turn model imports the library (numpy)
    from console.inspector.turns import TurnModel

__all__ = ["EventList", "EventsPane", "TotalsLine"]


class TotalsLine(Widget):
    """The longest of its forms that fits its width (each form keeps the dropped count)."""

    DEFAULT_CSS = "TotalsLine { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.forms: tuple[str, ...] = ("",)

    def show(self, forms: tuple[str, ...]) -> None:
        if forms != self.forms:
            self.forms = forms
            self.refresh()

    def render(self) -> Content:
        width = self.size.width
        return Content(
            next((form for form in self.forms if cell_len(form) <= width), self.forms[-1])
        )


class EventsPane(Vertical):
    """Every event both ways, folded, filterable, with a detail view."""

    BORDER_TITLE = "Events"
    ALLOW_MAXIMIZE = True  # F6 zooms the whole pane, not the widget focused inside it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_detail", "Detail", id="events.open_detail"),
        Binding("c", "copy_event", "Copy", id="events.copy_event"),
        Binding("f", "toggle_follow", "Follow", id="events.toggle_follow"),
        Binding("slash", "focus_filter", "Filter", key_display="/", id="events.focus_filter"),
        Binding("t", "cycle_times", "Times", id="events.cycle_times"),
        Binding("g", "go_to_cause", "Go to sent event", show=False, id="events.go_to_cause"),
        Binding("u", "toggle_client", "↑ client", id="events.toggle_client"),
        Binding("d", "toggle_server", "↓ server", id="events.toggle_server"),
        Binding("ctrl+l", "clear", "Clear", id="events.clear"),
        Binding("x", "clear_turn_filter", "All turns", id="events.clear_turn_filter"),
    ]

    def __init__(
        self,
        store: EventStore,
        *,
        tz: tzinfo | None = None,
        turns: TurnModel | None = None,
        refresh_interval: float | None = 1 / 30,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``tz`` for the clock column (local when None); ``turns`` (the inspector's) offers
        times since each turn's trigger; see the module doc for the timer."""
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.tz = tz
        self.refresh_interval = refresh_interval
        self.event_list = EventList(store, tz=tz, turns=turns, id="events-list")
        self._filter_input = Input(
            placeholder="filter by type or text", id="events-filter", compact=True
        )
        self._client_button = Button("↑ client", id="events-client", compact=True)
        self._server_button = Button("↓ server", id="events-server", compact=True)
        self._totals = TotalsLine(id="events-totals")
        self._follow_label = Static("", id="events-follow", markup=False)
        self._timer: Timer | None = None
        self.status_text = ""
        """The totals in full: rows shown / events kept / total, dropped (cap); a narrow pane
        shows a shorter form, which always keeps the dropped count."""
        self.follow_text = ""
        """``following`` or ``paused · N new``, after the time mode unless it is the clock
        (``T+ · following``)."""
        self._turn_ids: Callable[[], frozenset[str]] | None = None
        self.turn_label = ""
        """``turn 3`` while the pane shows one turn's events (the timeline's Enter)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="events-filter-bar"):
            yield self._filter_input
            yield self._client_button
            yield self._server_button
        yield self.event_list
        with Horizontal(id="events-status"):
            yield self._totals
            yield self._follow_label

    def on_mount(self) -> None:
        self._update_status()
        if self.refresh_interval is not None:
            self._timer = self.set_interval(self.refresh_interval, self._tick)

    def _tick(self) -> None:
        if self.is_on_screen:
            self.refresh_from_store()

    def refresh_from_store(self) -> bool:
        """Render what the store gained since the last call; True if anything changed."""
        if self._turn_ids is not None:  # a running turn gains items and calls
            ids = self._turn_ids()
            if ids and ids != self.event_list.event_filter.turn_ids:
                self._set_filter(turn_ids=ids)
        changed = self.event_list.refresh_from_store()
        self._update_status()
        return changed

    # Actions (also callable as methods).

    def action_clear(self) -> None:
        """Forget every stored event (the store's totals restart too)."""
        self.store.clear()
        self.refresh_from_store()

    def filter_turn(self, label: str, ids: Callable[[], frozenset[str]]) -> None:
        """Show only one turn's events: those naming one of ``ids()``, asked again each frame
        (a running turn gains items and calls). The border says so, and ``x`` shows all again."""
        self._turn_ids = ids
        self.turn_label = label
        self.border_subtitle = f"{label} only · x: all turns"
        self.add_class("-turn-filter")
        self._set_filter(turn_ids=ids())
        self.refresh_bindings()

    def action_clear_turn_filter(self) -> None:
        """Show every turn's events again."""
        self._turn_ids = None
        self.turn_label = ""
        self.border_subtitle = ""
        self.remove_class("-turn-filter")
        self._set_filter(turn_ids=frozenset())
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "All turns" only while a turn filter is on."""
        if action == "clear_turn_filter":
            return self._turn_ids is not None
        return True

    def action_toggle_follow(self) -> None:
        self.event_list.follow(not self.event_list.following)
        self._update_status()

    def action_focus_filter(self) -> None:
        self._filter_input.focus()

    def action_open_detail(self) -> None:
        """Show the selected row's event(s) in ``EventDetailScreen``."""
        row = self.event_list.cursor_row
        if row is not None:
            self._open_detail(row)

    def action_cycle_times(self) -> None:
        """Clock time → since the previous row → since the turn's trigger → clock time."""
        mode = self.event_list.cycle_time_mode()
        self._update_status()
        self.notify(f"Event times: {TIME_MODE_NAMES[mode]}", timeout=2)

    def action_go_to_cause(self) -> None:
        """From an ``error`` row, select the client event its ``event_id`` names."""
        row = self.event_list.cursor_row
        event_id = None if row is None else named_client_event(row.first.event)
        if event_id is None:
            self.notify("Select an error that names a client event (error.event_id).", timeout=3)
            return
        record = find_client_event(self.store, event_id)
        if record is None:
            self.notify(why_not_kept(self.store, event_id), severity="warning")
            return
        self.go_to(record)

    def go_to(self, record: EventRecord) -> None:
        """Select and show ``record``'s row; a filter that hides it is cleared first."""
        if self.event_list.select_record(record):
            return
        self._filter_input.value = ""
        self._set_filter(client=True, server=True, text="")
        if self.event_list.select_record(record):
            self.notify(f"Filter cleared to show {record.type}.", timeout=3)

    def action_copy_event(self) -> None:
        """Copy the selected row's (first) event as JSON, audio redacted."""
        row = self.event_list.cursor_row
        if row is None:
            return
        self.app.copy_to_clipboard(event_json(row.first.event))
        self.notify(f"Copied {row.type}", timeout=2)

    def action_toggle_client(self) -> None:
        event_filter = self.event_list.event_filter
        self._set_filter(client=not event_filter.client)

    def action_toggle_server(self) -> None:
        event_filter = self.event_list.event_filter
        self._set_filter(server=not event_filter.server)

    # Widgets.

    @on(Input.Changed, "#events-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_filter(text=event.value)

    @on(Input.Submitted, "#events-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.event_list.focus()

    @on(Button.Pressed, "#events-client")
    def _client_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_toggle_client()

    @on(Button.Pressed, "#events-server")
    def _server_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_toggle_server()

    @on(EventList.FollowChanged)
    def _follow_changed(self, event: EventList.FollowChanged) -> None:
        event.stop()
        self._update_status()

    @on(EventList.RowActivated)
    def _row_activated(self, event: EventList.RowActivated) -> None:
        event.stop()
        self._open_detail(event.row)

    def _open_detail(self, row: EventRow) -> None:
        """The detail screen; its ``g`` closes it with the client event to go to."""

        def went(record: EventRecord | None) -> None:
            if record is not None:
                self.go_to(record)

        self.app.push_screen(EventDetailScreen(self.store, row, tz=self.tz), went)

    def _set_filter(
        self,
        *,
        client: bool | None = None,
        server: bool | None = None,
        text: str | None = None,
        turn_ids: frozenset[str] | None = None,
    ) -> None:
        current = self.event_list.event_filter
        new = replace(
            current,
            client=current.client if client is None else client,
            server=current.server if server is None else server,
            text=current.text if text is None else text,
            turn_ids=current.turn_ids if turn_ids is None else turn_ids,
        )
        self.event_list.set_filter(new)
        self._client_button.set_class(not new.client, "-off")
        self._server_button.set_class(not new.server, "-off")
        self._update_status()

    def _update_status(self) -> None:
        store = self.store
        rows, kept = f"{self.event_list.row_count:,}", f"{len(store.records):,}"
        total, dropped = f"{store.total:,}", f"{store.dropped:,} dropped"
        status = (
            f"{rows} rows shown / {kept} events kept / {total} total, {dropped} (cap {store.cap:,})"
        )
        if status != self.status_text:
            self.status_text = status
            self._totals.show(
                (
                    status,
                    f"{rows} shown / {kept} kept / {total} total · {dropped}",
                    f"{rows} shown / {kept} kept · {dropped}",
                    f"{rows} shown · {dropped}",
                    dropped,
                )
            )
        pending = self.event_list.pending
        follow = "following" if self.event_list.following else f"paused · {pending:,} new"
        mode = TIME_MODE_LABELS[self.event_list.time_mode]
        follow = f"{mode} · {follow}" if mode else follow
        if follow != self.follow_text:
            self.follow_text = follow
            self._follow_label.update(Content(follow))
            self._follow_label.set_class(not self.event_list.following, "-paused")
