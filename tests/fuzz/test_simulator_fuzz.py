"""Hostile client frames against the simulator over a socket on 127.0.0.1.

Each bad frame is followed by a probe (``conversation.item.retrieve`` of an unknown item with a
numbered ``event_id``); the errors that arrive before the probe's own error answer that frame,
so every bad frame must get at least one. The ``server`` fixture fails the test if the simulator
logged an exception; tracemalloc's peak (server and client share this process) stays bounded.
"""

from __future__ import annotations

import asyncio
import json
import random
import tracemalloc
from typing import Any

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.simulator import SimulatorServer

from .hostile import (
    HOSTILE_SCHEMAS,
    JSON_VALUES,
    bad_client_frames,
    client_templates,
    tool,
)

RAW_FRAMES = 500
PEAK_BOUND = 32 * 2**20
"""tracemalloc peak for 500 bad frames through server and client (measured: a few MB)."""


class Probe:
    """A raw client that counts the errors each frame gets before the next probe's answer."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.n = 0
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, url: str) -> Probe:
        ws = await websockets.connect(url, max_size=None, compression=None)
        probe = cls(ws)
        assert (await probe.recv())["type"] == "session.created"
        return probe

    async def recv(self) -> dict[str, Any]:
        event = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        self.events.append(event)
        return event

    async def answer(self, frame: str | bytes) -> list[dict[str, Any]]:
        """Send ``frame`` then a probe; the error events that came in between."""
        self.n += 1
        probe_id = f"probe_{self.n}"
        await self.ws.send(frame)
        await self.ws.send(
            json.dumps(
                {
                    "type": "conversation.item.retrieve",
                    "item_id": "item_probe",
                    "event_id": probe_id,
                }
            )
        )
        errors = []
        while True:
            event = await self.recv()
            if event["type"] != "error":
                continue
            if event["error"].get("event_id") == probe_id:
                return errors
            errors.append(event)


def assert_client_errors(errors: list[dict[str, Any]]) -> None:
    """The simulator blames the client, never itself (``server_error`` is a caught bug)."""
    assert all(e["error"]["type"] == "invalid_request_error" for e in errors), errors


async def test_raw_bad_frames_each_get_an_error(server: SimulatorServer) -> None:
    rng = random.Random(20260802)
    frames = list(bad_client_frames(rng, RAW_FRAMES))
    probe = await Probe.open(server.url)
    tracemalloc.start()
    try:
        unanswered = []
        for kind, frame in frames:
            errors = await probe.answer(frame)
            assert_client_errors(errors)
            if not errors:
                unanswered.append((kind, frame[:120]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    await probe.ws.close()
    print(f"simulator: {len(frames)} raw frames, peak {peak} B")
    assert unanswered == [], sorted({k for k, _ in unanswered})
    assert peak < PEAK_BOUND


@pytest.mark.parametrize("schema", HOSTILE_SCHEMAS, ids=range(len(HOSTILE_SCHEMAS)))
async def test_a_hostile_tool_schema_is_refused_or_bounded(
    server: SimulatorServer, schema: dict[str, Any]
) -> None:
    """Refused with ``invalid_value``, or a forced call to it finishes quickly and small."""
    probe = await Probe.open(server.url)
    session = {"type": "realtime", "output_modalities": ["text"], "tool_choice": "required"}
    await probe.ws.send(
        json.dumps({"type": "session.update", "session": {**session, "tools": [tool(schema)]}})
    )
    user = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]}
    await probe.ws.send(
        json.dumps(
            {"type": "response.create", "response": {"input": [user], "conversation": "none"}}
        )
    )
    size = 0
    loop = asyncio.get_running_loop()
    start = loop.time()
    while (event := await probe.recv())["type"] != "response.done":
        size += len(json.dumps(event))
        if event["type"] == "error":
            assert event["error"]["code"] == "invalid_value", event
    assert loop.time() - start < 5 and size < 2**20
    await probe.ws.close()


# Odd byte counts in input_audio_buffer.append are kept, not refused (the simulator carries
# the odd byte into the next append): tests/simulator/test_input_validation.py covers it.


async def test_an_oversized_frame_closes_that_connection_only(server: SimulatorServer) -> None:
    victim = await Probe.open(server.url)
    bystander = await Probe.open(server.url)
    # The server may close while the frame is still being written (aiohttp stops reading at
    # the frame's header), so the send itself may already see the close.
    with pytest.raises(websockets.ConnectionClosed):
        await victim.ws.send(json.dumps({"type": "session.update", "x": "a" * (16 * 2**20 + 1)}))
        await victim.recv()
    assert victim.ws.close_code == 1009
    assert await bystander.answer("{") != []
    await bystander.ws.close()


EVENT_TYPES = st.sampled_from([t["type"] for t in client_templates()])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.builds(
            lambda kind, fields: json.dumps({**fields, "type": kind}),
            EVENT_TYPES,
            st.dictionaries(
                st.sampled_from(["session", "item", "audio", "item_id", "event_id", "response"]),
                JSON_VALUES,
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_hypothesis_events_never_break_the_simulator(frames: list[str]) -> None:
    """Known event types with arbitrary fields: only client errors, and the socket answers."""

    async def run() -> None:
        async with SimulatorServer(pace="fast") as simulator:
            probe = await Probe.open(simulator.url)
            for frame in frames:
                assert_client_errors(await probe.answer(frame))
            await probe.ws.close()

    asyncio.run(run())
