"""Cost of the audio meter per frame: one ``push`` of 1/30 s of audio plus one ``levels()``.

The meter pane redraws at about 30 Hz, so each frame pushes 800 samples (24 kHz / 30) and reads
the levels once. Prints microseconds per push+levels for several window sizes (best of 5 runs
of 300 frames), plus a push alone and a 10-million-sample push, which must cost about the same
as a small one (only the last window is kept). Target: under 1 ms per frame at window 2048,
i.e. under 3 % of a 33 ms frame.

Run: python3 bench/bench_levels.py
"""

from __future__ import annotations

import time

import numpy as np

from console.audio.levels import LevelMeter

RATE = 24_000
FRAME = RATE // 30
FRAMES = 300


def speech_like(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * RATE)) / RATE
    voiced = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    signal = voiced * (0.55 + 0.45 * np.sin(2 * np.pi * 5 * t) ** 2) * 9000
    return (signal + rng.normal(0, 30, len(t))).astype(np.int16)


def per_frame_us(window: int, chunks: list[np.ndarray], read: bool = True) -> float:
    best = float("inf")
    for _ in range(5):
        meter = LevelMeter(RATE, window, clock=lambda: 0.0)
        start = time.perf_counter()
        for chunk in chunks:
            meter.push(chunk)
            if read:
                meter.levels()
        best = min(best, time.perf_counter() - start)
    return best / len(chunks) * 1e6


def main() -> None:
    audio = speech_like(FRAMES / 30)
    chunks = [audio[i : i + FRAME] for i in range(0, FRAMES * FRAME, FRAME)]
    print(f"{'window':>7} {'push+levels us':>15} {'push us':>8}")
    results = {}
    for window in (512, 1024, 2048, 4096, 8192):
        results[window] = per_frame_us(window, chunks)
        print(f"{window:>7} {results[window]:>15.1f} {per_frame_us(window, chunks, False):>8.1f}")
    huge = np.zeros(10_000_000, dtype=np.int16)
    meter = LevelMeter(RATE, 2048, clock=lambda: 0.0)
    start = time.perf_counter()
    meter.push(huge)
    huge_us = (time.perf_counter() - start) * 1e6
    print(f"one push of 10,000,000 samples: {huge_us:.1f} us")
    ok = results[2048] < 1000 and huge_us < 1000
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
