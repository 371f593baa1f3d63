"""What the microphone sent beside what the server kept: levels, alignment and a level strip.

Pure numpy on 24 kHz int16 clips, no state. ``align`` finds where the server's clip starts in
what was sent by cross-correlation (FFT), bounded: at most ``ALIGN_SECONDS`` of each clip,
decimated to 8 kHz, so an audit costs a few milliseconds whatever the clips' length. A weak
peak (noise, silence, or audio that is not the same speech) gives no offset rather than a
wrong one.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from console.realtime.utils import SAMPLE_RATE, Int16Array

FLOOR_DBFS = -100.0
ALIGN_SECONDS = 10.0
"""Audio of each clip the cross-correlation looks at (from its start)."""
ALIGN_DECIMATION = 3
"""24 kHz to 8 kHz for the correlation: speech's envelope and pitch survive, the cost is a ninth."""
MIN_CORRELATION = 0.3
"""Below this normalised peak the clips are not taken as the same audio."""


@dataclass(frozen=True)
class ClipLevels:
    """A clip's length and levels (RMS and peak in dBFS; full-scale sine RMS reads -3 dB)."""

    samples: int
    rms_dbfs: float
    peak_dbfs: float

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE

    def describe(self) -> str:
        """``1.52 s · RMS -23.4 dBFS · peak -6.1 dBFS``."""
        return (
            f"{self.seconds:.2f} s · RMS {self.rms_dbfs:.1f} dBFS · peak {self.peak_dbfs:.1f} dBFS"
        )


@dataclass(frozen=True)
class Alignment:
    """Where the server's clip starts in the sent one: ``offset_samples`` (negative: it starts
    before what was sent, i.e. the server kept audio the sent clip lacks) and the peak's
    normalised correlation (0..1)."""

    offset_samples: int
    correlation: float

    @property
    def offset_ms(self) -> int:
        return round(self.offset_samples * 1000 / SAMPLE_RATE)


def _dbfs(value: float) -> float:
    return FLOOR_DBFS if value <= 0.0 else max(FLOOR_DBFS, 20.0 * math.log10(value))


def clip_levels(samples: Int16Array) -> ClipLevels:
    """Length, RMS and peak of a whole clip (float32 dot product: 2 minutes in a few ms)."""
    if not len(samples):
        return ClipLevels(0, FLOOR_DBFS, FLOOR_DBFS)
    values = samples.astype(np.float32)
    rms = math.sqrt(float(np.dot(values, values)) / len(values)) / 32768.0
    peak = max(int(samples.max()), -int(samples.min())) / 32768.0
    return ClipLevels(len(samples), _dbfs(rms), _dbfs(peak))


def _prepared(samples: Int16Array) -> npt.NDArray[np.float32]:
    head = samples[: int(ALIGN_SECONDS * SAMPLE_RATE) : ALIGN_DECIMATION].astype(np.float32)
    return head - head.mean() if len(head) else head


def align(sent: Int16Array, heard: Int16Array) -> Alignment | None:
    """Where ``heard`` starts within ``sent`` (full cross-correlation), or None if the clips are
    too short or do not match (peak below ``MIN_CORRELATION``)."""
    a, b = _prepared(sent), _prepared(heard)
    if len(a) < 8 or len(b) < 8:
        return None
    energy = math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b)))
    if energy <= 0.0:
        return None
    size = 1 << (len(a) + len(b) - 1).bit_length()
    spectrum = np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size))
    correlation = np.fft.irfft(spectrum, size)
    # Lag k >= 0 sits at index k; negative lags wrap to the end of the array.
    lags = np.concatenate([correlation[: len(a)], correlation[size - len(b) + 1 :]])
    offsets = np.concatenate([np.arange(len(a)), np.arange(-len(b) + 1, 0)])
    best = int(np.argmax(lags))
    peak = float(lags[best]) / energy
    if peak < MIN_CORRELATION:
        return None
    return Alignment(int(offsets[best]) * ALIGN_DECIMATION, min(1.0, peak))


def level_profile(samples: Int16Array, start: int, span: int, columns: int) -> list[float | None]:
    """RMS dBFS of ``samples`` placed at ``start`` on a timeline of ``span`` samples cut into
    ``columns``; None where the clip has no audio (the strip shows a gap there)."""
    if columns <= 0 or span <= 0:
        return []
    edges = [column * span // columns - start for column in range(columns + 1)]
    values = samples.astype(np.float32)
    out: list[float | None] = []
    for lo, hi in itertools.pairwise(edges):
        lo, hi = max(lo, 0), min(hi, len(values))
        if hi <= lo:
            out.append(None)
            continue
        segment = values[lo:hi]
        out.append(_dbfs(math.sqrt(float(np.dot(segment, segment)) / (hi - lo)) / 32768.0))
    return out
