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
are unchanged) and its work per frame is bounded (one RMS, a 100-value minimum, a gain ramp),
done in numpy for a whole append at once.
It removes steady noise between words, not noise under them: it is a gate, not a spectral
subtractor. Without noise reduction the audio is passed through untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

FRAME = 240  # 10 ms at 24 kHz
FLOOR_WINDOW_FRAMES = 100  # the floor is the quietest frame of the last second
KNEE_DB = (3.0, 9.0)  # above the floor: full attenuation below the first, none above the second
DEPTH_DB = {"near_field": 12.0, "far_field": 18.0}
SILENCE_DBFS = -100.0  # the level of digital silence (an RMS of 0)


class NoiseReducer:
    """One session's noise reduction state (recent frame levels, last gain); see the module."""

    def __init__(self) -> None:
        self._kind: str | None = None
        self._history = np.zeros(0)  # the levels of the last FLOOR_WINDOW_FRAMES - 1 frames
        self._gain = 1.0

    def process(self, pcm: np.ndarray, settings: dict[str, Any] | None) -> np.ndarray:
        """``pcm`` (24 kHz int16) with steady noise attenuated as ``settings`` (the session's
        ``noise_reduction``) say; the same array when noise reduction is off. Vectorised: a
        long append costs a few numpy passes, not a Python loop per frame."""
        kind = None if settings is None else str(settings.get("type"))
        if kind != self._kind:  # switched on, off or to another type: learn afresh
            self._kind = kind
            self._history = np.zeros(0)
            self._gain = 1.0
        if settings is None or not len(pcm):
            return pcm
        depth = DEPTH_DB.get(str(kind), DEPTH_DB["near_field"]) * float(
            settings.get("strength", 1.0)
        )
        levels = _frame_levels(pcm)
        # The floor of each frame: the quietest of it and the FLOOR_WINDOW_FRAMES - 1 before it.
        pad = np.full(max(0, FLOOR_WINDOW_FRAMES - 1 - len(self._history)), np.inf)
        seen = np.concatenate([pad, self._history, levels])
        floor = sliding_window_view(seen, FLOOR_WINDOW_FRAMES).min(axis=1)
        self._history = np.concatenate([self._history, levels])[-(FLOOR_WINDOW_FRAMES - 1) :]
        over = levels - floor
        share = np.clip((KNEE_DB[1] - over) / (KNEE_DB[1] - KNEE_DB[0]), 0.0, 1.0)
        gains = np.concatenate([[self._gain], 10.0 ** (-depth * share / 20.0)])
        self._gain = float(gains[-1])
        ends = np.minimum(np.arange(1, len(levels) + 1) * FRAME, len(pcm))
        per_sample = np.interp(np.arange(1, len(pcm) + 1), np.concatenate([[0], ends]), gains)
        cleaned: np.ndarray = np.clip(np.round(pcm * per_sample), -32768, 32767).astype(np.int16)
        return cleaned


def _frame_levels(pcm: np.ndarray) -> np.ndarray:
    """The dBFS level of each 10 ms frame of ``pcm`` (the last one may be shorter)."""
    samples = pcm.astype(np.float64)
    whole = len(samples) // FRAME * FRAME
    power = list(np.mean(samples[:whole].reshape(-1, FRAME) ** 2, axis=1)) if whole else []
    if whole < len(samples):
        power.append(float(np.mean(samples[whole:] ** 2)))
    rms = np.sqrt(np.asarray(power, dtype=np.float64))
    db = 20.0 * np.log10(np.maximum(rms, 1e-9) / 32768.0)
    levels: np.ndarray = np.maximum(db, SILENCE_DBFS)
    return levels
