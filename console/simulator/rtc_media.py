"""A WebRTC call's audio edges: the codec's 48 kHz on the wire, the session's 24 kHz inside.

aiortc's Opus decoder hands over 48 kHz stereo frames; :class:`InboundAudio` turns them into the
mono 24 kHz int16 the engine takes. :class:`PlayoutTrack` is the call's outbound track: every
20 ms, in real time whatever the session's pace, it pulls 24 kHz samples from the call's
:class:`~.playout.Playout` (silence when idle) and hands a 48 kHz frame to aiortc's encoder.
Both resample with PyAV's ``AudioResampler`` (libswresample), one stateful resampler per
direction so frame edges carry no clicks.
"""

from __future__ import annotations

import asyncio
import fractions
import time

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .input_audio import SAMPLE_RATE
from .playout import Playout

WIRE_RATE = 48000
FRAME_MS = 20
ENGINE_FRAME = SAMPLE_RATE * FRAME_MS // 1000  # 480 samples at 24 kHz
WIRE_FRAME = WIRE_RATE * FRAME_MS // 1000  # 960 samples at 48 kHz
MAX_LAG_S = 0.2  # further behind than this (a stalled loop): restart the clock, no burst
_TIME_BASE = fractions.Fraction(1, WIRE_RATE)


class InboundAudio:
    """The client's decoded frames → mono 24 kHz int16."""

    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def convert(self, frame: av.AudioFrame) -> np.ndarray:
        """One frame's audio at 24 kHz (may be empty while the resampler fills)."""
        parts = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        if not parts:
            return np.zeros(0, np.int16)
        return np.concatenate(parts).astype(np.int16, copy=False)


class PlayoutTrack(MediaStreamTrack):
    """The call's outbound audio: 20 ms 48 kHz mono frames from a :class:`Playout`."""

    kind = "audio"

    def __init__(self, playout: Playout) -> None:
        super().__init__()
        self._playout = playout
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=WIRE_RATE)
        self._spill = np.zeros(0, np.int16)  # 48 kHz samples resampled beyond the last frame
        self._start: float | None = None
        self._pts = 0  # 48 kHz samples sent
        self._clock = 0  # 48 kHz samples since the clock (re)started

    async def recv(self) -> av.AudioFrame:
        """The next frame, when it is due (aiortc's sender calls this in a loop)."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None or now - self._due() > MAX_LAG_S:
            self._start, self._clock = now, 0
        else:
            wait = self._due() - now
            if wait > 0:
                await asyncio.sleep(wait)
        pcm = await self._playout.pull(ENGINE_FRAME)
        if self.readyState != "live":
            raise MediaStreamError
        frame = av.AudioFrame.from_ndarray(self._upsample(pcm).reshape(1, -1), "s16", "mono")
        frame.sample_rate = WIRE_RATE
        frame.pts = self._pts
        frame.time_base = _TIME_BASE
        self._pts += WIRE_FRAME
        self._clock += WIRE_FRAME
        return frame

    def stop(self) -> None:
        """End the track (hangup)."""
        super().stop()
        self._playout.close()

    def _due(self) -> float:
        assert self._start is not None
        return self._start + self._clock / WIRE_RATE

    def _upsample(self, pcm: np.ndarray) -> np.ndarray:
        """24 kHz → exactly one 48 kHz frame; the resampler's start-up delay (a few samples,
        once) is filled with silence at the front."""
        src = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), "s16", "mono")
        src.sample_rate = SAMPLE_RATE
        parts = [self._spill, *(f.to_ndarray().reshape(-1) for f in self._resampler.resample(src))]
        out = np.concatenate(parts).astype(np.int16, copy=False)
        if len(out) < WIRE_FRAME:
            out = np.concatenate([np.zeros(WIRE_FRAME - len(out), np.int16), out])
        self._spill = out[WIRE_FRAME:]
        return out[:WIRE_FRAME]
