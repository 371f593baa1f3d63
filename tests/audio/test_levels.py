"""Level and spectrum maths: dBFS of known signals, bands of known tones, bounds and decay."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest

from console.audio.levels import (
    FLOOR_DB,
    LevelMeter,
    Levels,
    note_frequencies,
    pcm16_from_base64,
)

RATE = 24_000


def sine(freq: float, seconds: float = 0.5, amplitude: float = 32767.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.round(np.sin(2 * np.pi * freq * t) * amplitude).astype(np.int16)


def band_index(freq: float) -> int:
    """The note band a frequency falls in: the note nearest to it (in semitones)."""
    notes = np.asarray(note_frequencies())
    return int(np.argmin(np.abs(np.log2(notes / freq))))


def bar_index(band: int, n_bands: int, n_bars: int = 16) -> int:
    return band * n_bars // n_bands


def test_the_voice_bands_are_the_notes_from_c1_to_b6() -> None:
    notes = note_frequencies()
    assert len(notes) == 72
    assert notes[0] == pytest.approx(32.703, abs=1e-3) and notes[-1] == pytest.approx(1975.53, 1e-3)
    assert 440.0 in notes and band_index(440.0) == 45 and band_index(1000.0) == 59  # A4, B5


def test_a_full_scale_sine_reads_minus_3_dbfs_rms_and_0_peak() -> None:
    meter = LevelMeter(clock=lambda: 0.0)
    meter.push(sine(440))
    levels = meter.levels()
    assert levels.rms_dbfs == pytest.approx(-3.01, abs=0.5)
    assert levels.peak_dbfs == pytest.approx(0.0, abs=0.01)
    assert len(levels.bands) == 16 and all(0.0 <= v <= 1.0 for v in levels.bands)


def test_a_quieter_sine_reads_20_db_lower() -> None:
    meter = LevelMeter(clock=lambda: 0.0)
    meter.push(sine(440, amplitude=3276.7))
    assert meter.levels().rms_dbfs == pytest.approx(-23.01, abs=0.5)
    assert meter.levels().peak_dbfs == pytest.approx(-20.0, abs=0.05)


@pytest.mark.parametrize("freq", [440.0, 1000.0])
def test_a_tone_lands_in_its_band(freq: float) -> None:
    meter = LevelMeter(clock=lambda: 0.0)
    meter.push(sine(freq))
    band_db = meter.band_db()
    expected = band_index(freq)
    assert int(np.argmax(band_db)) == expected
    assert band_db[expected] == pytest.approx(0.0, abs=1.5)  # a full-scale tone reads ~0 dB
    bars = meter.levels().bands
    bar = bar_index(expected, len(band_db))
    assert bars[bar] == 1.0
    # Hann leakage of a 0 dB tone stays under -82.5 dB (0.25 of the bar) 4+ bars away.
    far = [i for i in range(16) if abs(i - bar) > 3]
    assert far and all(bars[i] < 0.25 for i in far), bars


def test_a_higher_tone_lands_in_a_higher_band() -> None:
    low, high = LevelMeter(clock=lambda: 0.0), LevelMeter(clock=lambda: 0.0)
    low.push(sine(440))
    high.push(sine(1000))
    assert int(np.argmax(high.band_db())) > int(np.argmax(low.band_db()))

    def centroid(levels: Levels) -> float:
        weights = np.asarray(levels.bands)
        return float((weights * np.arange(len(weights))).sum() / weights.sum())

    assert centroid(high.levels()) > centroid(low.levels()) + 1


def test_silence_and_nothing_read_the_floor() -> None:
    meter = LevelMeter(clock=lambda: 0.0)
    assert meter.levels() == Levels(FLOOR_DB, FLOOR_DB, (0.0,) * 16)
    assert not meter.is_active() and meter.idle and meter.last_push_time is None
    meter.push(np.zeros(4800, dtype=np.int16))
    assert meter.levels() == Levels(FLOOR_DB, FLOOR_DB, (0.0,) * 16)
    assert meter.last_push_time == 0.0


def test_levels_are_of_the_latest_window_only() -> None:
    meter = LevelMeter(window=2048, clock=lambda: 0.0)
    meter.push(sine(440))
    meter.push(np.zeros(2047, dtype=np.int16))
    last = abs(int(sine(440)[-1])) / 32768  # one sample of the tone left of 2048
    assert meter.levels().peak_dbfs == pytest.approx(20 * np.log10(last))
    meter.push(np.zeros(1, dtype=np.int16))
    assert meter.levels().peak_dbfs == FLOOR_DB
    # Small pushes wrap around the ring in order.
    tone = sine(440, seconds=0.2)
    for chunk in np.array_split(tone, 37):
        meter.push(chunk)
    assert np.array_equal(meter.latest_window(), tone[-2048:])


def test_a_huge_push_keeps_only_the_last_window_and_stays_fast() -> None:
    meter = LevelMeter(window=2048, clock=lambda: 0.0)
    huge = np.zeros(10_000_000, dtype=np.int16)
    huge[-2048:] = sine(1000)[:2048]
    floats = np.zeros(10_000_000, dtype=np.float32)
    started = time.perf_counter()
    meter.push(huge)
    meter.levels()
    meter.push(floats)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"{elapsed:.3f} s: the push is not bounded by the window"
    assert meter.latest_window().shape == (2048,) and meter.levels().peak_dbfs == FLOOR_DB
    meter.push(huge)
    assert np.array_equal(meter.latest_window(), huge[-2048:])


def test_float_samples_are_scaled_and_clipped() -> None:
    meter = LevelMeter(clock=lambda: 0.0)
    meter.push(np.array([0.5, -2.0, np.nan], dtype=np.float32))
    assert meter.latest_window().tolist() == [16383, -32768, 0]


def test_the_meter_decays_after_audio_stops_and_then_goes_idle() -> None:
    now = [0.0]
    meter = LevelMeter(decay=60.0, decay_after=0.2, clock=lambda: now[0])
    meter.push(sine(440))
    assert meter.is_active() and not meter.idle
    now[0] = 0.2
    assert meter.levels().rms_dbfs == pytest.approx(-3.01, abs=0.5)  # held
    now[0] = 0.7
    assert meter.levels().rms_dbfs == pytest.approx(-33.01, abs=0.5)  # 0.5 s at 60 dB/s
    assert meter.is_active(hold=0.5)
    now[0] = 0.2 + 100 / 60 + 0.01
    assert meter.levels() == Levels(FLOOR_DB, FLOOR_DB, (0.0,) * 16)
    assert not meter.is_active() and meter.idle
    meter.push(sine(440, seconds=0.01))
    assert meter.is_active()
    meter.reset()
    assert meter.idle and meter.levels().peak_dbfs == FLOOR_DB


def test_pcm16_from_base64_never_raises() -> None:
    samples = np.array([1, -2, 32767, -32768], dtype=np.int16)
    encoded = base64.b64encode(samples.astype("<i2").tobytes()).decode()
    assert pcm16_from_base64(encoded).tolist() == samples.tolist()
    for bad in ["%%%not base64", base64.b64encode(b"odd").decode(), None, 42, b"AAAA"]:
        result = pcm16_from_base64(bad)
        assert result.dtype == np.int16 and len(result) == 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="n_bars"):
        LevelMeter(n_bars=100)
    with pytest.raises(ValueError, match="window"):
        LevelMeter(window=4)
