"""The input audio buffer: decoding appended audio (PCM16 or G.711) and holding it until commit.

Everything is stored as 24 kHz int16; ``start`` is the absolute sample position (since the
session's first append) of the buffer's first sample, which VAD timestamps are measured from.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from . import errors, g711

SAMPLE_RATE = 24000
MIN_COMMIT_MS = 100
MAX_BUFFER_MS = 15 * 60 * 1000  # the input buffer holds at most 15 minutes (43 MB at 24 kHz)
IDLE_KEEP_S = 60  # with server VAD and no speech, older buffered audio is dropped


def decode_base64(payload: str, param: str = "audio") -> bytes:
    """The bytes of base64 ``payload`` or ``invalid_value``."""
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise errors.invalid_value(
            param, f"Invalid '{param}': expected base64-encoded audio."
        ) from exc


def pcm_from_bytes(raw: bytes, fmt: str) -> np.ndarray:
    """Bytes in ``fmt`` (whole samples) as 24 kHz int16."""
    if fmt == "audio/pcmu":
        return g711.to_24k(g711.ulaw_decode(raw))
    if fmt == "audio/pcma":
        return g711.to_24k(g711.alaw_decode(raw))
    return np.frombuffer(raw, dtype="<i2").astype(np.int16)


def decode_audio(payload: str, fmt: str, param: str = "audio") -> np.ndarray:
    """Decode base64 audio in ``fmt`` (``audio/pcm``, ``audio/pcmu``, ``audio/pcma``) to 24 kHz;
    PCM16 with an odd byte count (half a sample) is refused with ``invalid_value``."""
    raw = decode_base64(payload, param)
    if fmt == "audio/pcm" and len(raw) % 2:
        raise errors.invalid_value(
            param,
            f"Invalid '{param}': PCM16 audio must be a whole number of 16-bit samples, "
            f"but got {len(raw)} bytes.",
        )
    return pcm_from_bytes(raw, fmt)


def encode_audio(pcm: np.ndarray, fmt: str) -> str:
    """Encode 24 kHz int16 audio as base64 in the output format."""
    if fmt == "audio/pcmu":
        raw = g711.ulaw_encode(g711.from_24k(pcm))
    elif fmt == "audio/pcma":
        raw = g711.alaw_encode(g711.from_24k(pcm))
    else:
        raw = pcm.astype("<i2").tobytes()
    return base64.b64encode(raw).decode("ascii")


def ms(samples: int) -> int:
    """Samples at 24 kHz → whole milliseconds (floored)."""
    return samples * 1000 // SAMPLE_RATE


class InputAudioBuffer:
    """Appended-but-uncommitted audio plus the session-wide sample count."""

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self.start = 0  # absolute position of the first buffered sample
        self.total = 0  # samples appended in the whole session
        self.odd_byte = b""  # PCM16: the first half of a sample split across two appends

    def append(self, pcm: np.ndarray) -> None:
        """Add samples at the end; past :data:`MAX_BUFFER_MS` of buffered audio the append is
        refused (``input_audio_buffer_too_large``) and the buffer is unchanged."""
        if (self.total - self.start + len(pcm)) * 1000 > MAX_BUFFER_MS * SAMPLE_RATE:
            raise errors.RealtimeError(
                "Error appending to input audio buffer: the buffer would exceed the maximum of "
                f"{MAX_BUFFER_MS // 60_000} minutes of audio (it holds "
                f"{self.duration_ms():.0f}ms). Commit or clear it first.",
                code="input_audio_buffer_too_large",
                param="audio",
            )
        if len(pcm):
            self._chunks.append(pcm)
            self.total += len(pcm)

    def samples(self) -> np.ndarray:
        """All buffered samples as one array."""
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, dtype=np.int16)

    def duration_ms(self) -> float:
        """Buffered duration in milliseconds."""
        return (self.total - self.start) * 1000 / SAMPLE_RATE

    def take_all(self) -> np.ndarray:
        """Commit: return everything, or the real buffer-too-small error under 100 ms."""
        duration = self.duration_ms()
        if duration < MIN_COMMIT_MS:
            raise errors.RealtimeError(
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"{MIN_COMMIT_MS}ms of audio, but buffer only has {duration:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        audio = self.samples()
        self.clear()
        return audio

    def take_range(self, begin: int, end: int) -> np.ndarray:
        """VAD commit: return absolute samples ``[begin, end)``; drop everything before ``end``."""
        data = self.samples()
        begin = max(begin, self.start)
        end = min(end, self.total)
        segment = data[begin - self.start : end - self.start].copy()
        self._chunks = [data[end - self.start :]]
        self.start = end
        return segment

    def trim(self, keep: int) -> None:
        """Forget all but the last ``keep`` samples (bounds memory while VAD hears silence)."""
        if self.total - self.start > keep:
            data = self.samples()
            cut = len(data) - keep
            self._chunks = [data[cut:]]
            self.start += cut

    def clear(self) -> None:
        """Drop the buffered audio (the session-wide position is kept)."""
        self._chunks = []
        self.start = self.total
        self.odd_byte = b""

    def decode_append(self, payload: str, fmt: str) -> np.ndarray:
        """Decode an ``input_audio_buffer.append`` payload as part of one byte stream: a PCM16
        append with an odd byte count keeps its last byte, which completes a sample with the
        next append's first byte (nothing is dropped)."""
        raw = decode_base64(payload)
        if fmt == "audio/pcm":
            raw = self.odd_byte + raw
            cut = len(raw) - len(raw) % 2
            raw, self.odd_byte = raw[:cut], raw[cut:]
        return pcm_from_bytes(raw, fmt)
