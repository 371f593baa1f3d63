"""Level and spectrum maths for the audio meter: RMS and peak in dBFS, and voice-band bars.

The bars follow OpenAI's browser console (wavtools ``AudioAnalysis.getFrequencies`` in "voice"
mode, drawn by ``WavRenderer.drawBars``): FFT magnitudes in dB, bucketed into musical-note
bands from 32 Hz to 2 kHz (each band keeps its loudest bin), normalised from -100..-30 dB to
0..1, then reduced to ``n_bars`` taking the peak per group. Differences: a Hann window instead
of the Web Audio analyser's Blackman; magnitudes scaled so a full-scale sine reads 0 dB; each
band is centred on its note (half a semitone either side) where wavtools starts it at the note,
so a 440 Hz tone lands in the A4 band, not half in G#4; bins above the top band are left out
(wavtools lumps everything above 2 kHz into the last band).

``push`` is O(len) with a cap (only the last ``window`` samples are kept, in a fixed ring), so
the audio callback stays cheap; ``levels`` does the FFT at most once per push. After audio stops
the levels hold for ``decay_after`` seconds, then fall by ``decay`` dB per second, and
``is_active`` turns false so the widget can stop redrawing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from console.realtime.utils import AudioFormatError, Int16Array, base64_to_pcm16, empty_pcm16

FLOOR_DB = -100.0
"""What silence reads, and the bottom of the bars' range."""
TOP_DB = -30.0
"""The top of the bars' range (wavtools' ``maxDecibels``): louder reads as a full bar."""
VOICE_RANGE_HZ = (32.0, 2000.0)
_FULL_SCALE = 32768.0


def note_frequencies(
    low: float = VOICE_RANGE_HZ[0], high: float = VOICE_RANGE_HZ[1]
) -> list[float]:
    """Equal-tempered note frequencies (A4 = 440 Hz) strictly between ``low`` and ``high``."""
    notes = (440.0 * 2.0 ** ((midi - 69) / 12.0) for midi in range(0, 128))
    return [f for f in notes if low < f < high]


def pcm16_from_base64(text: Any) -> Int16Array:
    """Samples of base64 PCM16 (an audio delta); an empty array for anything undecodable."""
    if not isinstance(text, str):
        return empty_pcm16()
    try:
        return base64_to_pcm16(text)
    except AudioFormatError:
        return empty_pcm16()


def _dbfs(value: float) -> float:
    return FLOOR_DB if value <= 0.0 else max(FLOOR_DB, 20.0 * math.log10(value))


@dataclass(frozen=True)
class Levels:
    """Levels of the latest window: RMS and peak in dBFS, and bars in 0..1 (low to high)."""

    rms_dbfs: float
    peak_dbfs: float
    bands: tuple[float, ...]


class LevelMeter:
    """A ring of the last ``window`` samples and the levels of it, for one audio stream."""

    def __init__(
        self,
        sample_rate: int = 24_000,
        window: int = 2048,
        *,
        n_bars: int = 16,
        decay: float = 60.0,
        decay_after: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``decay`` is in dB per second, applied ``decay_after`` seconds after the last push."""
        self.band_frequencies = note_frequencies()
        if window < 16:
            raise ValueError(f"the window must be at least 16 samples, not {window}")
        if not 1 <= n_bars <= len(self.band_frequencies):
            raise ValueError(f"n_bars must be 1..{len(self.band_frequencies)}, not {n_bars}")
        if sample_rate <= 0 or decay <= 0:
            raise ValueError("sample_rate and decay must be positive")
        self.sample_rate = sample_rate
        self.window = window
        self.n_bars = n_bars
        self.decay = decay
        self.decay_after = decay_after
        self._clock = clock
        self._ring = np.zeros(window, dtype=np.int16)
        self._pos = 0
        self._filled = 0
        self._pushes = 0
        self._last_push: float | None = None
        self._cache: tuple[int, float, float, npt.NDArray[np.float64]] | None = None
        self._hann = np.hanning(window)
        self._hann_gain = 2.0 / float(self._hann.sum())
        self._plan_bands()

    def _plan_bands(self) -> None:
        """Which FFT bins feed which note band, and which bands feed which bar (done once)."""
        notes = np.asarray(self.band_frequencies)
        edges = np.append(notes, notes[-1] * 2.0 ** (1.0 / 12.0)) * 2.0 ** (-1.0 / 24.0)
        bins = np.arange(self.window // 2 + 1) * (self.sample_rate / self.window)
        band_of_bin = np.searchsorted(edges, bins, side="right") - 1
        used = np.nonzero((band_of_bin >= 0) & (band_of_bin < len(notes)))[0]
        self._bin_range = (int(used[0]), int(used[-1]) + 1) if len(used) else (0, 0)
        bands = band_of_bin[self._bin_range[0] : self._bin_range[1]]
        self._band_ids, self._band_starts = np.unique(bands, return_index=True)
        n = len(notes)
        group = (np.arange(n) * self.n_bars) // n  # wavtools' normalizeArray grouping
        self._bar_starts = np.searchsorted(group, np.arange(self.n_bars), side="left")

    # -- input -----------------------------------------------------------------------------

    def push(self, samples: npt.NDArray[Any], now: float | None = None) -> None:
        """Take new samples (int16; floats in -1..1 are scaled); keeps at most ``window``."""
        flat = np.asarray(samples).reshape(-1)
        if not len(flat):
            return
        tail = flat[-self.window :]
        if tail.dtype != np.int16:
            if np.issubdtype(tail.dtype, np.floating):
                tail = np.clip(np.nan_to_num(tail) * 32767.0, -32768, 32767).astype(np.int16)
            else:
                tail = np.clip(tail, -32768, 32767).astype(np.int16)
        n, pos, ring = len(tail), self._pos, self._ring
        end = pos + n
        if end <= self.window:
            ring[pos:end] = tail
        else:
            first = self.window - pos
            ring[pos:] = tail[:first]
            ring[: n - first] = tail[first:]
        self._pos = end % self.window
        self._filled = min(self.window, self._filled + n)
        self._pushes += 1
        self._last_push = self._clock() if now is None else now

    def reset(self) -> None:
        """Forget every sample: the meter reads silence and is idle."""
        self._ring.fill(0)
        self._pos = self._filled = 0
        self._pushes += 1
        self._last_push = None
        self._cache = None

    @property
    def last_push_time(self) -> float | None:
        """The clock's time of the latest push, or ``None`` if none since the start or reset."""
        return self._last_push

    # -- output ----------------------------------------------------------------------------

    def latest_window(self) -> Int16Array:
        """The kept samples, oldest first (at most ``window``)."""
        if self._filled < self.window:
            return self._ring[: self._filled].copy()
        return np.concatenate((self._ring[self._pos :], self._ring[: self._pos]))

    def band_db(self) -> npt.NDArray[np.float64]:
        """The loudest bin of each note band in dB (``band_frequencies`` order), undecayed."""
        return self._analyse()[2].copy()

    def _analyse(self) -> tuple[float, float, npt.NDArray[np.float64]]:
        if self._cache is not None and self._cache[0] == self._pushes:
            return self._cache[1:]
        band_db = np.full(len(self.band_frequencies), FLOOR_DB)
        if not self._filled:
            result = (FLOOR_DB, FLOOR_DB, band_db)
        else:
            recent = self.latest_window().astype(np.float64) / _FULL_SCALE
            rms = _dbfs(math.sqrt(float(np.mean(recent * recent))))
            peak = _dbfs(float(np.max(np.abs(recent))))
            padded = np.zeros(self.window)  # a partial window sits in the middle of the taper
            start = (self.window - len(recent)) // 2
            padded[start : start + len(recent)] = recent
            magnitude = np.abs(np.fft.rfft(padded * self._hann)) * self._hann_gain
            lo, hi = self._bin_range
            if hi > lo:
                db = 20.0 * np.log10(np.maximum(magnitude[lo:hi], 1e-12))
                maxima = np.maximum.reduceat(db, self._band_starts)
                band_db[self._band_ids] = np.maximum(maxima, FLOOR_DB)
            result = (rms, peak, band_db)
        self._cache = (self._pushes, *result)
        return result

    def levels(self, now: float | None = None) -> Levels:
        """Levels of the latest window, decayed if no audio came for ``decay_after`` seconds."""
        rms, peak, band_db = self._analyse()
        fall = 0.0
        if self._last_push is not None:
            now = self._clock() if now is None else now
            fall = max(0.0, now - self._last_push - self.decay_after) * self.decay
        scaled = np.clip((band_db - fall - FLOOR_DB) / (TOP_DB - FLOOR_DB), 0.0, 1.0)
        bars = np.maximum.reduceat(scaled, self._bar_starts)
        return Levels(
            rms_dbfs=max(FLOOR_DB, rms - fall),
            peak_dbfs=max(FLOOR_DB, peak - fall),
            bands=tuple(float(v) for v in bars),
        )

    def is_active(self, now: float | None = None, hold: float = 0.5) -> bool:
        """Whether the meter still moves: audio within ``hold`` s, or levels not yet decayed."""
        if self._last_push is None:
            return False
        now = self._clock() if now is None else now
        if now - self._last_push <= hold:
            return True
        shown = self.levels(now)
        return shown.peak_dbfs > FLOOR_DB or any(shown.bands)

    @property
    def idle(self) -> bool:
        """``not is_active()`` at the clock's now: the widget may stop redrawing."""
        return not self.is_active()
