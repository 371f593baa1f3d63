"""Conversion to and from 24 kHz mono: soxr streams, chunking, WAV files, G.711."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest

from console.audio.capture import WavMicrophone
from console.audio.resample import (
    Chunker,
    InputConverter,
    OutputConverter,
    decode_audio,
    encode_audio,
    float_to_int16,
    to_float32,
)
from console.audio.wav import read_wav, write_wav
from console.realtime.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

from .signals import best_alignment, peak_frequency, tone, tone16


def stream(converter: InputConverter, signal: np.ndarray, block: int) -> np.ndarray:
    parts = [converter.convert(signal[i : i + block]) for i in range(0, len(signal), block)]
    return np.concatenate([*parts, converter.flush()])


@pytest.mark.parametrize("dtype", ["float32", "int16"])
def test_a_44k1_stereo_device_gives_24k_mono_with_frequency_and_duration_kept(dtype: str) -> None:
    left = tone(1000.0, 2.0, 44100)
    stereo = np.stack([left, left * 0.5], axis=1)
    if dtype == "int16":
        stereo = np.round(stereo * 32767).astype(np.int16)
    out = stream(InputConverter(44100, 2), stereo, 441)  # 10 ms blocks, as a device gives
    assert out.dtype == np.int16
    assert abs(len(out) - 48000) <= 2
    assert peak_frequency(out, 24000) == pytest.approx(1000.0, abs=0.5)
    # Seamless: the streamed result matches an ideal 24 kHz sine with no clicks at block edges.
    ideal = tone16(1000.0, 2.0, 24000, amplitude=0.375)
    offset, correlation = best_alignment(out, ideal[2400:-2400])
    assert correlation > 0.9999
    residual = out[offset : offset + 43200].astype(float) - ideal[2400:-2400]
    noise = float(np.sum(residual**2)) + 1.0  # +1: an exact match (no noise) is fine too
    snr = 10 * np.log10(np.sum(ideal[2400:-2400].astype(float) ** 2) / noise)
    assert snr > 50


def test_24k_mono_int16_passes_through_unchanged() -> None:
    samples = tone16(440.0, 0.1)
    assert np.array_equal(InputConverter(24000, 1).convert(samples), samples)
    assert np.array_equal(float_to_int16(to_float32(samples)), samples)


def test_output_conversion_to_a_48k_stereo_device_keeps_the_tone() -> None:
    converter = OutputConverter(48000, 2)
    samples = tone16(440.0, 1.0)
    frames = np.concatenate([converter.convert(samples[i : i + 480]) for i in range(0, 24000, 480)])
    assert frames.shape[1] == 2 and frames.dtype == np.float32
    assert 48000 - 200 <= len(frames) <= 48000  # the resampler holds back a few ms
    assert peak_frequency(frames[4800:, 0], 48000) == pytest.approx(440.0, abs=0.5)


def write_48k_stereo_wav(path: Path, seconds: float, frequency: float) -> None:
    samples = np.round(tone(frequency, seconds, 48000) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(48000)
        writer.writeframes(np.stack([samples, samples], axis=1).astype("<i2").tobytes())


def test_a_48k_wav_gives_24k_mono_with_frequency_and_duration_kept(tmp_path: Path) -> None:
    path = tmp_path / "tone48k.wav"
    write_48k_stereo_wav(path, 1.5, 440.0)
    wav = read_wav(path)
    assert (wav.rate, wav.channels, wav.duration) == (48000, 2, 1.5)
    mono = wav.to_24k_mono()
    assert len(mono) == 36000
    assert peak_frequency(mono, 24000) == pytest.approx(440.0, abs=0.2)


def test_wav_written_at_24k_reads_back_the_same(tmp_path: Path) -> None:
    samples = tone16(300.0, 0.25)
    wav = read_wav(write_wav(tmp_path / "item.wav", samples))
    assert (wav.rate, wav.channels) == (24000, 1)
    assert np.array_equal(wav.samples[:, 0], samples)


def test_a_file_that_is_not_a_wav_is_a_readable_error(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(b"not a wav at all")
    with pytest.raises(ValueError, match="not a PCM WAV"):
        read_wav(path)


async def test_the_wav_microphone_streams_a_48k_file_as_24k_chunks_in_real_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tone48k.wav"
    write_48k_stereo_wav(path, 0.3, 500.0)
    chunks: list[np.ndarray] = []
    ended = asyncio.get_running_loop().create_future()
    mic = WavMicrophone(
        chunks.append, path, on_end=lambda: ended.set_result(True), tail_silence_s=0
    )
    loop = asyncio.get_running_loop()
    began = loop.time()
    mic.start()
    assert await mic.wait_started(2)
    await asyncio.wait_for(ended, 5)
    elapsed = loop.time() - began
    assert {len(c) for c in chunks} == {480}  # 20 ms
    assert sum(len(c) for c in chunks) == 7200
    assert elapsed >= 0.26  # paced: 0.3 s of audio takes about 0.3 s (the last chunk is not waited)
    assert peak_frequency(np.concatenate(chunks), 24000) == pytest.approx(500.0, abs=1)


async def test_the_wav_microphone_sends_a_tail_of_silence_after_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tone48k.wav"
    write_48k_stereo_wav(path, 0.1, 500.0)  # 2,400 samples at 24 kHz, loud to the last one
    chunks: list[np.ndarray] = []
    ended = asyncio.get_running_loop().create_future()
    mic = WavMicrophone(
        chunks.append, path, on_end=lambda: ended.set_result(True), tail_silence_s=0.2
    )
    mic.start()
    await asyncio.wait_for(ended, 5)
    audio = np.concatenate(chunks)
    assert len(audio) == 2400 + 4800  # the file, then 0.2 s of silence
    assert np.abs(audio[2000:2400]).max() > 1000 and not audio[2400:].any()
    assert mic.finished
    mic.start()  # a finished file sends nothing more, its tail included
    assert not mic.running and len(np.concatenate(chunks)) == 7200


def test_chunks_are_20_to_40_ms_whatever_the_resampler_gives() -> None:
    chunker = Chunker(480, 960)
    assert chunker.push(np.zeros(300, np.int16)) == []
    assert [len(c) for c in chunker.push(np.zeros(479, np.int16))] == [779]
    assert [len(c) for c in chunker.push(np.zeros(2000, np.int16))] == [960, 960]
    assert len(chunker) == 80
    assert len(chunker.flush()) == 80


def test_g711_matches_the_reference_codec_bit_for_bit() -> None:
    audioop = pytest.importorskip("audioop")  # Python < 3.13 ships the reference codec
    every = np.arange(-32768, 32768, dtype=np.int16)
    assert ulaw_encode(every) == audioop.lin2ulaw(every.tobytes(), 2)
    assert alaw_encode(every) == audioop.lin2alaw(every.tobytes(), 2)
    codes = bytes(range(256))
    assert ulaw_decode(codes).tobytes() == audioop.ulaw2lin(codes, 2)
    assert alaw_decode(codes).tobytes() == audioop.alaw2lin(codes, 2)


@pytest.mark.parametrize("fmt", ["audio/pcmu", "g711_alaw", {"type": "audio/pcmu"}])
def test_g711_sessions_are_converted_at_the_edges(fmt: object) -> None:
    samples = tone16(400.0, 0.5)
    encoded = encode_audio(samples, fmt)  # type: ignore[arg-type]
    assert len(encoded) == 4000  # 8 kHz, one byte a sample
    decoded = decode_audio(encoded, fmt)  # type: ignore[arg-type]
    assert len(decoded) == 12000
    assert peak_frequency(decoded, 24000) == pytest.approx(400.0, abs=1)
    assert best_alignment(decoded, samples[1200:-1200])[1] > 0.99


def test_pcm_sessions_are_plain_pcm16() -> None:
    samples = tone16(400.0, 0.01)
    assert np.array_equal(decode_audio(encode_audio(samples, "audio/pcm"), "pcm16"), samples)
    with pytest.raises(ValueError, match="unknown audio format"):
        encode_audio(samples, "audio/opus")
