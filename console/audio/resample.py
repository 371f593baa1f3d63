"""Rate, channel and format conversion between devices and the Realtime API, with soxr.

Devices run at their own rate and channel count (44.1 kHz stereo, 48 kHz mono...); the API
speaks 24 kHz mono PCM16 (or 8 kHz G.711). Each stream gets its own ``soxr.ResampleStream`` so
block boundaries are seamless (resampling blocks one by one would click at every boundary):

- ``InputConverter``: capture blocks (float or int16, any rate and channels) to 24 kHz mono int16;
- ``OutputConverter``: 24 kHz mono int16 to the device's rate and channels, as float32;
- ``Chunker``: regroups samples into fixed chunks (the 20 to 40 ms appends the server wants);
- ``resample``: a whole clip at once (a WAV file);
- ``encode_audio`` / ``decode_audio``: 24 kHz PCM16 to and from a session's audio format
  (``audio/pcm``, ``audio/pcmu``, ``audio/pcma`` or beta's names), G.711 at 8 kHz.

Integer samples map to floats by dividing by 32768 and back by multiplying, rounding and
clipping, so int16 → float → int16 is exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from console.realtime.g711 import G711_RATE, alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from console.realtime.utils import SAMPLE_RATE, Int16Array, pcm16_from_bytes, pcm16_to_bytes

Float32Array = npt.NDArray[np.float32]
QUALITY = "LQ"
"""soxr's quality for live streams: LQ holds back 1 to 6 ms (HQ and MQ hold 25 to 37 ms in
streaming, which would add to every latency); its error on a tone stays over 50 dB below it."""


def to_float32(block: npt.NDArray[Any]) -> Float32Array:
    """Samples as float32 in [-1, 1]: int16 (or other ints) scaled by 1/32768, floats as is."""
    array = np.asarray(block)
    if np.issubdtype(array.dtype, np.integer):
        scale = 32768.0 if array.dtype.itemsize <= 2 else float(2 ** (8 * array.dtype.itemsize - 1))
        return (array.astype(np.float32) / np.float32(scale)).astype(np.float32)
    return array.astype(np.float32, copy=False)


def float_to_int16(samples: npt.NDArray[Any]) -> Int16Array:
    """Float samples in [-1, 1] to int16, rounded and clipped (the inverse of ``to_float32``)."""
    scaled = np.rint(np.nan_to_num(np.asarray(samples, dtype=np.float32)) * np.float32(32768.0))
    clipped: Int16Array = np.clip(scaled, -32768, 32767).astype(np.int16)
    return clipped


def to_mono(block: npt.NDArray[Any], channels: int) -> Float32Array:
    """A block of ``(frames, channels)`` (or flat interleaved) samples, averaged to mono float32."""
    floats = to_float32(block)
    if channels <= 1:
        return floats.reshape(-1)
    mono: Float32Array = floats.reshape(-1, channels).mean(axis=1, dtype=np.float32)
    return mono


def _resampler(in_rate: float, out_rate: float) -> Any:
    """A mono float32 ``soxr.ResampleStream``, or None when the rates are equal."""
    if in_rate == out_rate:
        return None
    return soxr.ResampleStream(in_rate, out_rate, 1, dtype="float32", quality=QUALITY)


class InputConverter:
    """Capture blocks at ``in_rate`` with ``channels`` to mono int16 at ``out_rate`` (24 kHz)."""

    def __init__(self, in_rate: float, channels: int = 1, out_rate: int = SAMPLE_RATE) -> None:
        self.in_rate = float(in_rate)
        self.channels = max(1, int(channels))
        self.out_rate = int(out_rate)
        self._stream: Any = (
            None
            if self.in_rate == self.out_rate
            else soxr.ResampleStream(
                self.in_rate, self.out_rate, 1, dtype="float32", quality=QUALITY
            )
        )

    def convert(self, block: npt.NDArray[Any], last: bool = False) -> Int16Array:
        """The converted samples available so far (a resampler holds back a few ms)."""
        array = np.asarray(block)
        if self._stream is None and self.channels == 1 and array.dtype == np.int16:
            return array.reshape(-1).copy()
        mono = to_mono(array, self.channels)
        if self._stream is not None:
            mono = self._stream.resample_chunk(mono, last=last)
        return float_to_int16(mono)

    def flush(self) -> Int16Array:
        """The samples the resampler still holds (at the end of a stream); then start afresh."""
        if self._stream is None:
            return np.zeros(0, dtype=np.int16)
        tail = self.convert(np.zeros(0, dtype=np.float32), last=True)
        self._stream.clear()
        return tail


class OutputConverter:
    """Mono int16 at ``in_rate`` (24 kHz) to float32 ``(frames, channels)`` at ``out_rate``."""

    def __init__(self, out_rate: float, channels: int = 1, in_rate: int = SAMPLE_RATE) -> None:
        self.out_rate = float(out_rate)
        self.channels = max(1, int(channels))
        self.in_rate = int(in_rate)
        self._stream: Any = (
            None
            if self.in_rate == self.out_rate
            else soxr.ResampleStream(
                self.in_rate, self.out_rate, 1, dtype="float32", quality=QUALITY
            )
        )

    @property
    def ratio(self) -> float:
        """Output samples per input sample."""
        return self.out_rate / self.in_rate

    def convert(self, samples: npt.NDArray[Any]) -> Float32Array:
        """Device-ready frames for these samples (fewer at first: the resampler's delay)."""
        mono = to_float32(np.asarray(samples).reshape(-1))
        if self._stream is not None:
            mono = self._stream.resample_chunk(mono)
        if self.channels == 1:
            return mono.reshape(-1, 1)
        return np.repeat(mono.reshape(-1, 1), self.channels, axis=1)

    def reset(self) -> None:
        """Forget what the resampler holds (after an interruption)."""
        if self._stream is not None:
            self._stream.clear()


class Chunker:
    """Regroups int16 samples into chunks of ``min_size`` to ``max_size`` samples.

    A chunk leaves as soon as ``min_size`` samples are there (no waiting for a fixed size that
    a resampler's uneven output would miss by a sample); more than ``max_size`` is cut.
    """

    def __init__(self, min_size: int, max_size: int | None = None) -> None:
        if min_size <= 0:
            raise ValueError("chunk size must be positive")
        self.min_size = min_size
        self.max_size = max(min_size, max_size or min_size)
        self._pending: list[Int16Array] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def push(self, samples: Int16Array) -> list[Int16Array]:
        """Add samples; return the chunks now ready."""
        if len(samples):
            self._pending.append(samples)
            self._count += len(samples)
        if self._count < self.min_size:
            return []
        joined = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        self._pending, self._count = [], 0
        chunks = []
        start = 0
        while len(joined) - start > self.max_size:
            chunks.append(joined[start : start + self.max_size])
            start += self.max_size
        rest = joined[start:]
        if len(rest) >= self.min_size:
            chunks.append(rest)
        elif len(rest):
            self._pending, self._count = [rest], len(rest)
        return chunks

    def flush(self) -> Int16Array:
        """What is left (shorter than a chunk), emptying the chunker."""
        rest = np.concatenate(self._pending) if self._pending else np.zeros(0, dtype=np.int16)
        self._pending, self._count = [], 0
        return rest

    def clear(self) -> None:
        """Drop what is pending."""
        self._pending, self._count = [], 0


def resample(
    samples: npt.NDArray[Any], in_rate: float, channels: int = 1, out_rate: int = SAMPLE_RATE
) -> Int16Array:
    """A whole clip (float or int, ``(frames, channels)`` or flat) to mono int16 at ``out_rate``."""
    mono = to_mono(samples, channels)
    if float(in_rate) != out_rate and len(mono):
        mono = soxr.resample(mono, in_rate, out_rate, quality="VHQ")
    return float_to_int16(mono)


_FORMATS = {
    "audio/pcm": "pcm",
    "pcm16": "pcm",
    "audio/pcmu": "pcmu",
    "g711_ulaw": "pcmu",
    "audio/pcma": "pcma",
    "g711_alaw": "pcma",
}


def _kind(audio_format: str | dict[str, Any] | None) -> str:
    name = audio_format.get("type") if isinstance(audio_format, dict) else audio_format
    kind = _FORMATS.get(str(name or "audio/pcm"))
    if kind is None:
        raise ValueError(f"unknown audio format {name!r}")
    return kind


def encode_audio(samples: Int16Array, audio_format: str | dict[str, Any] | None) -> bytes:
    """24 kHz PCM16 as the bytes a session with ``audio_format`` expects (G.711: 8 kHz).

    For a stream, resample to 8 kHz with an ``InputConverter(..., out_rate=8000)`` and call
    ``ulaw_encode``/``alaw_encode`` on its output instead: this function resamples per call.
    """
    kind = _kind(audio_format)
    if kind == "pcm":
        return pcm16_to_bytes(samples)
    narrow = resample(samples, SAMPLE_RATE, 1, G711_RATE)
    return ulaw_encode(narrow) if kind == "pcmu" else alaw_encode(narrow)


def decode_audio(data: bytes, audio_format: str | dict[str, Any] | None) -> Int16Array:
    """Bytes of a session's audio format back to 24 kHz PCM16 (G.711 is upsampled from 8 kHz)."""
    kind = _kind(audio_format)
    if kind == "pcm":
        return pcm16_from_bytes(data)
    narrow = ulaw_decode(data) if kind == "pcmu" else alaw_decode(data)
    return resample(narrow, G711_RATE, 1, SAMPLE_RATE)
