"""The events pane's debugging aids on real simulator events: times since the trigger, going from
an error to the client event it names, connection rows that a replay keeps, and the text filter
over payloads."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.widgets import Input

from console.app.app import RealtimeConsoleApp
from console.app.screens.event_detail import EventDetailScreen
from console.app.widgets.event_list import EventList
from console.app.widgets.event_text import format_offset
from console.app.widgets.events import EventsPane
from console.inspector.payloads import search_text
from console.inspector.recording import load_recording
from console.inspector.store import EventStore
from console.simulator import SimulatorServer

from .conftest import connected, console_app, expect, server_event
from .test_events_pane import Feeder, Host, pane_of


async def say(app: RealtimeConsoleApp, pilot: object, text: str) -> None:
    """Send ``text`` from the input line and wait for its response to be done."""
    waiter = expect(app, server_event("response.done"))
    prompt = app.query_one("#prompt", Input)
    prompt.focus()
    prompt.value = text
    await pilot.press("enter")  # type: ignore[attr-defined]
    await waiter
    app.render_frame()
    await pilot.pause()  # type: ignore[attr-defined]


def lines(event_list: EventList, width: int = 200) -> list[str]:
    """Every row as drawn ``width`` wide (all of them, not only those in view)."""
    rows = event_list.rows
    return [
        event_list._render_row(row, rows[i - 1] if i else None, width, selected=False).text
        for i, row in enumerate(rows)
    ]


async def select_row(pilot: object, event_list: EventList, index: int) -> None:
    event_list.focus()
    await pilot.press("home", *["down"] * index)  # type: ignore[attr-defined]
    assert event_list.cursor_index == index


async def test_times_since_the_trigger_match_the_turn(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await say(app, pilot, "Hello there")
        event_list = app.query_one(EventList)
        event_list.focus()
        await pilot.press("t", "t")
        assert event_list.time_mode == "turn"
        turn = app.inspector.turns.all()[-1]
        assert turn.trigger == "text" and turn.trigger_at is not None and turn.done_at is not None
        drawn = lines(event_list)
        done = next(line for line in drawn if "response.done" in line)
        assert done.startswith(format_offset(turn.done_at - turn.trigger_at, "T"))
        create = next(line for line in drawn if "↑ response.create" in line)
        assert create.startswith("T+0 ms       ↑")
        assert next(line for line in drawn if "session.created" in line)[2] == ":"  # the clock


async def test_g_goes_from_an_error_to_the_client_event_it_names(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await connected(app)
        waiter = expect(app, server_event("error"))
        app.send_raw({"type": "conversation.item.delete", "item_id": "item_missing"})
        event_id = (await waiter)["event"]["error"]["event_id"]
        await say(app, pilot, "Something after the error")  # the cause scrolls far up
        pane = app.query_one(EventsPane)
        event_list = pane.event_list
        error_at = next(i for i, row in enumerate(event_list.rows) if row.type == "error")
        await select_row(pilot, event_list, error_at)
        await pilot.press("g")
        cause = event_list.cursor_row
        assert cause is not None and cause.type == "conversation.item.delete"
        assert cause.first.event["event_id"] == event_id and cause.source == "client"

        # From the error's detail, with client events hidden: the filter gives way.
        await pilot.press("u")
        assert not pane.event_list.event_filter.client
        error_at = next(i for i, row in enumerate(event_list.rows) if row.type == "error")
        await select_row(pilot, event_list, error_at)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        assert f"g goes to {event_id}" in str(screen.query_one("#event-detail-position").content)
        await pilot.press("g")
        await pilot.pause()
        assert app.screen is not screen
        cause = event_list.cursor_row
        assert cause is not None and cause.first.event["event_id"] == event_id
        assert pane.event_list.event_filter.client
        assert any("Filter cleared" in str(n.message) for n in app._notifications)

        # Not an error: g says what it needs.
        await pilot.press("g")
        assert any("Select an error" in str(n.message) for n in app._notifications)


async def test_g_says_when_the_client_event_was_dropped() -> None:
    store = EventStore(cap=2)
    feed = Feeder(store)
    feed("client", "conversation.item.delete", event_id="evt_gone", item_id="x")
    feed("server", "error", error={"code": "item_not_found", "event_id": "evt_gone"})
    feed("server", "rate_limits.updated")
    async with Host(store).run_test(size=(120, 20), notifications=True) as pilot:
        pane = pane_of(pilot)
        pane.refresh_from_store()
        await select_row(pilot, pane.event_list, 0)
        await pilot.press("g")
        assert pane.event_list.cursor_index == 0  # nothing to go to
        assert any(
            "evt_gone was dropped: only the latest 2 events are kept" in str(n.message)
            for n in pilot.app._notifications
        )


async def test_a_replay_shows_where_the_connection_dropped(tmp_path: Path) -> None:
    server = SimulatorServer(pace="fast")
    await server.start()
    restarted: SimulatorServer | None = None
    path = tmp_path / "lost.jsonl"
    app = console_app(server.url, record_path=path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            endpoint = app.inspector.target.endpoint
            await say(app, pilot, "Before the drop")
            closed = asyncio.ensure_future(app.client.realtime.wait_for_next("close", 10))
            await server.stop()
            assert await closed is not None
            restarted = SimulatorServer(pace="fast", port=server.port)
            await restarted.start()
            await pilot.press("f2")
            await connected(app)
            await say(app, pilot, "After the drop")
            live = [line for line in lines(app.query_one(EventList)) if "•" in line]
            await pilot.press("ctrl+q")
    finally:
        await server.stop()
        if restarted is not None:
            await restarted.stop()

    assert [line.split("•")[1].split("  ")[1].split(" ")[0] for line in live] == [
        "connected",
        "closed",
        "reconnected",
    ]
    assert f"connected {endpoint}" in live[0] and f"reconnected {endpoint}" in live[2]
    assert "local.connection  closed 1001 — " in live[1]

    replay = console_app(None, replay=load_recording(path), autoconnect=False)
    async with replay.run_test(size=(160, 48)) as pilot:
        replay.render_frame()
        await pilot.pause()
        event_list = replay.query_one(EventList)
        drawn = lines(event_list)
        assert [line for line in drawn if "•" in line] == live  # same rows, same times
        order = [line.split("  ")[0][15:] for line in drawn]
        dropped = next(i for i, line in enumerate(drawn) if "closed 1001" in line)
        assert "response.done" in order[:dropped] and "response.done" in order[dropped:]
        # The dropped connection stands out like an error; a normal close would not.
        row = event_list.rows[dropped]
        strip = event_list._render_row(row, None, 120, selected=False)
        error = event_list.get_component_rich_style("event-list--error")
        summary = next(segment for segment in strip if segment.text.startswith("closed 1001"))
        assert summary.style is not None and summary.style.color == error.color


async def test_the_filter_finds_text_inside_payloads(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await say(app, pilot, "Remember the Lighthouse")
        pane = app.query_one(EventsPane)
        pane.event_list.focus()
        await pilot.press("slash", *"LIGHTHOUSE", "enter")
        rows = pane.event_list.rows
        assert {row.type for row in rows} >= {"conversation.item.create", "conversation.item.done"}
        assert 0 < len(rows) < len(app.inspector.store.rows)
        for row in rows:
            assert "lighthouse" in search_text(row.first.event), json.dumps(row.first.event)


async def test_the_palette_offers_the_events_aids() -> None:
    app = console_app("ws://127.0.0.1:9/v1/realtime", autoconnect=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Event times", "Go to the sent event"} <= titles
        await app.run_action("cycle_event_times")
        assert app.query_one(EventList).time_mode == "previous"
        await app.run_action("go_to_sent_event")
        await pilot.pause()
        assert any("Select an error" in str(n.message) for n in app._notifications)
