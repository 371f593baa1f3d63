"""Signals and measurements for the audio tests: tones, speech, FFT peaks, alignment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np


def tone(frequency: float, seconds: float, rate: float, amplitude: float = 0.5) -> np.ndarray:
    """A float32 sine."""
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def tone16(frequency: float, seconds: float, rate: int = 24000, amplitude: float = 0.5):
    return np.round(tone(frequency, seconds, rate, amplitude) * 32767).astype(np.int16)


def peak_frequency(samples: np.ndarray, rate: float) -> float:
    """The strongest frequency, refined by parabolic interpolation between FFT bins."""
    x = samples.astype(np.float64) * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(x))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-12)
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + offset) * rate / len(samples)


def loud_span(samples: np.ndarray, threshold: float, window: int = 24) -> tuple[int, int] | None:
    """First and last sample (at ``window`` resolution) whose |value| exceeds ``threshold``."""
    x = np.abs(samples.astype(np.float64))
    usable = len(x) // window * window
    peaks = x[:usable].reshape(-1, window).max(axis=1)
    loud = np.nonzero(peaks > threshold)[0]
    if not len(loud):
        return None
    return int(loud[0] * window), int((loud[-1] + 1) * window)


def rms_dbfs(samples: np.ndarray) -> float:
    if not len(samples):
        return -200.0
    rms = float(np.sqrt(np.mean((samples.astype(np.float64) / 32768.0) ** 2)))
    return -200.0 if rms <= 0 else float(20 * np.log10(rms))


def best_alignment(recorded: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """Offset of ``reference`` inside ``recorded`` by FFT cross-correlation, and the
    normalised correlation there."""
    rec = recorded.astype(np.float64)
    ref = reference.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(rec) + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(rec, n) * np.conj(np.fft.rfft(ref, n)), n)[: len(rec)]
    offset = int(np.argmax(corr))
    segment = rec[offset : offset + len(ref)]
    ref = ref[: len(segment)]
    denom = np.linalg.norm(segment) * np.linalg.norm(ref)
    return offset, float(np.dot(segment, ref) / denom) if denom else 0.0


def speech_wav(folder: Path, text: str) -> Path:
    """A 24 kHz mono PCM16 WAV of ``text`` spoken by espeak-ng (converted by sox)."""
    raw, out = folder / "raw.wav", folder / "speech24k.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", "24000", "-c", "1", "-b", "16", "-e", "signed-integer", str(out)],
        check=True,
    )
    return out


def have_speech_tools() -> bool:
    return bool(shutil.which("espeak-ng") and shutil.which("sox"))
