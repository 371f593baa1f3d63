"""The timeline screen (F7): the turns on one time axis, and the session summary under them.

A screen rather than a pane: a waterfall needs the terminal's whole width to compare latencies
(at 100 columns the main layout leaves a pane about 50 columns, half of it labels and figures),
and its keys (↑/↓, Enter, End) would otherwise compete with the panes' own. The model keeps being
fed while it is shown, and a timer here keeps it live: the timeline takes the milestones in and
lets running rows grow, the summary redraws when the turns changed.

Enter on a turn closes the screen with that turn's response id: the app filters the events pane
to its events. Escape or F7 goes back without a filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer

from console.app.widgets.session_summary import SessionSummary
from console.app.widgets.timeline import TurnTimeline
from console.inspector.model import Inspector

TICK_SECONDS = 1 / 10
"""How often running rows grow and milestones are taken in (10 Hz reads as live)."""


def timeline_now(inspector: Inspector) -> Callable[[], float | None]:
    """The time running turns reach: the clock live, the last event's time in a replay."""

    def now() -> float | None:
        if inspector.connection.state == "replay":
            records = inspector.store.records
            return records[-1].time if records else None
        return inspector.clock()

    return now


class TimelineScreen(Screen[str | None]):
    """Turns as a waterfall and the session's figures; dismissed with the chosen response id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f7", "close", "Back", id="timeline.close"),
    ]

    def __init__(self, inspector: Inspector) -> None:
        super().__init__()
        self.inspector = inspector
        self.timeline = TurnTimeline(inspector.turns, timeline_now(inspector), id="timeline")
        self.summary = SessionSummary(inspector.turns, id="timeline-summary")

    def compose(self) -> ComposeResult:
        box = Vertical(id="timeline-box")
        box.border_title = "Timeline"
        box.border_subtitle = "↑/↓ select · Enter: its events · End: follow the newest · Esc: back"
        with box:
            yield self.timeline
        summary_box = Vertical(id="timeline-summary-box")
        summary_box.border_title = "Session summary"
        with summary_box:
            yield self.summary
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.tick()
        self.timeline.focus()
        self.set_interval(TICK_SECONDS, self.tick)

    def tick(self) -> None:
        """Take in what changed since the last tick (also called by tests and snapshots)."""
        if self.timeline.refresh_from_model():
            count = len(self.timeline.rows)
            self.query_one(
                "#timeline-box"
            ).border_title = f"Timeline — {count} turn{'s' if count != 1 else ''}"
        self.summary.refresh_from_model()

    @on(TurnTimeline.TurnChosen)
    def _chosen(self, message: TurnTimeline.TurnChosen) -> None:
        message.stop()
        self.dismiss(message.response_id)

    def action_close(self) -> None:
        self.dismiss(None)
