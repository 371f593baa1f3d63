"""WAV files with the stdlib ``wave`` module: read any PCM WAV, write 24 kHz mono int16.

``--input-wav`` reads a file of any rate and channel count (8, 16, 24 or 32-bit integer PCM);
``--save-audio`` writes each completed item's audio as 24 kHz mono PCM16.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from console.realtime.utils import SAMPLE_RATE, Int16Array, pcm16_to_bytes, to_pcm16

from .resample import resample


@dataclass(frozen=True)
class WavAudio:
    """A WAV file's samples as int16 ``(frames, channels)``, with its rate."""

    samples: Int16Array
    rate: int
    channels: int

    @property
    def duration(self) -> float:
        """Seconds."""
        return len(self.samples) / self.rate if self.rate else 0.0

    def to_24k_mono(self) -> Int16Array:
        """The whole file as 24 kHz mono int16."""
        return resample(self.samples, self.rate, self.channels, SAMPLE_RATE)


def _pcm_to_int16(raw: bytes, width: int) -> Int16Array:
    if width == 1:  # unsigned 8-bit
        return ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.int16)
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        return b[:, 2].view(np.int8).astype(np.int16) * 256 + b[:, 1].astype(np.int16)
    if width == 4:
        return (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    raise ValueError(f"unsupported WAV sample width: {width} bytes")


def read_wav(path: str | Path) -> WavAudio:
    """Read an integer-PCM WAV; ``ValueError`` with a readable reason for anything else."""
    try:
        with wave.open(str(path), "rb") as reader:
            rate, channels, width = (
                reader.getframerate(),
                reader.getnchannels(),
                reader.getsampwidth(),
            )
            raw = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path}: not a PCM WAV file ({exc})") from None
    samples = _pcm_to_int16(raw, width)
    usable = len(samples) // channels * channels
    return WavAudio(samples[:usable].reshape(-1, channels), rate, channels)


def write_wav(path: str | Path, samples: npt.NDArray[Any] | bytes, rate: int = SAMPLE_RATE) -> Path:
    """Write mono PCM16 (int16/float samples or PCM16 bytes) at ``rate`` (24 kHz); the path."""
    target = Path(path)
    pcm = to_pcm16(samples)
    with wave.open(str(target), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm16_to_bytes(pcm))
    return target
