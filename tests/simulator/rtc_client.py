"""An independent WebRTC client for the simulator's calls: plain aiortc, not console.realtime.

It offers an ``oai-events`` data channel and one audio track (a 440 Hz tone on demand, silence
otherwise), records every server event, and measures the level of the audio it receives.
"""

from __future__ import annotations

import asyncio
import fractions
import json
import math
import time
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

RATE = 48000
FRAME = 960  # 20 ms


class ToneTrack(MediaStreamTrack):
    """A microphone stand-in: silence, or a 440 Hz sine (-10 dBFS) while :meth:`play` runs."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._tone_left = 0  # samples of tone still to send
        self._phase = 0
        self._start: float | None = None
        self._sent = 0

    def play(self, seconds: float) -> None:
        """Send the tone for ``seconds``, then silence again."""
        self._tone_left = int(seconds * RATE)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:  # the media clock: one frame every 20 ms
            delay = self._start + self._sent / RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        n = np.arange(self._phase, self._phase + FRAME)
        pcm = np.zeros(FRAME, np.int16)
        if self._tone_left > 0:
            pcm = (np.sin(2 * np.pi * 440 * n / RATE) * 0.316 * 32767).astype(np.int16)
            self._tone_left -= FRAME
        self._phase += FRAME
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), "s16", "mono")
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += FRAME
        return frame


class RtcClient:
    """One call from the client's side."""

    def __init__(self, *, audio: bool = True) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.channel = self.pc.createDataChannel("oai-events")
        self.mic = ToneTrack() if audio else None
        if self.mic is not None:
            self.pc.addTrack(self.mic)
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self.loud = asyncio.Event()  # a received frame above -40 dBFS
        self.peak_dbfs = -math.inf
        self.opened = asyncio.Event()
        self.closed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.channel.on("open", self.opened.set)
        self.channel.on("close", self.closed.set)
        self.channel.on("message", self._on_message)
        self.pc.on("track", self._on_track)

    async def offer(self) -> str:
        """The SDP offer (ICE gathered)."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer_sdp: str) -> None:
        """Apply the server's answer and wait for the data channel."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
        await asyncio.wait_for(self.opened.wait(), 10)

    def send(self, event: dict[str, Any]) -> None:
        """Send a client event on the data channel."""
        self.channel.send(json.dumps(event))

    def types(self) -> list[str]:
        """The types of every event received so far, in order."""
        return [e["type"] for e in self.events]

    async def wait_for(
        self, event_type: str, count: int = 1, timeout: float = 10
    ) -> dict[str, Any]:
        """The ``count``-th event of ``event_type`` (waiting for it)."""

        def found() -> list[dict[str, Any]]:
            return [e for e in self.events if e["type"] == event_type]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(found()) >= count), timeout)
        return found()[count - 1]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.pc.close()

    def _on_message(self, message: str | bytes) -> None:
        self.events.append(json.loads(message))
        task = asyncio.ensure_future(self._notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.ensure_future(self._listen(track))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.AudioFrame)
            pcm = frame.to_ndarray().astype(np.float64) / 32768
            rms = float(np.sqrt(np.mean(pcm**2))) if pcm.size else 0.0
            level = 20 * math.log10(rms) if rms > 0 else -math.inf
            self.peak_dbfs = max(self.peak_dbfs, level)
            if level > -40:
                self.loud.set()
