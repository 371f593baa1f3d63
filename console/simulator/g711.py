"""G.711 μ-law (``audio/pcmu``, beta ``g711_ulaw``) and A-law (``audio/pcma``, ``g711_alaw``).

Bit-exact with the classic Sun reference implementation (the one Python's ``audioop`` used),
vectorised with numpy through 64 Ki-entry encode tables and 256-entry decode tables. G.711 is
8 kHz; :func:`to_24k` / :func:`from_24k` convert to and from the simulator's 24 kHz PCM16.
"""

from __future__ import annotations

import numpy as np

_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def _ulaw_encode_all() -> np.ndarray:
    """μ-law code for every int16 value, indexed by ``value & 0xFFFF``."""
    pcm = np.arange(-32768, 32768, dtype=np.int64) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(pcm), 8159) + 0x21
    seg = np.searchsorted(_ULAW_SEG_END, magnitude, side="left")
    code = (np.minimum(seg, 7) << 4) | ((magnitude >> (np.minimum(seg, 7) + 1)) & 0xF)
    code = np.where(seg >= 8, 0x7F, code)
    table = np.empty(65536, dtype=np.uint8)
    table[np.arange(-32768, 32768) & 0xFFFF] = (code ^ mask).astype(np.uint8)
    return table


def _ulaw_decode_all() -> np.ndarray:
    """Linear value of every μ-law code."""
    u = ~np.arange(256, dtype=np.int64) & 0xFF
    t = (((u & 0xF) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84).astype(np.int16)


def _alaw_encode_all() -> np.ndarray:
    """A-law code for every int16 value, indexed by ``value & 0xFFFF``."""
    pcm = np.arange(-32768, 32768, dtype=np.int64) >> 3
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    magnitude = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = np.searchsorted(_ALAW_SEG_END, magnitude, side="left")
    shift = np.where(seg < 2, 1, np.minimum(seg, 7))
    code = (np.minimum(seg, 7) << 4) | ((magnitude >> shift) & 0xF)
    code = np.where(seg >= 8, 0x7F, code)
    table = np.empty(65536, dtype=np.uint8)
    table[np.arange(-32768, 32768) & 0xFFFF] = (code ^ mask).astype(np.uint8)
    return table


def _alaw_decode_all() -> np.ndarray:
    """Linear value of every A-law code."""
    a = np.arange(256, dtype=np.int64) ^ 0x55
    t = (a & 0xF) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


_ULAW_ENC = _ulaw_encode_all()
_ULAW_DEC = _ulaw_decode_all()
_ALAW_ENC = _alaw_encode_all()
_ALAW_DEC = _alaw_decode_all()


def ulaw_encode(pcm: np.ndarray) -> bytes:
    """Encode int16 samples to μ-law bytes (one byte per sample)."""
    return bytes(_ULAW_ENC[pcm.astype(np.int16).view(np.uint16)])


def ulaw_decode(data: bytes) -> np.ndarray:
    """Decode μ-law bytes to int16 samples."""
    return _ULAW_DEC[np.frombuffer(data, dtype=np.uint8)]


def alaw_encode(pcm: np.ndarray) -> bytes:
    """Encode int16 samples to A-law bytes."""
    return bytes(_ALAW_ENC[pcm.astype(np.int16).view(np.uint16)])


def alaw_decode(data: bytes) -> np.ndarray:
    """Decode A-law bytes to int16 samples."""
    return _ALAW_DEC[np.frombuffer(data, dtype=np.uint8)]


def to_24k(pcm8k: np.ndarray) -> np.ndarray:
    """Upsample 8 kHz int16 to 24 kHz by linear interpolation (G.711 input → internal rate)."""
    if len(pcm8k) == 0:
        return pcm8k.astype(np.int16)
    x = np.arange(len(pcm8k) * 3) / 3.0
    return np.interp(x, np.arange(len(pcm8k)), pcm8k.astype(np.float64)).astype(np.int16)


def from_24k(pcm24k: np.ndarray) -> np.ndarray:
    """Downsample 24 kHz int16 to 8 kHz by averaging each 3 samples (a crude low-pass)."""
    usable = len(pcm24k) - len(pcm24k) % 3
    frames = pcm24k[:usable].astype(np.int32).reshape(-1, 3)
    out: np.ndarray = (frames.sum(axis=1) // 3).astype(np.int16)
    return out
