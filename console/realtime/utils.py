"""PCM16 and base64 helpers, and id generation (the reference client's ``RealtimeUtils``).

Audio here is mono little-endian PCM16 at 24 kHz, held as ``numpy.int16`` arrays. Every helper
accepts anything audio-like (bytes, bytearray, memoryview, int16 or float arrays, views with
offsets) and converts exactly the samples it was given: the reference encoded the whole
underlying buffer of an ``Int16Array`` view (its defect 12) and crashed on odd byte counts.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 24_000
"""Samples per second of every PCM16 stream the Realtime API speaks by default."""

ID_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
"""Base58: no 0, O, I or l, as in the reference client's ids."""

Int16Array = npt.NDArray[np.int16]
AudioLike = bytes | bytearray | memoryview | npt.NDArray[Any] | str
"""Audio in any form the library accepts; ``str`` means base64 of PCM16."""

_LITTLE_ENDIAN_INT16 = np.dtype("<i2")


class AudioFormatError(ValueError):
    """Raised for audio that cannot be PCM16: odd byte counts, bad base64, wrong types."""


def empty_pcm16() -> Int16Array:
    """Return a new empty int16 array."""
    return np.zeros(0, dtype=np.int16)


def float_to_16bit_pcm(samples: npt.ArrayLike) -> Int16Array:
    """Convert float samples in [-1, 1] to int16.

    Matches the reference: clamp to [-1, 1], scale negatives by 32768 and non-negatives by
    32767, truncate toward zero; NaN becomes 0.
    """
    floats = np.nan_to_num(np.asarray(samples, dtype=np.float64), nan=0.0)
    clipped = np.clip(floats, -1.0, 1.0)
    scaled = np.where(clipped < 0, clipped * 32768.0, clipped * 32767.0)
    return np.trunc(scaled).astype(np.int16)


def pcm16_from_bytes(data: bytes | bytearray | memoryview) -> Int16Array:
    """Read little-endian PCM16 bytes; an odd byte count is an ``AudioFormatError``."""
    view = memoryview(data).cast("B")
    if view.nbytes % 2:
        raise AudioFormatError(
            f"PCM16 audio needs an even number of bytes, got {view.nbytes} "
            "(a truncated or non-PCM16 chunk?)"
        )
    return np.frombuffer(view, dtype=_LITTLE_ENDIAN_INT16).astype(np.int16)


def base64_to_array_buffer(encoded: str) -> bytes:
    """Decode standard base64 to bytes, with a clear error for invalid input."""
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AudioFormatError(f"invalid base64 audio: {exc}") from None


def base64_to_pcm16(encoded: str) -> Int16Array:
    """Decode base64 of little-endian PCM16 into an int16 array."""
    return pcm16_from_bytes(base64_to_array_buffer(encoded))


def to_pcm16(audio: AudioLike) -> Int16Array:
    """Coerce any accepted audio form to an int16 array (a copy or a fresh array).

    Accepted: int16 arrays and views, float arrays (converted with ``float_to_16bit_pcm``),
    other integer arrays with values that fit int16, bytes-likes (little-endian PCM16) and base64
    strings.
    """
    if isinstance(audio, str):
        return base64_to_pcm16(audio)
    if isinstance(audio, bytes | bytearray | memoryview):
        return pcm16_from_bytes(audio)
    if isinstance(audio, np.ndarray):
        flat = audio.reshape(-1)
        if flat.dtype == np.int16:
            return flat.copy()
        if np.issubdtype(flat.dtype, np.floating):
            return float_to_16bit_pcm(flat)
        if np.issubdtype(flat.dtype, np.integer):
            if flat.size and (flat.min() < -32768 or flat.max() > 32767):
                raise AudioFormatError("integer samples out of int16 range")
            return flat.astype(np.int16)
        raise AudioFormatError(f"cannot use a {flat.dtype} array as PCM16 audio")
    raise AudioFormatError(
        f"audio must be int16/float samples, PCM16 bytes or base64, not {type(audio).__name__}"
    )


def pcm16_to_bytes(samples: Int16Array) -> bytes:
    """Little-endian bytes of exactly these samples (views with offsets included)."""
    return np.ascontiguousarray(samples, dtype=_LITTLE_ENDIAN_INT16).tobytes()


def array_buffer_to_base64(audio: AudioLike) -> str:
    """Base64 of the PCM16 form of ``audio``; float input is converted to PCM16 first.

    A base64 string is validated and returned unchanged.
    """
    if isinstance(audio, str):
        base64_to_pcm16(audio)  # validates
        return audio
    if isinstance(audio, bytes | bytearray | memoryview):
        raw = bytes(memoryview(audio).cast("B"))
        if len(raw) % 2:
            pcm16_from_bytes(raw)  # raises the clear error
        return base64.b64encode(raw).decode("ascii")
    return base64.b64encode(pcm16_to_bytes(to_pcm16(audio))).decode("ascii")


def merge_int16_arrays(left: AudioLike, right: AudioLike) -> Int16Array:
    """Return a new int16 array: ``left`` followed by ``right``."""
    return np.concatenate([to_pcm16(left), to_pcm16(right)])


def generate_id(prefix: str, length: int = 21) -> str:
    """``prefix`` plus random base58 characters, ``length`` characters in all."""
    if len(prefix) > length:
        raise ValueError(f"prefix {prefix!r} is longer than the id length {length}")
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(length - len(prefix)))


def samples_to_ms(samples: int, sample_rate: int = SAMPLE_RATE) -> int:
    """Whole milliseconds in ``samples`` (floored, as the reference does)."""
    return samples * 1000 // sample_rate


def ms_to_samples(ms: float, sample_rate: int = SAMPLE_RATE) -> int:
    """Samples in ``ms`` milliseconds (floored)."""
    return int(ms * sample_rate // 1000)


class RealtimeUtils:
    """The reference client's static helper namespace, for code ported from JavaScript."""

    float_to_16bit_pcm = staticmethod(float_to_16bit_pcm)
    base64_to_array_buffer = staticmethod(base64_to_array_buffer)
    array_buffer_to_base64 = staticmethod(array_buffer_to_base64)
    merge_int16_arrays = staticmethod(merge_int16_arrays)
    generate_id = staticmethod(generate_id)
