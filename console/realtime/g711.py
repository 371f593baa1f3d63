"""G.711 μ-law (``audio/pcmu``, beta ``g711_ulaw``) and A-law (``audio/pcma``, ``g711_alaw``).

The library's side of the codec (the console's audio imports it from here), written apart from
the simulator's, which it must not import: two independent implementations of the same standard
catch each other's mistakes. Both follow ITU-T G.711 as the classic Sun reference code does (the
one Python's ``audioop`` used) and are bit-exact with it. G.711 is 8 kHz; ``audio_codec``
converts to and from the library's 24 kHz PCM16 at the edges.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .utils import Int16Array

G711_RATE = 8_000
"""Samples per second of G.711 audio in the Realtime API."""
_ULAW_BIAS = 0x84
_ULAW_CLIP = 8159  # in the 14-bit domain


def ulaw_encode(samples: npt.NDArray[Any]) -> bytes:
    """Encode int16 samples as μ-law, one byte each."""
    pcm = np.asarray(samples, dtype=np.int64).reshape(-1) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(pcm), _ULAW_CLIP) + 0x21
    segment = np.floor(np.log2(magnitude)).astype(np.int64) - 5
    code = (np.minimum(segment, 7) << 4) | ((magnitude >> (np.minimum(segment, 7) + 1)) & 0x0F)
    code = np.where(segment >= 8, 0x7F, code)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes | bytearray | memoryview) -> Int16Array:
    """Decode μ-law bytes to int16 samples."""
    code = ~np.frombuffer(data, dtype=np.uint8).astype(np.int64) & 0xFF
    exponent = (code >> 4) & 0x07
    magnitude = (((code & 0x0F) << 3) + _ULAW_BIAS) << exponent
    return np.where(code & 0x80, _ULAW_BIAS - magnitude, magnitude - _ULAW_BIAS).astype(np.int16)


def alaw_encode(samples: npt.NDArray[Any]) -> bytes:
    """Encode int16 samples as A-law, one byte each."""
    pcm = np.asarray(samples, dtype=np.int64).reshape(-1) >> 3
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    magnitude = np.where(pcm >= 0, pcm, -pcm - 1)
    segment = np.searchsorted(
        np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]), magnitude, side="left"
    ).astype(np.int64)
    shift = np.where(segment < 2, 1, np.minimum(segment, 7))
    code = (np.minimum(segment, 7) << 4) | ((magnitude >> shift) & 0x0F)
    code = np.where(segment >= 8, 0x7F, code)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


def alaw_decode(data: bytes | bytearray | memoryview) -> Int16Array:
    """Decode A-law bytes to int16 samples."""
    code = np.frombuffer(data, dtype=np.uint8).astype(np.int64) ^ 0x55
    segment = (code & 0x70) >> 4
    value = ((code & 0x0F) << 4) + np.where(segment == 0, 8, 0x108)
    value = np.where(segment > 1, value << np.maximum(segment - 1, 0), value)
    return np.where(code & 0x80, value, -value).astype(np.int16)
