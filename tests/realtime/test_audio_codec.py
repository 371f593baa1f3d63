"""The library's G.711 edges: the numpy 3:1 resampler and the session's format conversion."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

import console.audio.resample as console_resample
from console.realtime import g711
from console.realtime.audio_codec import (
    DELAY_24K,
    LOW_PASS,
    FirResampler,
    Pcm16Decoder,
    SessionAudio,
)
from console.realtime.conversation import RealtimeConversation
from console.realtime.dialects import SessionConfigError, audio_encoding

RATE = 24_000


def tone(hz: float, seconds: float = 1.0, rate: int = RATE, amplitude: float = 10_000.0) -> Any:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * hz * t) * amplitude).astype(np.int16)


def level_db(samples: np.ndarray, reference: np.ndarray) -> float:
    """RMS of ``samples`` relative to ``reference``'s, in dB."""
    power = np.mean(samples.astype(np.float64) ** 2)
    return float(10 * np.log10(max(power, 1e-12) / np.mean(reference.astype(np.float64) ** 2)))


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def chunks(signal: np.ndarray, seed: int) -> list[np.ndarray]:
    """``signal`` cut at random places, with empty and 1- and 2-sample pieces among them."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, len(signal), 60))
    pieces = np.split(signal, cuts)
    return [*pieces[:5], signal[:0], *pieces[5:]]


def test_a_440_hz_tone_keeps_its_frequency_through_8_khz() -> None:
    original = tone(440)
    resampler = FirResampler()
    narrow = resampler.from_24k(original)
    assert len(narrow) == len(original) // 3
    assert abs(peak_hz(narrow, 8000) - 440) <= 2
    wide = resampler.to_24k(narrow)
    assert len(wide) == len(original)
    assert abs(peak_hz(wide, RATE) - 440) <= 2
    # Flat in the pass band: the level survives the round trip (past the filters' delay).
    assert abs(level_db(wide[4 * DELAY_24K :], original)) < 0.1


@pytest.mark.parametrize("hz", [3500, 5000, 7000, 11_000])
def test_tones_above_the_telephone_band_are_filtered_before_decimation(hz: int) -> None:
    """3.5 kHz is past G.711's band; 5, 7 and 11 kHz would alias to 3, 1 and 3 kHz."""
    original = tone(hz)
    narrow = FirResampler().from_24k(original)
    assert level_db(narrow[DELAY_24K:], original) < -30


def test_images_are_filtered_after_interpolation() -> None:
    """A 3 kHz tone at 8 kHz has an image at 5 kHz once zero-stuffed to 24 kHz: filtered out."""
    wide = FirResampler().to_24k(tone(3000, rate=8000))
    spectrum = np.abs(np.fft.rfft(wide[DELAY_24K:].astype(np.float64)))
    freqs = np.fft.rfftfreq(len(wide) - DELAY_24K, 1 / RATE)
    wanted = spectrum[np.abs(freqs - 3000) < 20].max()
    image = spectrum[np.abs(freqs - 5000) < 20].max()
    assert 20 * np.log10(image / wanted) < -40


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chunked_resampling_equals_whole_signal_processing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    signal = (rng.standard_normal(9001) * 4000).astype(np.int16)
    whole_down = FirResampler().from_24k(signal)
    stream = FirResampler()
    chunked_down = np.concatenate([stream.from_24k(piece) for piece in chunks(signal, seed)])
    assert np.array_equal(chunked_down, whole_down)
    assert len(whole_down) == len(signal) // 3

    narrow = signal[:3001]
    whole_up = FirResampler().to_24k(narrow)
    stream = FirResampler()
    chunked_up = np.concatenate([stream.to_24k(piece) for piece in chunks(narrow, seed)])
    assert np.array_equal(chunked_up, whole_up)
    assert len(whole_up) == 3 * len(narrow)


def test_the_polyphase_filter_is_the_plain_fir_filter() -> None:
    """Decimation keeps every third output of the low-pass; interpolation filters zero-stuffing."""
    rng = np.random.default_rng(4)
    signal = (rng.standard_normal(3000) * 4000).astype(np.int16)
    filtered = np.convolve(signal.astype(np.float64), LOW_PASS)[: len(signal)]
    assert np.array_equal(FirResampler().from_24k(signal), np.rint(filtered[2::3]))
    stuffed = np.zeros(3 * len(signal))
    stuffed[::3] = signal
    interpolated = 3 * np.convolve(stuffed, LOW_PASS)[: len(stuffed)]
    expected = np.clip(np.rint(interpolated), -32768, 32767)
    assert np.array_equal(FirResampler().to_24k(signal), expected)


def test_audio_encoding_reads_both_dialects_spellings() -> None:
    assert audio_encoding(None) == "pcm16"
    assert audio_encoding("pcm16") == audio_encoding({"type": "audio/pcm", "rate": 24000})
    assert audio_encoding("g711_ulaw") == audio_encoding("audio/pcmu") == "ulaw"
    assert audio_encoding({"type": "audio/pcma"}) == audio_encoding("g711_alaw") == "alaw"
    with pytest.raises(SessionConfigError):
        audio_encoding("mp3")


def test_the_console_uses_the_library_codec() -> None:
    assert console_resample.ulaw_encode is g711.ulaw_encode
    assert console_resample.alaw_decode is g711.alaw_decode


class CountingResampler:
    """An injected resampler: nearest-neighbour, counting how many streams were made."""

    made = 0

    def __init__(self) -> None:
        CountingResampler.made += 1

    def to_24k(self, samples_8k: np.ndarray) -> Any:
        return np.repeat(samples_8k, 3)

    def from_24k(self, samples_24k: np.ndarray) -> Any:
        return samples_24k[::3].copy()


def test_session_audio_follows_the_formats_and_keeps_one_stream_each() -> None:
    settings: dict[str, Any] = {"input_audio_format": "pcm16", "output_audio_format": "pcm16"}
    CountingResampler.made = 0
    audio = SessionAudio(settings.get, CountingResampler, max_output_streams=2)
    samples = tone(440, 0.02)
    assert base64.b64decode(audio.encode_input(samples)) == samples.astype("<i2").tobytes()

    settings["input_audio_format"] = "audio/pcmu"
    first = base64.b64decode(audio.encode_input(samples))
    second = base64.b64decode(audio.encode_input(samples))
    assert first == g711.ulaw_encode(samples[::3]) and len(second) == 160
    assert CountingResampler.made == 1  # one input stream across appends

    settings["output_audio_format"] = {"type": "audio/pcma"}
    delta = base64.b64encode(g711.alaw_encode(samples[::3])).decode()
    for item_id in ("a", "b", "a", "c", "a"):
        decoded = audio.decode_output(item_id, delta)
        assert decoded.dtype == np.int16 and len(decoded) == len(samples)
    assert CountingResampler.made == 4  # a, b, c; b is evicted; a stays (recently used)
    audio.reset()
    audio.decode_output("a", delta)
    assert CountingResampler.made == 5


def test_a_conversation_alone_reads_pcm16() -> None:
    samples = tone(440, 0.01)
    encoded = base64.b64encode(samples.astype("<i2").tobytes()).decode()
    assert np.array_equal(Pcm16Decoder().decode_output("item", encoded), samples)
    assert isinstance(RealtimeConversation().audio, Pcm16Decoder)
