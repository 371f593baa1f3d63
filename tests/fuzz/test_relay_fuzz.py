"""Hostile client frames through the relay, with the simulator as its upstream, on 127.0.0.1.

The relay forwards frames verbatim, so every bad frame must come back answered by the
simulator's ``error`` (binary frames included); an oversized frame closes only its own
connection; the simulator logs no exception (``server`` fixture); tracemalloc stays bounded.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from collections.abc import AsyncIterator

import pytest
import websockets

from console.relay import RelayServer
from console.simulator import SimulatorServer

from .hostile import bad_client_frames
from .test_simulator_fuzz import Probe, assert_client_errors

RAW_FRAMES = 400
PEAK_BOUND = 32 * 2**20


@pytest.fixture
async def relay(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RelayServer]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    async with RelayServer(
        upstream_url=server.url, api_key="sk-fuzz-relay-0000", host="127.0.0.1", port=0
    ) as running:
        yield running


async def test_raw_bad_frames_through_the_relay_each_get_an_error(relay: RelayServer) -> None:
    rng = random.Random(20260803)
    frames = list(bad_client_frames(rng, RAW_FRAMES))
    probe = await Probe.open(relay.url)
    tracemalloc.start()
    try:
        unanswered = []
        for kind, frame in frames:
            errors = await probe.answer(frame)
            assert_client_errors(errors)
            if not errors:
                unanswered.append(kind)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    await probe.ws.close()
    print(f"relay: {len(frames)} raw frames, peak {peak} B")
    assert unanswered == []
    assert peak < PEAK_BOUND


async def test_an_oversized_frame_closes_that_relay_connection_only(relay: RelayServer) -> None:
    victim = await Probe.open(relay.url)
    bystander = await Probe.open(relay.url)
    # The relay closes with 1009 as soon as the frame's header says it is too big; its aiohttp
    # listener does not drain the rest of the frame first (websockets' server did), so the send
    # itself may already fail.
    with pytest.raises(websockets.ConnectionClosed):
        await victim.ws.send(json.dumps({"type": "session.update", "x": "a" * (16 * 2**20 + 1)}))
        await victim.recv()
    assert victim.ws.close_code == 1009
    assert await bystander.answer(b"\xff\x00") != []
    await bystander.ws.close()
