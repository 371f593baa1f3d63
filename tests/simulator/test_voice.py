"""The synthetic voice is speech-like (voiced, harmonic, syllable-rate envelope), not silence and
not white noise; responses align transcript deltas with audio deltas (pacing: test_pace.py)."""

from __future__ import annotations

import base64

import numpy as np

from console.simulator import SimulatorServer, voice

from .helpers import Client


def reply_audio() -> np.ndarray:
    pieces = voice.speak("You said: the quick brown fox jumps over the lazy dog", "marin")
    return np.concatenate([audio for _, audio in pieces])


def test_not_silence_and_not_clipping() -> None:
    audio = reply_audio().astype(np.float64)
    rms = np.sqrt(np.mean(audio**2))
    assert 500 < rms < 12000
    assert np.max(np.abs(audio)) < 32767


def test_spectrum_is_harmonic_not_flat() -> None:
    """Spectral flatness (geometric/arithmetic mean of power) is far below white noise's ~0.56."""
    audio = reply_audio().astype(np.float64)
    frames = audio[: len(audio) // 1024 * 1024].reshape(-1, 1024) * np.hanning(1024)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-9
    loud = power.sum(axis=1) > np.median(power.sum(axis=1))
    flatness = np.exp(np.mean(np.log(power[loud]), axis=1)) / np.mean(power[loud], axis=1)
    noise = np.random.default_rng(0).standard_normal(len(audio))
    nframes = noise[: len(noise) // 1024 * 1024].reshape(-1, 1024) * np.hanning(1024)
    npower = np.abs(np.fft.rfft(nframes, axis=1)) ** 2
    nflat = np.exp(np.mean(np.log(npower), axis=1)) / np.mean(npower, axis=1)
    assert np.median(flatness) < 0.1 < np.median(nflat)
    # Energy sits where voices have it: mostly below 4 kHz.
    freqs = np.fft.rfftfreq(1024, 1 / 24000)
    assert power[loud][:, freqs < 4000].sum() / power[loud].sum() > 0.95


def test_syllable_rate_envelope() -> None:
    """The amplitude envelope is modulated at a syllable rate (2-8 Hz dominates)."""
    audio = reply_audio().astype(np.float64)
    env = np.sqrt(np.mean(audio[: len(audio) // 240 * 240].reshape(-1, 240) ** 2, axis=1))
    env = env - env.mean()
    spectrum = np.abs(np.fft.rfft(env))
    freqs = np.fft.rfftfreq(len(env), 0.01)
    band = (freqs >= 2) & (freqs <= 8)
    assert spectrum[band].max() == spectrum[freqs >= 1].max()


def test_deterministic_and_aligned_pieces() -> None:
    text = "Hello there, friend."
    first = list(voice.speak(text, "alloy"))
    second = list(voice.speak(text, "alloy"))
    assert "".join(p for p, _ in first) == text
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(first, second, strict=True))
    assert [p for p, _ in first] == ["Hello", " there,", " friend."]
    other = list(voice.speak(text, "echo"))
    assert not np.array_equal(first[0][1], other[0][1])  # voices differ in pitch


async def collect_audio_response(client: Client) -> list[dict[str, object]]:
    await client.recv_until("session.created")
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    await client.recv_until("session.updated")
    await client.send(
        "conversation.item.create",
        item={
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "one two three four"}],
        },
    )
    await client.send("response.create")
    events = await client.collect_until("response.done")
    first = next(i for i, e in enumerate(events) if e["type"] == "response.created")
    return events[first:]


async def test_transcript_deltas_precede_their_audio(server: SimulatorServer) -> None:
    client = await Client.connect(server.url)
    events = await collect_audio_response(client)
    kinds = [e["type"] for e in events]
    expected_order = [
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    ]
    assert kinds[:4] == expected_order
    assert kinds[-6:] == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    assert (await client.recv())["type"] == "rate_limits.updated"  # GA: after response.done
    middle = events[4:-6]
    pairs = list(zip(middle[::2], middle[1::2], strict=True))
    assert all(
        t["type"] == "response.output_audio_transcript.delta"
        and a["type"] == "response.output_audio.delta"
        for t, a in pairs
    )
    words = [t["delta"].strip() for t, _ in pairs]
    assert words == ["You", "said:", "one", "two", "three", "four"]
    durations = [len(base64.b64decode(a["delta"])) / 48000 for _, a in pairs]
    assert all(0.1 < d < 1.0 for d in durations)
    assert durations[words.index("three")] < durations[words.index("said:")] + 0.2
    await client.close()
