"""The events pane, the event detail screen and the composer, driven with Pilot."""

# ruff: noqa: RUF001 (rows show counts with the multiplication sign)

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from console.app.screens import composer as composer_module
from console.app.screens.composer import ComposerScreen
from console.app.screens.event_detail import EventDetailScreen
from console.app.widgets.events import EventList, EventsPane
from console.inspector.payloads import display_event
from console.inspector.store import EventStore, Source

from .conftest import until

STYLES = Path(__file__).parents[2] / "console" / "app" / "styles" / "events.tcss"
T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
AUDIO = base64.b64encode(bytes(4800)).decode()


class Host(App[None]):
    """The pane alone, fed by the test (no timer: the test calls refresh_from_store)."""

    CSS_PATH = str(STYLES)

    def __init__(self, store: EventStore, refresh_interval: float | None = None) -> None:
        super().__init__()
        self.store = store
        self.refresh_interval = refresh_interval

    def compose(self) -> ComposeResult:
        yield EventsPane(self.store, tz=UTC, refresh_interval=self.refresh_interval, id="events")


class Feeder:
    """Adds events to a store one millisecond apart, from 12:00:00.000 UTC."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.count = 0

    def __call__(self, source: Source, event_type: str, **fields: Any) -> dict[str, Any]:
        event = {"type": event_type, **fields}
        self.store.add(source, event, at=T0 + self.count / 1000)
        self.count += 1
        return event


def pane_of(pilot: Pilot[None]) -> EventsPane:
    return pilot.app.query_one(EventsPane)


def lines(pane: EventsPane) -> list[str]:
    """The text of the list's visible lines, as its strips render them."""
    event_list = pane.event_list
    height = event_list.scrollable_content_region.height
    return [event_list.render_line(y).text.rstrip() for y in range(height)]


def shown(pane: EventsPane) -> list[str]:
    return [line for line in lines(pane) if line]


async def test_folding_shows_true_counts() -> None:
    store = EventStore()
    feed = Feeder(store)
    feed("server", "session.created", session={})
    feed("client", "response.create")
    for index in range(118):
        feed("server", "response.output_audio.delta", delta=AUDIO)
        if index % 20 == 0:
            feed("server", "response.output_audio_transcript.delta", delta="hi")
    feed("server", "response.done", response={})
    async with Host(store).run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert shown(pane_of(pilot)) == [
            "12:00:00.000 ↓ session.created",
            "12:00:00.001 ↑ response.create",
            "12:00:00.002 ↓ response.output_audio.delta ×118  …12:00:00.125",
            "12:00:00.003 ↓ response.output_audio_transcript.delta ×6  …12:00:00.108",
            "12:00:00.126 ↓ response.done",
        ]
        assert not pane_of(pilot).refresh_from_store()  # nothing new: no work


async def test_counts_grow_in_place_between_refreshes() -> None:
    store = EventStore()
    feed = Feeder(store)
    feed("server", "response.output_audio.delta", delta=AUDIO)
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        await pilot.pause()
        assert shown(pane) == ["12:00:00.000 ↓ response.output_audio.delta"]
        feed("server", "response.output_audio.delta", delta=AUDIO)
        feed("server", "response.output_audio.delta", delta=AUDIO)
        pane.refresh_from_store()
        await pilot.pause()
        assert shown(pane) == ["12:00:00.000 ↓ response.output_audio.delta ×3  …12:00:00.002"]


async def test_errors_stand_out_with_code_and_message() -> None:
    store = EventStore()
    feed = Feeder(store)
    feed("client", "session.update", session={"voice": "nope"})
    feed("server", "error", error={"code": "invalid_value", "message": "Bad voice [b]x[/b]"})
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        await pilot.pause()
        assert shown(pane)[1] == "12:00:00.001 ↓ error  invalid_value: Bad voice [b]x[/b]"
        strip = pane.event_list.render_line(1)
        error_style = pane.event_list.get_component_rich_style("event-list--error")
        styled = {segment.text: segment.style for segment in strip}
        assert styled["error"] is not None and styled["error"].bold
        assert styled["error"].color == error_style.color
        type_style = {segment.text: segment.style for segment in pane.event_list.render_line(0)}
        assert type_style["session.update"] is not None and not type_style["session.update"].bold


async def test_event_text_is_never_markup() -> None:
    store = EventStore()
    Feeder(store)("server", "[bold red]x[/] $var")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane_of(pilot).refresh_from_store()
        await pilot.pause()
        assert shown(pane_of(pilot)) == ["12:00:00.000 ↓ [bold red]x[/] $var"]


async def test_filter_by_text_and_direction() -> None:
    store = EventStore()
    feed = Feeder(store)
    feed("server", "session.created")
    feed("client", "input_audio_buffer.append", audio=AUDIO)
    feed("client", "response.create")
    feed("server", "response.output_text.delta", delta="x")
    feed("server", "response.done")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.press("slash", *"RESPONSE", "enter")
        assert pane.event_list.has_focus
        assert [line[13:] for line in shown(pane)] == [
            "↑ response.create",
            "↓ response.output_text.delta",
            "↓ response.done",
        ]
        await pilot.press("d")  # hide server events
        assert [line[13:] for line in shown(pane)] == ["↑ response.create"]
        assert pilot.app.query_one("#events-server").has_class("-off")
        await pilot.press("u", "d")  # client hidden, server back
        assert [line[13:] for line in shown(pane)] == [
            "↓ response.output_text.delta",
            "↓ response.done",
        ]
        assert pane.status_text.startswith("2 rows shown / 5 events kept / 5 total")
        await pilot.click("#events-client")
        assert len(shown(pane)) == 3
        pilot.app.query_one("#events-filter", Input).value = ""
        await pilot.press("slash", *"dune")  # letters go to the input, not bindings
        assert pane.event_list.event_filter.text == "dune"
        assert pane.event_list.event_filter.server and shown(pane) == []


async def test_moving_the_cursor_repaints_old_and_new_lines_only() -> None:
    store = EventStore()
    feed = Feeder(store)
    for index in range(10):
        feed("server", f"event.{index}")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        event_list = pane_of(pilot).event_list
        pane_of(pilot).refresh_from_store()
        event_list.focus()
        await pilot.pause()
        repainted: list[int] = []
        original = event_list.refresh_lines

        def record(y_start: int, line_count: int = 1) -> None:
            repainted.append(y_start)
            original(y_start, line_count)

        event_list.refresh_lines = record  # type: ignore[method-assign]
        await pilot.press("up")
        assert sorted(repainted) == [8, 9]
        repainted.clear()
        feed("server", "event.10")
        pane_of(pilot).refresh_from_store()
        assert repainted == [10]  # paused: only the new line, nothing else moved


async def test_follow_then_pause_with_new_count_then_resume() -> None:
    store = EventStore()
    feed = Feeder(store)
    for index in range(100):
        feed("server", f"event.{index}")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        event_list = pane.event_list
        pane.refresh_from_store()
        event_list.focus()
        await pilot.pause()
        assert event_list.following and pane.follow_text == "following"
        assert event_list.scroll_y == event_list.max_scroll_y > 0
        assert shown(pane)[-1].endswith("event.99")
        feed("server", "event.100")
        pane.refresh_from_store()
        await pilot.pause()
        assert shown(pane)[-1].endswith("event.100")
        assert event_list.cursor_row is not None and event_list.cursor_row.type == "event.100"

        await pilot.press("up")
        assert not event_list.following
        assert event_list.cursor_row is not None and event_list.cursor_row.type == "event.99"
        top = event_list.scroll_y
        for index in range(7):
            feed("server", f"late.{index}")
        pane.refresh_from_store()
        await pilot.pause()
        assert pane.follow_text == "paused · 7 new"
        assert event_list.scroll_y == top  # the view stays where the user left it
        assert "late.0" not in "\n".join(lines(pane))

        await pilot.press("end")
        await pilot.pause()
        assert event_list.following and pane.follow_text == "following"
        assert shown(pane)[-1].endswith("late.6")


async def test_scrolling_up_pauses_and_f_resumes() -> None:
    store = EventStore()
    feed = Feeder(store)
    for index in range(100):
        feed("client", f"event.{index}")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        await pilot.pause()
        pane.event_list.scroll_up(animate=False)
        await pilot.pause()
        assert not pane.event_list.following
        assert pane.follow_text == "paused · 0 new"
        pane.event_list.focus()
        await pilot.press("f")
        assert pane.event_list.following
        assert pane.event_list.scroll_y == pane.event_list.max_scroll_y


async def test_click_selects_and_double_click_opens_detail() -> None:
    store = EventStore()
    feed = Feeder(store)
    for index in range(5):
        feed("server", f"event.{index}")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        await pilot.pause()
        await pilot.click(EventList, offset=(5, 2))
        assert pane.event_list.cursor_index == 2 and not pane.event_list.following
        await pilot.click(EventList, offset=(5, 3), times=2)
        await pilot.pause()
        assert isinstance(pilot.app.screen, EventDetailScreen)
        assert pilot.app.screen.record.type == "event.3"


async def test_detail_redacts_audio_highlights_json_and_steps_through_a_run() -> None:
    store = EventStore()
    feed = Feeder(store)
    feed("server", "session.created")
    for index in range(3):
        feed("client", "input_audio_buffer.append", audio=AUDIO, event_id=f"e{index}")
    feed("client", "input_audio_buffer.commit")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.press("up", "enter")
        screen = pilot.app.screen
        assert isinstance(screen, EventDetailScreen)
        assert screen.editor.is_syntax_aware and screen.editor.read_only
        assert "<4,800 bytes of audio>" in screen.editor.text and AUDIO not in screen.editor.text
        assert screen.header_text() == (
            "12:00:00.001  ↑ client  input_audio_buffer.append  ×3  12:00:00.001 … 12:00:00.003"
        )
        assert json.loads(screen.editor.text)["event_id"] == "e0"
        await pilot.press("n", "n", "n")
        assert json.loads(screen.editor.text)["event_id"] == "e2"
        await pilot.press("p")
        assert json.loads(screen.editor.text)["event_id"] == "e1"
        await pilot.press("c")
        assert json.loads(pilot.app.clipboard)["event_id"] == "e1"
        await pilot.press("escape")
        assert pilot.app.screen is not screen


async def test_copy_puts_the_selected_event_json_on_the_clipboard() -> None:
    store = EventStore()
    feed = Feeder(store)
    delta = feed("server", "response.output_audio.delta", delta=AUDIO, item_id="item_1")
    feed("server", "response.done")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.press("up", "c")
        assert json.loads(pilot.app.clipboard) == display_event(delta)
        assert "<4,800 bytes of audio>" in pilot.app.clipboard


async def test_clear_empties_store_and_list() -> None:
    store = EventStore()
    feed = Feeder(store)
    for index in range(10):
        feed("server", f"event.{index}")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        pane.event_list.focus()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert store.total == 0 and shown(pane) == []
        assert pane.status_text == "0 rows shown / 0 events kept / 0 total, 0 dropped (cap 10,000)"
        feed("server", "after.clear")
        pane.refresh_from_store()
        await pilot.pause()
        assert shown(pane) == ["12:00:00.010 ↓ after.clear"]


async def test_cap_keeps_5000_of_20000_and_status_shows_totals() -> None:
    store = EventStore(cap=5_000)
    feed = Feeder(store)
    for index in range(20_000):
        if index % 10 == 9:
            feed("server", "response.done")
        else:
            feed("server", "response.output_audio.delta", delta="AAAA")
    async with Host(store).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        await pilot.pause()
        assert len(store.records) == 5_000
        assert pane.event_list.row_count == 1_000
        assert pane.status_text == (
            "1,000 rows shown / 5,000 events kept / 20,000 total, 15,000 dropped (cap 5,000)"
        )
        assert shown(pane)[-1].endswith("response.done")
        assert pane.event_list.scroll_y == pane.event_list.max_scroll_y


async def test_timer_skips_work_while_hidden() -> None:
    store = EventStore()
    feed = Feeder(store)
    async with Host(store, refresh_interval=1 / 30).run_test(size=(120, 40)) as pilot:
        pane = pane_of(pilot)
        pane.display = False
        await pilot.pause()
        feed("server", "session.created")
        pane._tick()
        assert pane.event_list.row_count == 0
        pane.display = True
        await pilot.pause()
        pane._tick()
        assert pane.event_list.row_count == 1


class ComposerHost(App[None]):
    CSS_PATH = str(STYLES)


async def test_composer_refuses_invalid_json_and_sends_valid_json() -> None:
    sent: list[dict[str, Any]] = []
    async with ComposerHost().run_test(size=(120, 40)) as pilot:
        composer = ComposerScreen(sent.append)
        pilot.app.push_screen(composer)
        await pilot.pause()
        assert composer.editor.is_syntax_aware
        assert composer.error is None and not composer.editor.has_class("-invalid")

        composer.editor.load_text('{\n  "type": "response.create"\n  "response": {}\n}')
        await pilot.press("ctrl+s")
        assert sent == []
        assert composer.status_text == "✗ line 3, column 3: Expecting ',' delimiter"
        assert composer.editor.has_class("-invalid")

        composer.editor.load_text('{"type": "response.cancel"}')
        await pilot.click("#composer-send")
        assert sent == [{"type": "response.cancel"}]
        assert composer.status_text == "✓ sent response.cancel"
        assert not composer.editor.has_class("-invalid")

        await pilot.press("escape")
        assert pilot.app.screen is not composer


async def test_composer_validates_after_a_pause_in_typing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(composer_module, "VALIDATE_DELAY", 1.0)  # "not yet" holds under load
    async with ComposerHost().run_test(size=(120, 40)) as pilot:
        composer = ComposerScreen(lambda event: None, text="{}")
        pilot.app.push_screen(composer)
        await pilot.pause()
        assert composer.error is not None  # checked on open: no "type"
        composer.editor.load_text('{"type": "x"}')
        await pilot.pause()
        assert composer.error is not None  # not yet: the check waits ~300 ms
        await until(pilot, lambda: composer.error is None, "the debounced check")


async def test_composer_shows_send_failures() -> None:
    def not_connected(event: dict[str, Any]) -> None:
        raise ConnectionError("RealtimeAPI is not connected")

    async with ComposerHost().run_test(size=(120, 40)) as pilot:
        composer = ComposerScreen(not_connected)
        pilot.app.push_screen(composer)
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert composer.status_text == ("✗ not sent: ConnectionError: RealtimeAPI is not connected")
        assert composer.sent == [] and pilot.app.is_running


async def test_events_from_the_simulator_show_up() -> None:
    from console.realtime import RealtimeClient
    from console.simulator.server import SimulatorServer

    store = EventStore()
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        client.on("realtime.event", lambda e: store.add(e["source"], e["event"]))
        async with Host(store).run_test(size=(120, 40)) as pilot:
            await client.connect()
            client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
            assert await client.wait_for_next_completed_item(timeout=10)
            assert await client.wait_for_next_completed_item(timeout=10)
            await client.disconnect()
            pane = pane_of(pilot)
            pane.refresh_from_store()
            await pilot.pause()
            text = "\n".join(lines(pane))
            for event_type in (
                "↓ session.created",
                "↑ conversation.item.create",
                "↑ response.create",
                "↓ response.output_audio.delta ×",
                "↓ response.done",
            ):
                assert event_type in text, text
            assert pane.event_list.following
            assert pane.status_text.startswith(f"{pane.event_list.row_count:,} rows shown")
