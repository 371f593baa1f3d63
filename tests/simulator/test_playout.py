"""The WebRTC output buffer on its own: its bound and the events it owes."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from console.simulator.conversation import Conversation
from console.simulator.playout import Playout


class Recorder:
    """A session stand-in that records what the buffer sends."""

    def __init__(self) -> None:
        self.conversation = Conversation()
        self.sent: list[dict[str, Any]] = []

    async def emit(self, event_type: str, **fields: Any) -> None:
        self.sent.append({"type": event_type, **fields})


async def test_the_buffer_is_bounded_and_writers_wait() -> None:
    host = Recorder()
    playout = Playout(host, max_queued_s=0.1)
    await playout.write("resp_1", "item_1", 0, np.ones(2400, np.int16))
    assert playout.queued_ms == 100
    second = asyncio.ensure_future(playout.write("resp_1", "item_1", 0, np.ones(480, np.int16)))
    done, _ = await asyncio.wait({second}, timeout=0.05)
    assert not done and playout.queued_ms == 100  # full: the generator waits
    await playout.pull(480)
    await asyncio.wait_for(second, 1)
    assert playout.queued_ms == 100
    assert [e["type"] for e in host.sent] == ["output_audio_buffer.started"]


async def test_stopped_after_the_end_and_the_last_sample() -> None:
    host = Recorder()
    playout = Playout(host)
    await playout.write("resp_1", "item_1", 0, np.ones(960, np.int16))
    await playout.end("resp_1")
    await playout.pull(480)
    assert [e["type"] for e in host.sent] == ["output_audio_buffer.started"]
    silence_after = await playout.pull(960)
    assert [e["type"] for e in host.sent][-1] == "output_audio_buffer.stopped"
    assert not silence_after[480:].any()
    assert not playout.holds("resp_1")


async def test_a_closed_buffer_releases_its_writer() -> None:
    playout = Playout(Recorder(), max_queued_s=0.02)
    await playout.write("resp_1", "item_1", 0, np.ones(480, np.int16))
    waiting = asyncio.ensure_future(playout.write("resp_1", "item_1", 0, np.ones(480, np.int16)))
    await asyncio.wait({waiting}, timeout=0.02)
    playout.close()
    await asyncio.wait_for(waiting, 1)
    assert playout.queued_ms == 0
