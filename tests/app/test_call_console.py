"""The console on the simulator's calls: over ``--transport webrtc``, and attached to a call
placed by someone else (``--call-id``, the sideband connection)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.widgets import Input

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.event_text import local_summary
from console.app.widgets.session import SessionPane
from console.app.widgets.status import StatusBar
from console.inspector.connection import Target
from console.inspector.tool_calls import answer_tool_call
from console.simulator import SimulatorServer
from tests.simulator.rtc_client import RtcClient
from tests.simulator.test_call_routes import KEY, WEATHER, place, user_says

from .conftest import console_app, expect, screen_text, server_event, settled, until


@pytest.fixture
async def keyed() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(require_key=KEY) as server:
        yield server


@pytest.fixture
async def caller() -> AsyncIterator[RtcClient]:
    client = RtcClient(audio=False)
    yield client
    await client.close()


async def test_a_typed_message_gets_its_reply_over_webrtc_on_the_simulator(
    keyed: SimulatorServer,
) -> None:
    target = Target(keyed.url, KEY, "ga", None, "simulator", True, "webrtc")
    app = console_app(keyed.url, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        assert app.client.is_connected(), app.inspector.connection.detail
        done = expect(app, server_event("response.done"))
        started = expect(app, server_event("output_audio_buffer.started"))
        prompt = app.query_one("#prompt", Input)
        prompt.focus()
        prompt.value = "Hello over WebRTC"
        await pilot.press("enter")
        await done
        await started
        # No audio deltas over WebRTC: the turn's first audio is when the call began playing it.
        turn = next(reversed(app.inspector.turns.turns.values()))
        assert turn.first_audio_at is not None and turn.first_audio_at >= turn.created_at
        await until(pilot, lambda: len(app.query_one(ConversationPane).item_ids) == 2, "items")
        app.render_frame()
        await pilot.pause()
        text = screen_text(app)
        assert "Hello over WebRTC" in text
        call_id = app.client.realtime.call_id  # type: ignore[attr-defined]
        assert call_id and f"WebRTC call {call_id}" in app.query_one(StatusBar).render().plain
        row = next(r for r in app.inspector.store.rows_after(0) if r.type == "local.connection")
        record = next(app.inspector.store.records_of(row))
        assert local_summary(record.event).startswith(f"connected WebRTC call {call_id}")
        assert KEY not in text and "ek_" not in text


async def test_an_attached_console_watches_a_call_and_answers_its_tool_by_hand(
    keyed: SimulatorServer, caller: RtcClient
) -> None:
    call_id = await place(keyed, caller, KEY)
    caller.send({"type": "session.update", "session": {"type": "realtime", "tools": [WEATHER]}})
    await caller.wait_for("session.updated")
    target = Target(keyed.url, KEY, "ga", None, "simulator", True, call_id=call_id)
    app = console_app(keyed.url, target=target, demo_tools=False)
    sent: list[str] = []
    app.client.on(
        "realtime.event",
        lambda p: sent.append(p["event"]["type"]) if p["source"] == "client" else None,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        assert app.client.is_connected(), app.inspector.connection.detail
        assert app.sub_title == f"attached to call {call_id}"
        # The connection row names the call attached to (its JSON has the call id).
        row = next(r for r in app.inspector.store.rows_after(-1) if r.type == "local.connection")
        connected_event = next(app.inspector.store.records_of(row)).event
        assert connected_event["state"] == "connected"
        assert connected_event["call_id"] == call_id
        assert local_summary(connected_event).startswith(f"connected attached to call {call_id}")
        # No audio opened and no tools registered: their panes do not show.
        assert not app.query_one("#meter").display and not app.query_one("#memory").display
        # The caller changes the session: the console's editor follows the call's session.
        caller.send(
            {
                "type": "session.update",
                "session": {"type": "realtime", "instructions": "Be a pirate."},
            }
        )
        await until(
            pilot,
            lambda: app.client.session_config.get("instructions") == "Be a pirate.",
            "adopted",
        )
        # The caller asks; the console sees the turn and the tool call, pending.
        caller.send(user_says("What's the weather in Paris?"))
        caller.send({"type": "response.create"})
        await until(pilot, lambda: bool(app.inspector.tool_calls.pending()), "a pending call")
        call = app.inspector.tool_calls.pending()[0]
        assert call.name == "get_weather"
        # Nothing was sent on connect: no session.update, no tools.
        assert sent == []
        answer_tool_call(app.client, call.call_id, json.dumps({"sky": "clear"}))
        reply = await caller.wait_for("response.done", count=2)
        assert reply["response"]["status"] == "completed"
        added = [e["item"]["type"] for e in caller.events if e["type"] == "conversation.item.added"]
        assert "function_call_output" in added
        # The call ends: told in plain words.
        assert await keyed.calls.hangup(call_id)
        await until(pilot, lambda: not app.client.is_connected(), "closed")
        await until(pilot, lambda: "ended" in (app.inspector.connection.detail or ""), "told")
        assert f"the call {call_id} ended" in app.inspector.connection.detail
        app.render_frame()
        await pilot.pause()
        assert KEY not in screen_text(app)


async def test_an_unknown_call_id_is_told_in_plain_words(keyed: SimulatorServer) -> None:
    """The sideband's refusal (an ``error`` with ``call_not_found``, then close 3000) is the
    close's explanation, not "a wrong key"."""
    target = Target(keyed.url, KEY, "ga", None, "simulator", True, call_id="rtc_doesnotexist")
    app = console_app(keyed.url, target=target, demo_tools=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        await until(pilot, lambda: "closed (" in app.inspector.connection.detail, "closed")
        detail = app.inspector.connection.detail
        assert detail.startswith(
            "closed (3000) — the call rtc_doesnotexist was not found (call_not_found): "
            "No live call with id 'rtc_doesnotexist'"
        )
        assert "wrong key" not in detail
        app.render_frame()
        await pilot.pause()
        status = app.query_one(StatusBar).render().plain
        assert "rtc_doesnotexist was not found" in status
        assert "connection_lost" not in status and "wrong key" not in status
        # The events pane's closed row says it too.
        rows = app.inspector.store.rows_after(-1)
        row = next(r for r in rows if r.first.event.get("state") == "closed")
        record = next(app.inspector.store.records_of(row))
        assert local_summary(record.event).startswith(
            "closed 3000 — the call rtc_doesnotexist was not found"
        )


async def test_a_tool_call_the_caller_answers_is_answered_in_the_attached_console(
    keyed: SimulatorServer, caller: RtcClient
) -> None:
    call_id = await place(keyed, caller, KEY)
    caller.send({"type": "session.update", "session": {"type": "realtime", "tools": [WEATHER]}})
    await caller.wait_for("session.updated")
    target = Target(keyed.url, KEY, "ga", None, "simulator", True, call_id=call_id)
    app = console_app(keyed.url, target=target, demo_tools=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        assert app.client.is_connected(), app.inspector.connection.detail
        caller.send(user_says("What's the weather in Paris?"))
        caller.send({"type": "response.create"})
        await until(pilot, lambda: bool(app.inspector.tool_calls.pending()), "a pending call")
        call = app.inspector.tool_calls.pending()[0]
        output = {"type": "function_call_output", "call_id": call.call_id, "output": "{}"}
        caller.send({"type": "conversation.item.create", "item": output})
        await until(pilot, lambda: call.output_received is not None, "the caller's output")
        assert app.inspector.tool_calls.pending() == []
        assert app.inspector.tool_calls.to_answer() is None  # "Answer tool call" offers nothing
        assert call.item_id is not None
        assert app.inspector.figures_for(call.item_id).startswith("answered by another connection")
        app.render_frame()
        await pilot.pause()
        text = screen_text(app)
        assert "answered by another" in text, text
        assert "pending — no handler" not in text


async def test_the_attached_editor_invents_nothing_and_applies_only_what_changed(
    keyed: SimulatorServer, caller: RtcClient
) -> None:
    """The sideband gets no session.created: until the call's session is seen the editor says
    so and shows no values; Apply sends only the field changed, and the answer fills the rest."""
    call_id = await place(keyed, caller, KEY)
    target = Target(keyed.url, KEY, "ga", None, "simulator", True, call_id=call_id)
    app = console_app(keyed.url, target=target, demo_tools=False)
    sent: list[dict[str, Any]] = []
    app.client.on(
        "realtime.event", lambda p: sent.append(p["event"]) if p["source"] == "client" else None
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        assert app.client.is_connected(), app.inspector.connection.detail
        pane = app.query_one(SessionPane)
        pane.refresh_from_state(force=True)
        await pilot.pause()
        summary = str(pane.summary.render())
        assert "the call's session is not known yet" in summary
        assert pane.voice.value == "" and pane.max_tokens.value == ""
        assert pane.tool_choice.value == "" and pane.instructions.text == ""
        assert pane.modalities.value == "unknown" and pane.turn.kind.value == "unknown"
        assert pane.transcription.value == "unknown"
        app.render_frame()
        await pilot.pause()
        status = app.query_one(StatusBar).render().plain
        assert "model unknown" in status and "default model" not in status
        assert "turns: unknown" in status
        # The user sets the voice alone: only the voice goes.
        pane.voice.value = "marin"
        updated = expect(app, server_event("session.updated"))
        pane.action_apply()
        [update] = [event for event in sent if event["type"] == "session.update"]
        assert set(update["session"]) <= {"type", "audio"}
        assert update["session"]["audio"] == {"output": {"voice": "marin"}}
        await updated
        # The answer is the call's session: the editor shows it.
        await until(pilot, lambda: pane.max_tokens.value != "", "filled from the answer")
        assert pane.voice.value == "marin" and pane.turn.kind.value != "unknown"
        assert "not known yet" not in str(pane.summary.render())


async def test_the_timeline_has_the_audio_lane_of_a_webrtc_turn(keyed: SimulatorServer) -> None:
    """No audio deltas over WebRTC: the lane is the call's playout (buffer started → stopped)."""
    from console.app.screens.timeline import TimelineScreen

    target = Target(keyed.url, KEY, "ga", None, "simulator", True, "webrtc")
    app = console_app(keyed.url, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        stopped = expect(app, server_event("output_audio_buffer.stopped"))
        app.client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
        await stopped
        (turn,) = app.inspector.turns.all()
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen), "the timeline")
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        screen.tick()
        lanes = screen.timeline.lanes_of(turn)
        assert lanes is not None and lanes.audio is not None and not lanes.audio.open
        assert turn.buffer_started_at is not None and turn.buffer_ended_at is not None
        played_ms = (turn.buffer_ended_at - turn.buffer_started_at) * 1000
        assert lanes.audio.end - lanes.audio.start == pytest.approx(played_ms)
        assert played_ms > 200 and lanes.audio_cut_ms is None


async def test_the_events_pane_shows_a_webrtc_sessions_events_at_100_columns(
    keyed: SimulatorServer,
) -> None:
    """At 100x30 the events of a WebRTC connect show without waiting for a further event."""
    from console.app.widgets.events import EventsPane

    target = Target(keyed.url, KEY, "ga", None, "simulator", True, "webrtc")
    app = console_app(keyed.url, target=target)
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(app)
        assert await app.client.wait_for_session_created(10.0)
        store = app.inspector.store
        pane = app.query_one(EventsPane)
        await until(pilot, lambda: len(store.records) > 0, "events in the store")
        await until(
            pilot,
            lambda: pane.event_list.row_count == len(store.records),
            f"rows shown ({pane.status_text!r}, {len(store.records)} kept)",
        )
        app.render_frame()
        await pilot.pause()
        shown = screen_text(app)
        assert "session.created" in shown and f"{len(store.records)} shown" in shown, shown


async def test_a_refused_webrtc_call_leaves_a_connection_row_and_a_record(
    keyed: SimulatorServer, tmp_path
) -> None:
    """A wrong token: the call is refused over HTTP; the events pane and ``--record`` say so
    (failed, the status, the server's words), the token never."""
    record = tmp_path / "c.jsonl"
    wrong = "sk-wrong-token-123456"
    target = Target(keyed.url, wrong, "ga", None, "simulator", True, "webrtc")
    app = console_app(keyed.url, target=target, record_path=record)
    async with app.run_test(size=(100, 30)):
        await settled(app)
        assert not app.client.is_connected()
        rows = [r for r in app.inspector.store.records if r.type == "local.connection"]
        assert [r.event["state"] for r in rows] == ["failed"]
        event = rows[0].event
        assert event["status"] == 401 and event["transport"] == "webrtc"
        assert "invalid_api_key" in event["message"] or "Incorrect API key" in event["message"]
        assert local_summary(event).startswith("failed ")
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [entry["event"]["state"] for entry in lines] == ["failed"]
    assert wrong not in record.read_text() and "sk-wrong" not in record.read_text()


async def test_the_palette_copies_the_webrtc_call_id_at_100_columns(
    keyed: SimulatorServer,
) -> None:
    """At 100 columns the status bar and the connection row cut the call id: the palette's
    "Copy call id" puts it on the clipboard and says it in full."""
    target = Target(keyed.url, KEY, "ga", None, "simulator", True, "webrtc")
    app = console_app(keyed.url, target=target)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(app)
        call_id = app.client.realtime.call_id  # type: ignore[attr-defined]
        assert call_id
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Copy call id" in titles
        await app.run_action("copy_call_id")
        await pilot.pause()
        assert app.clipboard == call_id
        assert any(call_id in str(n.message) for n in app._notifications)
        await app.run_action("disconnect")
        await settled(app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Copy call id" not in titles  # no call, nothing to copy
