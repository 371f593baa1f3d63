"""Audio at the WebRTC edge: the library's 24 kHz int16 mono on one side, the call's 48 kHz
Opus on the other (aiortc encodes and decodes Opus; PyAV's resampler converts the rates).

``OutboundAudioTrack`` is the microphone track of the offer: ``push`` takes 24 kHz audio,
the track hands aiortc 20 ms frames at 48 kHz in real time (a frame of audio as soon as it is
whole, at most ``MAX_AHEAD_FRAMES`` ahead of the clock), and silence while nothing waits (a
call's track never pauses). What waits is bounded: past ``max_seconds`` the oldest audio goes
and is counted in ``dropped_samples``. ``InboundAudio`` turns each received frame (48 kHz, often
stereo) into 24 kHz mono int16.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
from collections import deque

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .utils import Int16Array

CALL_RATE = 48_000
"""The Opus codec's rate: what goes on and comes off the call's tracks."""
ENGINE_RATE = 24_000
"""The library's rate (``RealtimeClient`` audio everywhere else)."""
FRAME_SAMPLES = CALL_RATE // 50
"""20 ms at 48 kHz: one RTP packet's worth."""
FRAME_SECONDS = FRAME_SAMPLES / CALL_RATE
MAX_AHEAD_FRAMES = 3
"""How far the track may run ahead of its clock: a microphone burst after a stall (the loop
busy, the sound card late) is sent at once instead of adding a frame of delay for good."""


def _frame_array(frame: av.AudioFrame) -> Int16Array:
    """A resampled frame's samples, 1-D int16."""
    return np.ascontiguousarray(frame.to_ndarray().reshape(-1), dtype=np.int16)


class OutboundAudioTrack(MediaStreamTrack):
    """The caller's audio track: 24 kHz in, paced 20 ms 48 kHz frames out."""

    kind = "audio"

    def __init__(self, max_seconds: float = 2.0) -> None:
        super().__init__()
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=CALL_RATE)
        self._chunks: deque[Int16Array] = deque()
        self._pending = np.zeros(0, dtype=np.int16)
        self._queued = 0
        self._max_samples = int(max_seconds * CALL_RATE)
        self._start = 0.0
        self._timestamp: int | None = None
        self._arrived = asyncio.Event()
        self.dropped_samples = 0
        """48 kHz samples dropped because more than ``max_seconds`` waited to be sent."""
        self.sent_frames = 0

    @property
    def queued_samples(self) -> int:
        """48 kHz samples waiting to be sent."""
        return self._queued + len(self._pending)

    def push(self, samples_24k: Int16Array) -> None:
        """Queue 24 kHz mono int16 audio for the call (resampled here, sent in real time)."""
        if not len(samples_24k):
            return
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples_24k, dtype=np.int16).reshape(1, -1),
            format="s16",
            layout="mono",
        )
        frame.sample_rate = ENGINE_RATE
        resampled = [_frame_array(f) for f in self._resampler.resample(frame)]
        if not resampled:
            return
        data = np.concatenate([self._pending, *resampled])
        whole = len(data) - len(data) % FRAME_SAMPLES
        for start in range(0, whole, FRAME_SAMPLES):
            self._chunks.append(data[start : start + FRAME_SAMPLES])
            self._queued += FRAME_SAMPLES
        self._pending = data[whole:]
        if whole:
            self._arrived.set()
        while self._queued > self._max_samples:
            self._chunks.popleft()
            self._queued -= FRAME_SAMPLES
            self.dropped_samples += FRAME_SAMPLES

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms frame, at its real-time moment (aiortc's sender calls this in a loop)."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._timestamp is None:
            self._start, self._timestamp = time.monotonic(), 0
        else:
            self._timestamp += FRAME_SAMPLES
            due = self._start + self._timestamp / CALL_RATE
            early = due - time.monotonic() - MAX_AHEAD_FRAMES * FRAME_SECONDS
            if early > 0:
                await asyncio.sleep(early)  # media pacing: never more than a few frames ahead
            wait = due - time.monotonic()
            if wait > 0 and not self._chunks:
                # Media pacing on the RTP clock, cut short when audio arrives: a frame is sent
                # as soon as it is whole, up to MAX_AHEAD_FRAMES early (the receiver's jitter
                # buffer absorbs that), so the microphone does not wait for the next tick.
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), wait)
        if self._chunks:
            samples = self._chunks.popleft()
            self._queued -= FRAME_SAMPLES
        else:
            samples = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.pts = self._timestamp
        frame.sample_rate = CALL_RATE
        frame.time_base = fractions.Fraction(1, CALL_RATE)
        self.sent_frames += 1
        return frame


class InboundAudio:
    """Converts the received track's frames to the library's 24 kHz mono int16."""

    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=ENGINE_RATE)

    def convert(self, frame: av.AudioFrame) -> Int16Array:
        """One received frame (any rate and layout) as 24 kHz mono int16 (may be empty)."""
        frame.pts = None  # the resampler keeps its own timeline; RTP gaps are not ours to fill
        parts = [_frame_array(f) for f in self._resampler.resample(frame)]
        if not parts:
            return np.zeros(0, dtype=np.int16)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)
