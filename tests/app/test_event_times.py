"""The events pane's time column: clock, since the previous row, since the turn's trigger."""

# ruff: noqa: RUF001 (rows show counts with the multiplication sign)

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from console.app.widgets.event_text import format_offset, local_summary
from console.app.widgets.events import EventsPane
from console.inspector.store import EventFilter, EventStore, Source
from console.inspector.turns import TurnModel

STYLES = Path(__file__).parents[2] / "console" / "app" / "styles" / "events.tcss"
T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
AUDIO = base64.b64encode(bytes(4800)).decode()


class Host(App[None]):
    """The pane over a store and the turns it feeds (the test calls refresh_from_store)."""

    CSS_PATH = str(STYLES)

    def __init__(self, store: EventStore, turns: TurnModel) -> None:
        super().__init__()
        self.store = store
        self.turns = turns

    def compose(self) -> ComposeResult:
        yield EventsPane(self.store, tz=UTC, turns=self.turns, refresh_interval=None)


class Session:
    """A store and a turn model fed together, as the inspector feeds them, at given times."""

    def __init__(self) -> None:
        self.store = EventStore()
        self.turns = TurnModel()

    def __call__(self, ms: float, source: Source, event_type: str, **fields: Any) -> None:
        record = self.store.add(source, {"type": event_type, **fields}, at=T0 + ms / 1000)
        self.turns.observe(record)


def one_turn(session: Session) -> None:
    """A typed message and its reply, then the next turn's speech starting."""
    session(0, "server", "session.created", session={"model": "gpt-realtime"})
    session(1000, "client", "conversation.item.create", item={"type": "message", "role": "user"})
    session(1001, "client", "response.create")
    session(1120, "server", "response.created", response={"id": "resp_1"})
    session(1121, "server", "response.output_item.added", response_id="resp_1", item={"id": "i1"})
    for ms in (1480, 1490, 1530):
        session(ms, "server", "response.output_audio.delta", response_id="resp_1", delta=AUDIO)
    session(2821, "server", "response.done", response={"id": "resp_1", "status": "completed"})
    session(2822, "server", "rate_limits.updated", rate_limits=[])


def shown(pane: EventsPane) -> list[str]:
    event_list = pane.event_list
    height = event_list.scrollable_content_region.height
    lines = [event_list.render_line(y).text.rstrip() for y in range(height)]
    return [line for line in lines if line]


def pane_of(pilot: Pilot[None]) -> EventsPane:
    return pilot.app.query_one(EventsPane)


def test_offsets_fit_the_clock_column() -> None:
    assert format_offset(0.0) == "+0 ms"
    assert format_offset(0.4804) == "+480 ms"
    assert format_offset(-0.012, "T") == "T-12 ms"
    assert format_offset(0.9996) == "+1.000 s"
    assert format_offset(1.82) == "+1.820 s"
    assert format_offset(125.04) == "+2m05.0s"
    assert format_offset(3 * 3600 + 7 * 60 + 5) == "+3h07m"
    assert all(len(format_offset(s, "T")) <= 12 for s in (0.5, 59.9996, 3599.99, 99 * 3600.0))


async def test_t_cycles_clock_previous_row_and_turn_trigger() -> None:
    session = Session()
    one_turn(session)
    async with Host(session.store, session.turns).run_test(size=(100, 20)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.pause()
        assert shown(pane)[2] == "12:00:01.001 ↑ response.create"
        assert pane.follow_text == "following"

        await pilot.press("t")
        assert pane.event_list.time_mode == "previous"
        assert shown(pane) == [
            "12:00:00.000 ↓ session.created",  # nothing before it: the clock
            "+1.000 s     ↑ conversation.item.create",
            "+1 ms        ↑ response.create",
            "+119 ms      ↓ response.created",
            "+1 ms        ↓ response.output_item.added",
            "+359 ms      ↓ response.output_audio.delta ×3  …+50 ms",
            "+1.341 s     ↓ response.done",
            "+1 ms        ↓ rate_limits.updated",
        ]
        assert pane.follow_text == "+prev · following"

        await pilot.press("t")
        assert pane.event_list.time_mode == "turn"
        assert shown(pane) == [
            "12:00:00.000 ↓ session.created",  # before any turn: the clock
            "12:00:01.000 ↑ conversation.item.create",  # sent before its response.create
            "T+0 ms       ↑ response.create",
            "T+119 ms     ↓ response.created",
            "T+120 ms     ↓ response.output_item.added",
            "T+479 ms     ↓ response.output_audio.delta ×3  …T+529 ms",
            "T+1.820 s    ↓ response.done",
            "T+1.821 s    ↓ rate_limits.updated",  # no ids: the latest turn before it
        ]
        assert pane.follow_text == "T+ · following"

        await pilot.press("t")
        assert pane.event_list.time_mode == "clock"
        assert shown(pane)[5] == ("12:00:01.480 ↓ response.output_audio.delta ×3  …12:00:01.530")


async def test_a_row_shows_its_turn_once_the_turn_exists() -> None:
    session = Session()
    session(0, "server", "session.created", session={})
    session(500, "server", "input_audio_buffer.speech_started", audio_start_ms=100, item_id="u1")
    session(1500, "server", "input_audio_buffer.speech_stopped", audio_end_ms=1100, item_id="u1")
    async with Host(session.store, session.turns).run_test(size=(100, 20)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.press("t", "t")
        await pilot.pause()
        assert shown(pane)[1] == "12:00:00.500 ↓ input_audio_buffer.speech_started"
        session(1700, "server", "response.created", response={"id": "resp_1"})
        pane.refresh_from_store()
        await pilot.pause()
        assert shown(pane)[1:] == [
            "T-1.000 s    ↓ input_audio_buffer.speech_started",  # the user's item: this turn's
            "T+0 ms       ↓ input_audio_buffer.speech_stopped",  # the trigger: end of speech
            "T+200 ms     ↓ response.created",
        ]


async def test_since_the_previous_row_means_the_previous_row_shown() -> None:
    session = Session()
    session(0, "client", "response.create")
    session(100, "server", "response.created", response={"id": "resp_1"})
    session(300, "client", "response.cancel")
    async with Host(session.store, session.turns).run_test(size=(100, 20)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.press("t")
        await pilot.pause()
        assert [line[:12] for line in shown(pane)] == [
            "12:00:00.000",
            "+100 ms     ",
            "+200 ms     ",
        ]
        pane.event_list.set_filter(EventFilter(server=False))
        await pilot.pause()
        assert [line[:12] for line in shown(pane)] == ["12:00:00.000", "+300 ms     "]


def test_connection_rows_read_as_sentences() -> None:
    connected = {"type": "local.connection", "state": "connected", "endpoint": "ws://h:1/v1"}
    assert local_summary(connected) == "connected ws://h:1/v1"
    assert local_summary({**connected, "reconnect": True}) == "reconnected ws://h:1/v1"
    closed = {
        "type": "local.connection",
        "state": "closed",
        "code": 1006,
        "reason": "",
        "detail": "closed (1006) — the connection dropped without a close frame",
    }
    assert local_summary(closed) == "closed 1006 — the connection dropped without a close frame"
    assert local_summary({**closed, "detail": "", "reason": "bye"}) == "closed 1006 — bye"
    assert local_summary({"type": "local.connection", "state": "closed"}) == "closed"
    assert local_summary({"type": "local.playback.started", "item_id": "i1"}) == "i1"
