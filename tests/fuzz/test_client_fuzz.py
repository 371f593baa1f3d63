"""A hostile server sends bad frames to a real ``RealtimeClient`` over a socket on 127.0.0.1.

No exception escapes (the receive loop stays up, ``receive_failed`` never appears), every bad
frame becomes at least one ``error`` event (a ``fuzz.mark`` frame after each one splits the
errors per frame), and tracemalloc's peak stays under a bound.
"""

from __future__ import annotations

import asyncio
import json
import random
import tracemalloc
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.realtime import RealtimeClient

from .conftest import HostileServer
from .hostile import JSON_VALUES, bad_server_frames

RAW_FRAMES = 600
PEAK_BOUND = 16 * 2**20
"""tracemalloc peak for 600 bad frames, nested 200,000 deep at most (measured: about 2 MB)."""


class Tally:
    """Errors per bad frame: a ``fuzz.mark`` frame closes each frame's count."""

    def __init__(self, client: RealtimeClient) -> None:
        self.codes: list[str] = []
        """Codes only: an error's exception holds its traceback, and that the whole frame."""
        self.per_frame: list[int] = []
        self._since_mark = 0
        self.marked = asyncio.Event()
        self.expected_marks = 0
        client.on("error", self._error)
        client.on("realtime.event", self._mark)

    def _error(self, event: dict[str, Any]) -> None:
        self.codes.append(event["error"]["code"])
        self._since_mark += 1

    def _mark(self, payload: dict[str, Any]) -> None:
        if payload["source"] != "server" or payload["event"].get("type") != "fuzz.mark":
            return
        self.per_frame.append(self._since_mark)
        self._since_mark = 0
        if len(self.per_frame) >= self.expected_marks:
            self.marked.set()


async def feed(server: HostileServer, client: RealtimeClient, frames: list[str | bytes]) -> Tally:
    tally = Tally(client)
    tally.expected_marks = len(frames)
    for n, frame in enumerate(frames):
        await server.outbox.put(frame)
        await server.outbox.put(json.dumps({"type": "fuzz.mark", "n": n}))
    await asyncio.wait_for(tally.marked.wait(), 20)
    return tally


async def connected_client(server: HostileServer) -> RealtimeClient:
    client = RealtimeClient(url=server.url)
    await client.connect()
    assert await client.wait_for_session_created(5)
    return client


async def test_raw_bad_frames_each_become_an_error(hostile: HostileServer) -> None:
    rng = random.Random(20260801)
    kinds_frames = list(bad_server_frames(rng, RAW_FRAMES))
    client = await connected_client(hostile)
    tracemalloc.start()
    try:
        tally = await feed(hostile, client, [frame for _, frame in kinds_frames])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert client.is_connected()
    answers = zip(kinds_frames, tally.per_frame, strict=True)
    unanswered = [kind for (kind, _), n in answers if n == 0]
    assert unanswered == []
    codes = set(tally.codes)
    assert not codes & {"receive_failed", "handler_error"}, codes
    print(f"client: {len(kinds_frames)} raw frames, {len(tally.codes)} errors, peak {peak} B")
    assert peak < PEAK_BOUND
    await client.disconnect()


FRAME = st.one_of(
    JSON_VALUES.map(json.dumps),
    st.dictionaries(
        st.sampled_from(["type", "item_id", "delta", "item", "response", "event_id"]),
        JSON_VALUES,
        max_size=4,
    ).map(json.dumps),
    st.binary(max_size=40),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAME, min_size=1, max_size=12))
def test_hypothesis_frames_never_escape(frames: list[str | bytes]) -> None:
    """Arbitrary frames (any JSON, any bytes): nothing escapes, the connection stays up."""

    async def run() -> None:
        async with HostileServer() as server:
            client = await connected_client(server)
            tally = await feed(server, client, frames)
            assert client.is_connected()
            codes = set(tally.codes)
            assert not codes & {"receive_failed", "handler_error"}, codes
            await client.disconnect()

    asyncio.run(run())


async def test_an_error_event_with_hostile_fields_reaches_handlers_as_strings(
    hostile: HostileServer,
) -> None:
    client = await connected_client(hostile)
    errors: list[dict[str, Any]] = []
    client.on("error", errors.append)
    frame = {"type": "error", "error": {"type": 3, "code": 5, "message": {"nested": [1]}}}
    tally = await feed(hostile, client, [json.dumps(frame)])
    assert tally.per_frame == [1]
    await client.disconnect()
    assert isinstance(errors[0]["error"]["message"], str)
    assert isinstance(errors[0]["error"]["code"], str)


async def test_an_oversized_frame_is_reported_as_too_big(hostile: HostileServer) -> None:
    client = await connected_client(hostile)
    errors: list[dict[str, Any]] = []
    closes: list[dict[str, Any]] = []
    closed = asyncio.Event()
    client.on("error", errors.append)
    client.on("close", closes.append)
    client.on("close", lambda _: closed.set())
    await hostile.outbox.put("x" * (64 * 2**20 + 1))
    await asyncio.wait_for(closed.wait(), 5)
    assert closes and not client.is_connected()  # no exception escaped: the loop closed
    messages = " ".join(str(e["error"]["message"]) for e in errors)
    assert "64 MiB" in messages, messages  # says what happened, not only "code 1006"
