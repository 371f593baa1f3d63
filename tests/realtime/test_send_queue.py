"""The outgoing queue is bounded while the link stalls: a real server that stops reading.

The server below does not read until told to: websockets stops reading the socket once a frame
is buffered (``max_queue=1``), the kernel buffers fill, the client's writer blocks, and frames
pile up in the client. Past the audio bound, microphone appends are dropped (counted, reported
once per stall, not shown as sent, not kept locally); other events still queue up to the hard
bound, past which ``send`` raises. When the server reads again, everything queued goes out.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import numpy as np
import pytest
from websockets.asyncio.server import ServerConnection, serve

from console.realtime import RealtimeClient
from console.realtime.send_queue import SendQueue, SendQueueFull
from tests.realtime.helpers import Recorder

AUDIO_BOUND = 256 * 1024
HARD_BOUND = 2 * 1024 * 1024
CHUNK = np.full(12_000, 1000, np.int16)  # 0.5 s: a 32 KB frame


class StallingServer:
    """Accepts a socket, reads nothing until ``resume``, then records every event's type."""

    def __init__(self) -> None:
        self.resume = asyncio.Event()
        self.received: list[str] = []
        self.marker_seen = asyncio.Event()
        self.url = ""

    async def handler(self, ws: ServerConnection) -> None:
        await self.resume.wait()
        async for frame in ws:
            event = json.loads(frame)
            self.received.append(event["type"])
            if event.get("item", {}).get("id") == "marker":
                self.marker_seen.set()


@pytest.fixture
async def stalling() -> AsyncIterator[StallingServer]:
    server = StallingServer()
    async with serve(server.handler, "127.0.0.1", 0, max_queue=1, max_size=None) as running:
        port = next(iter(running.sockets)).getsockname()[1]
        server.url = f"ws://127.0.0.1:{port}/v1/realtime"
        try:
            yield server
        finally:
            server.resume.set()  # a failed test must not leave the handler waiting forever


def marker() -> dict:
    return {"item": {"id": "marker", "type": "message", "role": "user", "content": []}}


async def test_a_stalled_link_drops_audio_past_the_bound_and_refuses_past_the_cap(
    stalling: StallingServer,
) -> None:
    client = RealtimeClient(url=stalling.url)
    client.realtime.max_queued_audio_bytes = AUDIO_BOUND
    client.realtime.max_queued_bytes = HARD_BOUND
    recorder = Recorder(client, "error")
    appends = Recorder(client.realtime, "client.input_audio_buffer.append")
    await client.connect()
    kept = 0
    for _ in range(2000):  # at most 1,000 s of audio: the kernel's buffers fill long before
        if client.append_input_audio(CHUNK):
            kept += 1
        await asyncio.sleep(0)  # let the writer run: it blocks once the server stops reading
        if client.dropped_input_audio_chunks >= 10:
            break
    dropped = client.dropped_input_audio_chunks
    assert dropped >= 10, "the link never stalled"
    assert client.realtime.queued_bytes <= AUDIO_BOUND + 40_000
    assert [e["error"]["code"] for e in recorder.events["error"]] == ["send_queue_full"]
    assert "stalled" in recorder.events["error"][0]["error"]["message"]
    assert len(appends.events["client.input_audio_buffer.append"]) == kept  # dropped: not shown
    assert client.input_audio_buffer.total_samples == kept * len(CHUNK)  # nor kept locally

    # Other events still queue, up to the hard bound; past it send raises and sends nothing.
    text = "x" * 100_000
    queued_items = 0
    with pytest.raises(SendQueueFull, match="stalled"):
        for _ in range(100):
            client.realtime.send("conversation.item.create", {"item": {"text": text}})
            queued_items += 1
    assert 0 < queued_items < 100
    assert client.realtime.queued_bytes <= HARD_BOUND
    assert len(recorder.events["error"]) == 1  # one report per stall

    # The server reads again: everything queued reaches it, in order, then the stall is over.
    stalling.resume.set()
    client.realtime.send("conversation.item.create", marker())
    await asyncio.wait_for(stalling.marker_seen.wait(), 10)
    assert stalling.received.count("input_audio_buffer.append") == kept
    assert stalling.received.count("conversation.item.create") == queued_items + 1
    assert client.realtime.queued_bytes == 0
    assert client.append_input_audio(CHUNK)
    await client.disconnect()


async def test_an_append_into_an_empty_queue_always_goes(stalling: StallingServer) -> None:
    """A whole clip larger than the audio bound is not dropped when nothing else waits."""
    stalling.resume.set()
    client = RealtimeClient(url=stalling.url)
    client.realtime.max_queued_audio_bytes = 64 * 1024
    await client.connect()
    client.realtime.send("conversation.item.create", marker())
    await asyncio.wait_for(stalling.marker_seen.wait(), 10)  # the session.update went too
    assert client.append_input_audio(np.zeros(96_000, np.int16))  # 4 s: a 256 KB frame
    assert client.dropped_input_audio_chunks == 0
    await client.disconnect()


def test_the_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="max_audio_bytes"):
        SendQueue(max_audio_bytes=0)
    with pytest.raises(ValueError, match="max_audio_bytes"):
        SendQueue(max_audio_bytes=2048, max_bytes=1024)
