"""Synthetic, speech-like voice: a harmonic (voiced) source shaped by vowel formants, with a
syllable-rate amplitude envelope, short consonant bursts and pauses between words.

It is not intelligible speech, but it has speech's structure (pitch, harmonics, formants,
~4-6 syllables per second, word gaps), so level meters, VAD, playback and truncation behave as
they would with a real voice. Deterministic: the same text and voice give the same samples.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Iterator

import numpy as np

SAMPLE_RATE = 24000
SYLLABLE_S = 0.17
WORD_GAP_S = 0.06
PEAK = 9000.0
MAX_SYLLABLES = 8  # a very long "word" is said as at most this many syllables
MAX_WORD_CHARS = 64

# (F1, F2, F3) in Hz for the vowel letters; "y" and unknowns fall back to a schwa.
_FORMANTS = {
    "a": (730.0, 1090.0, 2440.0),
    "e": (530.0, 1840.0, 2480.0),
    "i": (270.0, 2290.0, 3010.0),
    "o": (570.0, 840.0, 2410.0),
    "u": (300.0, 870.0, 2240.0),
}
_SCHWA = (500.0, 1500.0, 2500.0)
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def voice_name(voice: object) -> str:
    """A voice's name: built-in voices are strings, custom voices ``{"id": ...}`` objects."""
    if isinstance(voice, dict):
        return str(voice.get("id", "custom"))
    return str(voice)


def _voice_pitch(voice: str) -> float:
    """A base pitch per voice name, between about 100 and 220 Hz."""
    return 100.0 + (zlib.crc32(voice.encode()) % 120)


def _syllables(word: str) -> list[str]:
    """The vowel of each syllable of ``word`` (at least one)."""
    groups = _VOWEL_GROUPS.findall(word.lower())
    return [g[0] for g in groups][:MAX_SYLLABLES] or ["e"]


def _formant_gain(freqs: np.ndarray, formants: tuple[float, float, float]) -> np.ndarray:
    """Spectral envelope: three resonances plus a gentle high-frequency roll-off."""
    gain = np.zeros_like(freqs)
    for centre, width in zip(formants, (90.0, 120.0, 180.0), strict=True):
        gain += 1.0 / (1.0 + ((freqs - centre) / width) ** 2)
    return gain / (1.0 + freqs / 1200.0)


def _syllable(vowel: str, f0: float, duration: float, seed: int) -> np.ndarray:
    """One voiced syllable: harmonics of a slightly gliding f0, vowel formants, an onset burst."""
    n = int(duration * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    rng = np.random.default_rng(seed)
    glide = f0 * (1.0 + 0.08 * np.sin(np.pi * t / duration) - 0.05 * t / duration)
    phase = 2 * np.pi * np.cumsum(glide) / SAMPLE_RATE
    harmonics = np.arange(1, int(3800 // f0) + 1)
    gains = _formant_gain(harmonics * f0, _FORMANTS.get(vowel, _SCHWA))
    wave = np.sin(np.outer(phase, harmonics)) @ gains
    envelope = np.sin(np.pi * np.minimum(t / duration, 1.0)) ** 0.6
    wave = wave * envelope
    burst = int(0.025 * SAMPLE_RATE)
    noise = np.convolve(rng.standard_normal(burst), np.ones(4) / 4, mode="same")
    wave[:burst] += noise * 0.15 * np.max(np.abs(wave) + 1e-9)
    out: np.ndarray = wave
    return out


@functools.lru_cache(maxsize=512)
def _word_audio(word: str, voice: str, speed: float) -> np.ndarray:
    """The audio for one word followed by a short pause, cached (replies repeat words)."""
    f0 = _voice_pitch(voice)
    seed = zlib.crc32(f"{voice}:{word}".encode())
    pieces = []
    for index, vowel in enumerate(_syllables(word)):
        pitch = f0 * (1.0 + 0.06 * ((seed >> index) % 5 - 2) / 2)
        pieces.append(_syllable(vowel, pitch, SYLLABLE_S / speed, seed + index))
    pieces.append(np.zeros(int(WORD_GAP_S / speed * SAMPLE_RATE)))
    wave = np.concatenate(pieces)
    peak = float(np.max(np.abs(wave))) or 1.0
    return (wave / peak * PEAK).astype(np.int16)


def pieces(text: str) -> list[str]:
    """``text`` cut into transcript pieces (" word", with following whitespace attached); joined,
    they give ``text`` back. No audio: text-only replies use this."""
    out: list[str] = []
    for piece in re.findall(r"\s*\S+|\s+", text):  # " word" pieces, like model tokens
        if piece.strip() or not out:
            out.append(piece)
        else:
            out[-1] += piece
    return out


def speak(text: str, voice: str = "alloy", speed: float = 1.0) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``text``'s transcript pieces, each with the 24 kHz int16 audio that says it.

    A generator: each word is synthesised when it is needed, so a caller that yields to the
    event loop between pieces never blocks it for longer than one word (at most
    :data:`MAX_SYLLABLES` syllables). Concatenating the pieces' text gives ``text`` back
    exactly; transcript and audio deltas built from the pairs are aligned word by word.
    """
    for piece in pieces(text):
        word = piece.strip()
        if word:
            yield piece, _word_audio(word[:MAX_WORD_CHARS], voice, speed)
        else:
            yield piece, np.zeros(0, dtype=np.int16)


class GrowingAudio:
    """What ``speak`` yields, gathered in one int16 array that grows by doubling (appending per
    word stays linear overall)."""

    def __init__(self) -> None:
        self._data = np.zeros(24000, np.int16)
        self._size = 0

    def add(self, samples: np.ndarray) -> np.ndarray:
        end = self._size + len(samples)
        if end > len(self._data):
            grown = np.zeros(max(end, 2 * len(self._data)), np.int16)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : end] = samples
        self._size = end
        return self._data[:end]
