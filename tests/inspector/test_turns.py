"""Turns: exact figures from hand-made events, and real simulator sessions in both dialects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.inspector.recording import export_jsonl, load_recording, replay_into
from console.inspector.store import EventRecord, EventStore, PlainEvent
from console.inspector.turns import TurnModel
from console.realtime import RealtimeClient, RealtimeConversation
from console.simulator import SimulatorServer

TIMEOUT = 5.0


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast") as server:
        yield server


class Feed:
    """Hand-made events into a ``TurnModel``."""

    def __init__(self, turns: TurnModel) -> None:
        self.turns = turns

    def __call__(self, t: float | None, source: Any, event_type: str, **fields: Any) -> None:
        self.turns.observe(PlainEvent(source, event_type, {"type": event_type, **fields}, t))


USAGE: dict[str, Any] = {
    "total_tokens": 30,
    "input_tokens": 20,
    "output_tokens": 10,
    "input_token_details": {"cached_tokens": 0, "text_tokens": 20, "audio_tokens": 0},
    "output_token_details": {"text_tokens": 4, "audio_tokens": 6},
}


def test_exact_figures_for_a_text_turn() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(9.0, "server", "session.created", session={"model": "gpt-realtime"})
    user = {"type": "message", "role": "user", "content": []}
    feed(10.0, "client", "conversation.item.create", item=user)
    feed(10.0, "client", "response.create", event_id="evt_1")
    feed(10.125, "server", "response.created", response={"id": "resp_1"})
    feed(10.25, "server", "response.output_item.added", response_id="resp_1", item={"id": "a"})
    feed(10.5, "server", "response.output_audio.delta", response_id="resp_1", delta="AAAA")
    feed(10.75, "server", "response.output_audio_transcript.delta", response_id="resp_1")
    running = turns.get("resp_1")
    assert running is not None and running.done_ms is None and running.first_audio_ms == 500.0
    done = {"id": "resp_1", "status": "completed", "usage": USAGE, "output": [{"id": "a"}]}
    feed(11.0, "server", "response.done", response=done)

    turn = turns.get("resp_1")
    assert turn is not None
    assert (turn.trigger, turn.trigger_at, turn.created_at) == ("text", 10.0, 10.125)
    assert (turn.created_ms, turn.first_text_ms, turn.done_ms) == (125.0, 750.0, 1000.0)
    assert turn.status == "completed" and turn.item_ids == ["a"] and turn.audio_bytes == 3
    assert turn.usage == USAGE
    # gpt-realtime: 20 text in at $4/M, 4 text out at $16/M, 6 audio out at $64/M
    assert turn.cost_usd == pytest.approx((20 * 4 + 4 * 16 + 6 * 64) / 1e6)
    assert turns.for_item("a") is turn
    assert turns.for_item("nope") is None and turns.get("nope") is None


def test_server_vad_turns_start_at_speech_stopped() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(19.0, "server", "input_audio_buffer.speech_started", item_id="u1", audio_start_ms=300)
    feed(20.0, "server", "input_audio_buffer.speech_stopped", item_id="u1", audio_end_ms=1300)
    feed(20.0625, "server", "input_audio_buffer.committed", item_id="u1")
    feed(20.125, "server", "response.created", response={"id": "resp_v"})
    feed(20.375, "server", "response.output_audio.delta", response_id="resp_v", delta="")
    turn = turns.get("resp_v")
    assert turn is not None and turn.trigger == "speech" and turn.trigger_at == 20.0
    assert (turn.speech_start_ms, turn.speech_end_ms, turn.user_item_id) == (300, 1300, "u1")
    assert turn.speech_started_at == 19.0 and turn.first_audio_ms == 375.0
    details = {"type": "cancelled", "reason": "turn_detected"}
    done = {"id": "resp_v", "status": "cancelled", "status_details": details}
    feed(20.875, "server", "response.done", response=done)
    assert (turn.done_ms, turn.status, turn.reason) == (875.0, "cancelled", "turn_detected")
    # The transcription of its trigger, after the response was done.
    feed(21.5, "server", "conversation.item.input_audio_transcription.completed", item_id="u1")
    assert turn.transcribed_ms == 1500.0
    # The speech was used up: a later response nothing asked for starts at its own creation.
    feed(30.0, "server", "response.created", response={"id": "resp_s"})
    later = turns.get("resp_s")
    assert later is not None and (later.trigger_at, later.trigger) == (30.0, "other")


def test_requests_match_responses_in_order_and_rejected_requests_are_dropped() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "client", "response.create", event_id="evt_a")
    feed(1.5, "client", "response.create", event_id="evt_b")
    error = {"code": "conversation_already_has_active_response", "event_id": "evt_b"}
    feed(1.75, "server", "error", error=error)
    feed(2.0, "client", "input_audio_buffer.commit")
    feed(2.0, "client", "response.create", event_id="evt_c")
    feed(2.5, "server", "response.created", response={"id": "r1"})
    feed(3.0, "server", "response.created", response={"id": "r2"})
    r1, r2 = turns.get("r1"), turns.get("r2")
    assert r1 is not None and r2 is not None
    assert (r1.trigger_at, r2.trigger_at) == (1.0, 2.0)
    assert (r1.trigger, r2.trigger) == ("other", "commit")


def test_a_typed_message_supersedes_an_unanswered_speech_stopped() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "server", "input_audio_buffer.speech_stopped", item_id="u1")
    user = {"type": "message", "role": "user"}
    feed(60.0, "client", "conversation.item.create", item=user)
    feed(60.0, "server", "response.created", response={"id": "r"})
    turn = turns.get("r")
    assert turn is not None and (turn.trigger_at, turn.trigger) == (60.0, "other")


def test_a_tool_call_its_handler_time_and_the_turn_it_triggers() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(0.0, "client", "response.create")
    feed(0.1, "server", "response.created", response={"id": "r1"})
    call = {"response_id": "r1", "item_id": "fc", "call_id": "call_1", "name": "get_weather"}
    feed(0.5, "server", "response.function_call_arguments.done", **call)
    feed(0.6, "server", "response.done", response={"id": "r1", "status": "completed"})
    output = {"type": "function_call_output", "call_id": "call_1", "output": "{}"}
    feed(0.875, "client", "conversation.item.create", item=output)
    feed(0.875, "client", "response.create")
    feed(1.0, "server", "response.created", response={"id": "r2"})
    r1, r2 = turns.get("r1"), turns.get("r2")
    assert r1 is not None and r2 is not None
    (tool,) = turns.calls(r1)
    assert (tool.name, tool.call_id, tool.handler_ms) == ("get_weather", "call_1", 375.0)
    assert (r2.trigger, r2.created_ms) == ("tool", 125.0)


def test_first_text_is_the_first_of_its_own_response() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(0.0, "client", "response.create")
    feed(0.0, "client", "response.create")
    feed(1.0, "server", "response.created", response={"id": "r1"})
    feed(1.0, "server", "response.created", response={"id": "r2"})
    feed(2.0, "server", "response.text.delta", response_id="r2")
    feed(3.0, "server", "response.text.delta", response_id="r1")
    feed(4.0, "server", "response.text.delta", response_id="r1")
    feed(5.0, "server", "response.text.delta", response_id="unknown")
    r1, r2 = turns.get("r1"), turns.get("r2")
    assert r1 is not None and r2 is not None
    assert (r1.first_text_ms, r2.first_text_ms) == (3000.0, 2000.0)


def test_output_items_from_response_done_alone_and_the_cap() -> None:
    turns = TurnModel(cap=3)
    feed = Feed(turns)
    for n in range(5):
        feed(float(n), "server", "response.created", response={"id": f"r{n}"})
        done = {"id": f"r{n}", "output": [{"id": f"i{n}"}, "junk"], "usage": "junk"}
        feed(n + 0.5, "server", "response.done", response=done)
    assert len(turns) == 3 and [t.response_id for t in turns.all()] == ["r2", "r3", "r4"]
    assert turns.get("r0") is None and turns.for_item("i0") is None and turns.dropped == 2
    kept = turns.for_item("i4")
    assert kept is not None and kept.response_id == "r4" and kept.usage is None
    feed(9.0, "server", "response.done", response={"id": "r_late"})  # created never seen
    late = turns.get("r_late")
    assert late is not None and late.done_ms == 0.0
    version = turns.version
    turns.clear()
    assert not turns.all() and turns.version > version


def test_malformed_events_are_ignored() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "server", "response.created", response="nope")
    feed(1.0, "server", "response.created")
    feed(1.0, "server", "response.done", response={"id": 5})
    feed(1.0, "server", "response.output_item.added", response_id="x", item=None)
    feed(1.0, "server", "error", error=None)
    feed(1.0, "server", "response.output_audio.delta", response_id="x", delta=7)
    feed(1.0, "client", "conversation.item.create", item="nope")
    feed(1.0, "local", "local.playback.started", item_id=None)
    feed(1.0, "server", "rate_limits.updated", rate_limits="nope")
    assert not turns.all()


def test_a_log_without_times_still_counts_and_costs() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(None, "server", "session.created", session={"model": "gpt-realtime"})
    feed(None, "client", "response.create")
    feed(None, "server", "response.created", response={"id": "r"})
    feed(
        None, "server", "response.done", response={"id": "r", "status": "completed", "usage": USAGE}
    )
    turn = turns.get("r")
    assert turn is not None and turn.created_ms is None and turn.done_ms is None
    assert turn.cost_usd == pytest.approx((20 * 4 + 4 * 16 + 6 * 64) / 1e6)


# -- against the simulator ---------------------------------------------------------------------


async def wait_for_records(store: EventStore, event_type: str, n: int) -> list[EventRecord]:
    """Wait (with a timeout) until ``store`` holds ``n`` records of ``event_type``."""
    done = asyncio.get_running_loop().create_future()

    def matching() -> list[EventRecord]:
        return [r for r in store.records if r.type == event_type]

    def listener(rec: EventRecord) -> None:
        if len(matching()) >= n and not done.done():
            done.set_result(None)

    if len(matching()) < n:
        store.listen(listener)
        try:
            await asyncio.wait_for(done, TIMEOUT)
        finally:
            store.unlisten(listener)
    return matching()


def feed_from(store: EventStore, turns: TurnModel) -> None:
    store.listen(turns.observe)


async def connected(
    server: SimulatorServer, dialect: str
) -> tuple[RealtimeClient, EventStore, TurnModel]:
    store, turns = EventStore(), TurnModel()
    feed_from(store, turns)
    client = RealtimeClient(url=server.url, dialect=dialect)
    client.on("realtime.event", lambda payload: store.add(payload["source"], payload["event"]))
    await client.connect()
    assert await client.wait_for_session_created(TIMEOUT)
    return client, store, turns


def check_against_done(turns: TurnModel, done: EventRecord) -> None:
    response = done.event["response"]
    turn = turns.get(response["id"])
    assert turn is not None and turn.status == response["status"] == "completed"
    assert turn.first_audio_ms is not None and turn.done_ms is not None
    assert 0.0 <= turn.created_ms <= turn.first_audio_ms <= turn.done_ms  # type: ignore[operator]
    assert turn.usage == response["usage"] and turn.cost_usd is not None and turn.cost_usd > 0
    assert turn.item_ids == [item["id"] for item in response["output"]] != []
    for item_id in turn.item_ids:
        assert turns.for_item(item_id) is turn
    assert turn.audio_ms > 0


async def test_a_text_turn_on_the_simulator(simulator: SimulatorServer, dialect: str) -> None:
    client, store, turns = await connected(simulator, dialect)
    client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
    (done,) = await wait_for_records(store, "response.done", 1)
    check_against_done(turns, done)
    (turn,) = turns.all()
    assert turn.trigger == "text"
    (request,) = [r for r in store.records if r.type == "response.create"]
    assert turn.trigger_at == request.time and turn.done_at == done.time
    assistant = [i for i in client.conversation.get_items() if i.get("role") == "assistant"]
    assert turns.for_item(assistant[0]["id"]) is turn
    await client.disconnect()


async def test_a_server_vad_turn_on_the_simulator(simulator: SimulatorServer, dialect: str) -> None:
    client, store, turns = await connected(simulator, dialect)
    client.update_session(turn_detection="server_vad")
    await wait_for_records(store, "session.updated", 2)
    t = np.arange(24000) / 24000
    speech = (np.sin(2 * np.pi * 180 * t) * 9000).astype(np.int16)
    for chunk in np.array_split(
        np.concatenate([np.zeros(4800, np.int16), speech, np.zeros(24000, np.int16)]), 50
    ):
        client.append_input_audio(chunk)
    (done,) = await wait_for_records(store, "response.done", 1)
    check_against_done(turns, done)
    (stopped,) = [r for r in store.records if r.type == "input_audio_buffer.speech_stopped"]
    turn = turns.get(done.event["response"]["id"])
    assert turn is not None and (turn.trigger, turn.trigger_at) == ("speech", stopped.time)
    assert turn.speech_end_ms == stopped.event["audio_end_ms"]
    await client.disconnect()


async def test_a_replay_gives_the_live_figures(
    simulator: SimulatorServer, dialect: str, tmp_path: Path
) -> None:
    client, store, live = await connected(simulator, dialect)
    client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
    await wait_for_records(store, "response.done", 1)
    client.send_user_message_content([{"type": "input_text", "text": "And again"}])
    await wait_for_records(store, "response.done", 2)
    await client.disconnect()
    export_jsonl(store.records, tmp_path / "session.jsonl")

    replayed_store, replayed = EventStore(), TurnModel()
    feed_from(replayed_store, replayed)
    replay_into(load_recording(tmp_path / "session.jsonl"), RealtimeConversation(), replayed_store)
    assert len(live) == 2 and replayed.all() == live.all()


def test_a_turn_cut_by_a_lost_connection_is_not_left_in_progress() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(0.0, "local", "local.connection", state="connected")
    feed(1.0, "client", "response.create")
    feed(1.25, "server", "response.created", response={"id": "r1"})
    feed(1.5, "server", "response.done", response={"id": "r1", "status": "completed"})
    feed(2.0, "client", "response.create")
    feed(2.25, "server", "response.created", response={"id": "r2"})
    feed(3.0, "local", "local.connection", state="closed", code=1001, reason="session expired")
    feed(3.5, "local", "local.connection", state="connected")
    feed(4.0, "client", "response.create")
    feed(4.25, "server", "response.created", response={"id": "r3"})
    r1, r2, r3 = (turns.get(name) for name in ("r1", "r2", "r3"))
    assert r1 is not None and r2 is not None and r3 is not None
    assert (r1.status, r1.reason) == ("completed", None)
    assert (r2.status, r2.reason, r2.done_at) == ("disconnected", "1001 session expired", None)
    assert r2.is_done and r2.done_ms is None  # over, but no response.done: no whole time
    assert r3.status is None and r3.connection > r2.connection


def test_speech_in_a_log_without_times_is_still_the_trigger() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(None, "server", "input_audio_buffer.speech_started", item_id="u1", audio_start_ms=0)
    feed(None, "server", "input_audio_buffer.speech_stopped", item_id="u1", audio_end_ms=900)
    feed(None, "server", "input_audio_buffer.committed", item_id="u1")
    feed(None, "server", "response.created", response={"id": "r"})
    turn = turns.get("r")
    assert turn is not None and (turn.trigger, turn.user_item_id) == ("speech", "u1")
    assert turn.speech_end_ms == 900 and turn.trigger_at is None and turn.created_ms is None


def test_the_item_a_typed_message_or_a_tool_output_became_is_the_turns_trigger_item() -> None:
    """The client's ``conversation.item.create`` carries no id; the server's echo names it."""
    turns = TurnModel()
    feed = Feed(turns)
    user = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    feed(1.0, "client", "conversation.item.create", item=user)
    feed(1.0, "client", "response.create")
    feed(1.1, "server", "conversation.item.added", item={**user, "id": "item_user"})
    feed(1.2, "server", "response.created", response={"id": "r1"})
    output = {"type": "function_call_output", "call_id": "c1", "output": "{}"}
    feed(2.0, "client", "conversation.item.create", item=output)
    feed(2.1, "server", "conversation.item.created", item={**output, "id": "item_out"})  # beta
    feed(2.2, "client", "response.create")
    feed(2.3, "server", "response.created", response={"id": "r2"})
    r1, r2 = turns.get("r1"), turns.get("r2")
    assert r1 is not None and (r1.trigger, r1.user_item_id) == ("text", "item_user")
    assert r2 is not None and (r2.trigger, r2.user_item_id) == ("tool", "item_out")
    assert turns.for_item("item_user") is r1 and turns.for_item("item_out") is r2
    # The user's audio item (speech, a commit) is not a typed message's.
    audio = {"type": "message", "role": "user", "content": [{"type": "input_audio"}]}
    feed(3.0, "client", "conversation.item.create", item=user)
    feed(3.0, "client", "response.create")
    feed(3.1, "server", "conversation.item.added", item={**audio, "id": "item_audio"})
    feed(3.2, "server", "response.created", response={"id": "r3"})
    r3 = turns.get("r3")
    assert r3 is not None and r3.user_item_id is None
