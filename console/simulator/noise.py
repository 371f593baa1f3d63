"""Input noise reduction (``audio.input.noise_reduction``; beta ``input_audio_noise_reduction``).

The SDK says noise reduction "filters audio added to the input audio buffer before it is sent
to VAD and the model". The simulator does the same with a downward expander (a soft noise gate)
that learns the noise floor from the quietest frames:

- each 10 ms frame's level (RMS, dBFS) is measured; the floor is the quietest frame of the last
  :data:`FLOOR_WINDOW_FRAMES` (1 s; minimum statistics, so it follows a noise that changes, and
  speech, which has pauses, never becomes the floor for long);
- a frame within :data:`KNEE_DB` ``[0]`` dB of the floor is steady noise and is attenuated by the
  type's depth (``near_field`` 12 dB, ``far_field``, for distant microphones in noisier rooms,
  18 dB) times ``strength`` (default 1); a frame :data:`KNEE_DB` ``[1]`` dB or more above it is
  kept whole; in between the attenuation falls linearly;
- the gain moves linearly across each frame from the previous frame's, so it never clicks.

It adds no latency (every appended sample comes out at once, so buffer positions and VAD times
are unchanged) and its work per frame is bounded (one RMS, a 100-value minimum, a gain ramp).
It removes steady noise between words, not noise under them: it is a gate, not a spectral
subtractor. Without noise reduction the audio is passed through untouched.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

FRAME = 240  # 10 ms at 24 kHz
FLOOR_WINDOW_FRAMES = 100  # the floor is the quietest frame of the last second
KNEE_DB = (3.0, 9.0)  # above the floor: full attenuation below the first, none above the second
DEPTH_DB = {"near_field": 12.0, "far_field": 18.0}
SILENCE_DBFS = -100.0  # the level of digital silence (an RMS of 0)


def frame_level_db(frame: np.ndarray) -> float:
    """A frame's RMS level in dBFS (digital silence: :data:`SILENCE_DBFS`)."""
    if not len(frame):
        return SILENCE_DBFS
    rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
    return max(SILENCE_DBFS, 20.0 * float(np.log10(max(rms, 1e-9) / 32768.0)))


class NoiseReducer:
    """One session's noise reduction state (floor history, last gain); see the module."""

    def __init__(self) -> None:
        self._kind: str | None = None
        self._levels: deque[float] = deque(maxlen=FLOOR_WINDOW_FRAMES)
        self._gain = 1.0

    def process(self, pcm: np.ndarray, settings: dict[str, Any] | None) -> np.ndarray:
        """``pcm`` (24 kHz int16) with steady noise attenuated as ``settings`` (the session's
        ``noise_reduction``) say; the same array when noise reduction is off."""
        kind = None if settings is None else str(settings.get("type"))
        if kind != self._kind:  # switched on, off or to another type: learn afresh
            self._kind = kind
            self._levels.clear()
            self._gain = 1.0
        if settings is None or not len(pcm):
            return pcm
        depth = DEPTH_DB.get(str(kind), DEPTH_DB["near_field"]) * float(
            settings.get("strength", 1.0)
        )
        starts = list(range(0, len(pcm), FRAME))
        gains = np.empty(len(starts) + 1)
        gains[0] = self._gain
        for index, start in enumerate(starts):
            level = frame_level_db(pcm[start : start + FRAME])
            self._levels.append(level)
            over = level - min(self._levels)
            share = min(1.0, max(0.0, (KNEE_DB[1] - over) / (KNEE_DB[1] - KNEE_DB[0])))
            gains[index + 1] = 10.0 ** (-depth * share / 20.0)
        self._gain = float(gains[-1])
        ends = [min(start + FRAME, len(pcm)) for start in starts]
        per_sample = np.interp(np.arange(1, len(pcm) + 1), [0, *ends], gains)
        out = np.round(pcm.astype(np.float64) * per_sample)
        return np.clip(out, -32768, 32767).astype(np.int16)
