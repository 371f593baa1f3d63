"""Response timings: exact figures from hand-made records, and real simulator sessions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.inspector.recording import export_jsonl, load_recording, replay_into
from console.inspector.store import EventRecord, EventStore
from console.inspector.timings import ResponseTimings, Usage
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
    """Hand-made records into a ``ResponseTimings``, with increasing sequence numbers."""

    def __init__(self, timings: ResponseTimings) -> None:
        self.timings = timings
        self.seq = 0

    def __call__(self, t: float, source: Any, event_type: str, **fields: Any) -> None:
        event = {"type": event_type, **fields}
        self.timings.observe(EventRecord(self.seq, t, source, event_type, event))
        self.seq += 1

    def response(self, t: float, response_id: str, item_id: str, delta_at: float) -> None:
        """A whole one-item text response: created at ``t``, done 0.5 s after the delta."""
        self(t, "server", "response.created", response={"id": response_id})
        item = {"id": item_id, "type": "message", "role": "assistant"}
        self(t, "server", "response.output_item.added", response_id=response_id, item=item)
        self(delta_at, "server", "response.output_text.delta", response_id=response_id)
        self(delta_at + 0.5, "server", "response.done", response={"id": response_id})


USAGE: dict[str, Any] = {
    "total_tokens": 30,
    "input_tokens": 20,
    "output_tokens": 10,
    "input_token_details": {"cached_tokens": 0, "text_tokens": 20, "audio_tokens": 0},
    "output_token_details": {"text_tokens": 4, "audio_tokens": 6},
}


def test_exact_figures_for_a_requested_response() -> None:
    timings = ResponseTimings()
    feed = Feed(timings)
    feed(10.0, "client", "conversation.item.create", item={"type": "message"})
    feed(10.0, "client", "response.create", event_id="evt_1")
    feed(10.125, "server", "response.created", response={"id": "resp_1"})
    feed(10.25, "server", "response.output_item.added", response_id="resp_1", item={"id": "a"})
    feed(10.5, "server", "response.output_audio.delta", response_id="resp_1", item_id="a")
    feed(10.75, "server", "response.output_audio_transcript.delta", response_id="resp_1")
    running = timings.get("resp_1")
    assert running is not None and running.total_ms is None and running.first_delta_ms == 500.0
    done = {"id": "resp_1", "status": "completed", "usage": USAGE, "output": [{"id": "a"}]}
    feed(11.0, "server", "response.done", response=done)

    timing = timings.get("resp_1")
    assert timing is not None
    assert (timing.start, timing.trigger, timing.created) == (10.0, "request", 10.125)
    assert (timing.first_delta_ms, timing.total_ms) == (500.0, 1000.0)
    assert timing.status == "completed" and timing.item_ids == ("a",)
    assert timing.usage == Usage(
        20, 10, 30, USAGE["input_token_details"], USAGE["output_token_details"]
    )
    assert timings.for_item("a") is timing and timings.latest() is timing
    assert timings.for_item("nope") is None and timings.get("nope") is None


def test_server_vad_responses_start_at_speech_stopped() -> None:
    timings = ResponseTimings(clock=lambda: 21.0)
    feed = Feed(timings)
    feed(19.0, "server", "input_audio_buffer.speech_started", item_id="u1")
    feed(20.0, "server", "input_audio_buffer.speech_stopped", item_id="u1")
    feed(20.0625, "server", "input_audio_buffer.committed", item_id="u1")
    feed(20.125, "server", "response.created", response={"id": "resp_v"})
    feed(20.375, "server", "response.output_audio.delta", response_id="resp_v")
    timing = timings.get("resp_v")
    assert timing is not None and timing.trigger == "speech" and timing.start == 20.0
    assert timing.first_delta_ms == 375.0 and timings.running_ms(timing) == 1000.0
    feed(20.875, "server", "response.done", response={"id": "resp_v", "status": "cancelled"})
    timing = timings.get("resp_v")
    assert timing is not None and timing.total_ms == 875.0 and timing.status == "cancelled"
    assert timings.running_ms(timing) == 875.0
    # The speech was used up: a later server-initiated response starts at its own creation.
    feed(30.0, "server", "response.created", response={"id": "resp_s"})
    later = timings.get("resp_s")
    assert later is not None and (later.start, later.trigger) == (30.0, "server")


def test_requests_match_responses_in_order_and_rejected_requests_are_dropped() -> None:
    timings = ResponseTimings()
    feed = Feed(timings)
    feed(1.0, "client", "response.create", event_id="evt_a")
    feed(1.5, "client", "response.create", event_id="evt_b")
    feed(
        1.75,
        "server",
        "error",
        error={"code": "conversation_already_has_active_response", "event_id": "evt_b"},
    )
    feed(2.0, "client", "response.create", event_id="evt_c")
    feed(2.5, "server", "response.created", response={"id": "r1"})
    feed(3.0, "server", "response.created", response={"id": "r2"})
    r1, r2 = timings.get("r1"), timings.get("r2")
    assert r1 is not None and r2 is not None
    assert (r1.start, r2.start) == (1.0, 2.0)


def test_a_typed_message_supersedes_an_unanswered_speech_stopped() -> None:
    timings = ResponseTimings()
    feed = Feed(timings)
    feed(1.0, "server", "input_audio_buffer.speech_stopped", item_id="u1")
    feed(60.0, "client", "conversation.item.create", item={"type": "message"})
    feed(60.0, "server", "response.created", response={"id": "r"})
    timing = timings.get("r")
    assert timing is not None and (timing.start, timing.trigger) == (60.0, "server")


def test_first_delta_is_the_first_of_its_own_response() -> None:
    timings = ResponseTimings()
    feed = Feed(timings)
    feed(0.0, "client", "response.create")
    feed(0.0, "client", "response.create")
    feed(1.0, "server", "response.created", response={"id": "r1"})
    feed(1.0, "server", "response.created", response={"id": "r2"})
    feed(2.0, "server", "response.text.delta", response_id="r2")
    feed(3.0, "server", "response.text.delta", response_id="r1")
    feed(4.0, "server", "response.text.delta", response_id="r1")
    feed(5.0, "server", "response.text.delta", response_id="unknown")
    r1, r2 = timings.get("r1"), timings.get("r2")
    assert r1 is not None and r2 is not None
    assert (r1.first_delta_ms, r2.first_delta_ms) == (3000.0, 2000.0)


def test_output_items_from_response_done_alone_and_the_cap() -> None:
    timings = ResponseTimings(cap=3)
    feed = Feed(timings)
    for n in range(5):
        feed(float(n), "server", "response.created", response={"id": f"r{n}"})
        done = {"id": f"r{n}", "output": [{"id": f"i{n}"}, "junk"], "usage": "junk"}
        feed(n + 0.5, "server", "response.done", response=done)
    assert len(timings) == 3 and [t.response_id for t in timings.all()] == ["r2", "r3", "r4"]
    assert timings.get("r0") is None and timings.for_item("i0") is None
    kept = timings.for_item("i4")
    assert kept is not None and kept.response_id == "r4" and kept.usage is None
    feed(9.0, "server", "response.done", response={"id": "r_late"})  # created never seen
    late = timings.get("r_late")
    assert late is not None and late.total_ms == 0.0 and timings.latest() is late
    version = timings.version
    timings.clear()
    assert timings.latest() is None and timings.version > version


def test_malformed_events_are_ignored() -> None:
    timings = ResponseTimings()
    feed = Feed(timings)
    feed(1.0, "server", "response.created", response="nope")
    feed(1.0, "server", "response.created")
    feed(1.0, "server", "response.done", response={"id": 5})
    feed(1.0, "server", "response.output_item.added", response_id="x", item=None)
    feed(1.0, "server", "error", error=None)
    assert timings.latest() is None


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


async def connected(
    server: SimulatorServer, dialect: str
) -> tuple[RealtimeClient, EventStore, ResponseTimings]:
    store, timings = EventStore(), ResponseTimings()
    store.listen(timings.observe)
    client = RealtimeClient(url=server.url, dialect=dialect)
    client.on("realtime.event", lambda payload: store.add(payload["source"], payload["event"]))
    await client.connect()
    assert await client.wait_for_session_created(TIMEOUT)
    return client, store, timings


def check_against_done(timings: ResponseTimings, done: EventRecord) -> None:
    response = done.event["response"]
    timing = timings.get(response["id"])
    assert timing is not None and timing.status == response["status"] == "completed"
    assert timing.first_delta_ms is not None and timing.total_ms is not None
    assert 0.0 <= timing.first_delta_ms <= timing.total_ms
    usage = response["usage"]
    assert timing.usage is not None
    assert (timing.usage.input_tokens, timing.usage.output_tokens, timing.usage.total_tokens) == (
        usage["input_tokens"],
        usage["output_tokens"],
        usage["total_tokens"],
    )
    assert timing.usage.input_token_details == usage.get("input_token_details")
    assert timing.item_ids == tuple(item["id"] for item in response["output"]) != ()
    for item_id in timing.item_ids:
        assert timings.for_item(item_id) is timing


async def test_a_text_turn_on_the_simulator(simulator: SimulatorServer, dialect: str) -> None:
    client, store, timings = await connected(simulator, dialect)
    client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
    (done,) = await wait_for_records(store, "response.done", 1)
    check_against_done(timings, done)
    timing = timings.latest()
    assert timing is not None and timing.trigger == "request"
    (request,) = [r for r in store.records if r.type == "response.create"]
    assert timing.start == request.time and timing.done == done.time
    assistant = [i for i in client.conversation.get_items() if i.get("role") == "assistant"]
    assert timings.for_item(assistant[0]["id"]) is timing
    await client.disconnect()


async def test_a_server_vad_turn_on_the_simulator(simulator: SimulatorServer, dialect: str) -> None:
    client, store, timings = await connected(simulator, dialect)
    client.update_session(turn_detection="server_vad")
    await wait_for_records(store, "session.updated", 2)
    t = np.arange(24000) / 24000
    speech = (np.sin(2 * np.pi * 180 * t) * 9000).astype(np.int16)
    for chunk in np.array_split(
        np.concatenate([np.zeros(4800, np.int16), speech, np.zeros(24000, np.int16)]), 50
    ):
        client.append_input_audio(chunk)
    (done,) = await wait_for_records(store, "response.done", 1)
    check_against_done(timings, done)
    (stopped,) = [r for r in store.records if r.type == "input_audio_buffer.speech_stopped"]
    timing = timings.get(done.event["response"]["id"])
    assert timing is not None and (timing.trigger, timing.start) == ("speech", stopped.time)
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

    replayed_store, replayed = EventStore(), ResponseTimings(clock=lambda: 0.0)
    replayed_store.listen(replayed.observe)
    replay_into(load_recording(tmp_path / "session.jsonl"), RealtimeConversation(), replayed_store)
    assert len(live) == 2 and replayed.all() == live.all()
