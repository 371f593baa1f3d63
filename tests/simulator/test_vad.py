"""Server VAD: speech_started/speech_stopped land within 50 ms of the true boundaries.

True boundaries are computed here from the signal itself (first and last sample above 1 % of
full scale), then shifted by the documented conventions: ``audio_start_ms`` includes
``prefix_padding_ms`` before the onset, ``audio_end_ms`` includes ``silence_duration_ms`` after
the offset. Audio is appended in 20 ms chunks, as a microphone would send it.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from console.simulator import SimulatorServer
from tests.tools import require_executable

from .helpers import Client, pcm_b64, silence

TOLERANCE_MS = 50
CHUNK = 480  # 20 ms at 24 kHz


def true_bounds_ms(signal: np.ndarray, lead_samples: int = 0) -> tuple[float, float]:
    """Onset and offset (ms) where |x| first/last exceeds 1 % of full scale."""
    loud = np.nonzero(np.abs(signal.astype(np.int32)) > 328)[0]
    return (loud[0] + lead_samples) / 24.0, (loud[-1] + 1 + lead_samples) / 24.0


def speech_like_burst(seconds: float, seed: int = 1) -> np.ndarray:
    """A voiced burst: harmonics of ~140 Hz under a 5 Hz syllable envelope, with a floor."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 24000)) / 24000
    f0 = 140 + 15 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 24000
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 5 * t) ** 2
    wave_ = voiced * envelope
    wave_ = wave_ / np.max(np.abs(wave_)) * 12000 + rng.normal(0, 30, len(t))
    return wave_.astype(np.int16)


async def run_vad(
    url: str, signal: np.ndarray, turn_detection: dict[str, object]
) -> tuple[dict[str, object], dict[str, object], Client]:
    client = await Client.connect(url)
    await client.recv_until("session.created")
    await client.send(
        "session.update",
        session={
            "type": "realtime",
            "output_modalities": ["text"],
            "audio": {"input": {"turn_detection": turn_detection}},
        },
    )
    await client.recv_until("session.updated")
    for start in range(0, len(signal), CHUNK):
        await client.send("input_audio_buffer.append", audio=pcm_b64(signal[start : start + CHUNK]))
    started = await client.recv_until("input_audio_buffer.speech_started")
    stopped = await client.recv_until("input_audio_buffer.speech_stopped")
    return started, stopped, client


@pytest.mark.parametrize(
    ("threshold", "prefix_ms", "silence_ms"),
    [(0.5, 300, 500), (0.3, 100, 200), (0.7, 0, 800)],
)
async def test_synthetic_burst_boundaries(
    server: SimulatorServer, threshold: float, prefix_ms: int, silence_ms: int
) -> None:
    rng = np.random.default_rng(7)
    noise_floor = lambda s: rng.normal(0, 20, int(s * 24000)).astype(np.int16)  # noqa: E731
    lead = noise_floor(0.83)
    burst = speech_like_burst(1.37)
    signal = np.concatenate([lead, burst, noise_floor(silence_ms / 1000 + 0.6)])
    onset, offset = true_bounds_ms(burst, len(lead))
    td = {
        "type": "server_vad",
        "threshold": threshold,
        "prefix_padding_ms": prefix_ms,
        "silence_duration_ms": silence_ms,
        "create_response": True,
    }
    started, stopped, client = await run_vad(server.url, signal, td)
    assert abs(started["audio_start_ms"] - (onset - prefix_ms)) <= TOLERANCE_MS
    assert abs(stopped["audio_end_ms"] - (offset + silence_ms)) <= TOLERANCE_MS
    assert started["item_id"] == stopped["item_id"]
    committed = await client.recv_until("input_audio_buffer.committed")
    assert committed["item_id"] == started["item_id"]
    done = (await client.recv_until("response.done"))["response"]
    expected = (stopped["audio_end_ms"] - started["audio_start_ms"]) / 1000
    assert f"[speech {expected:.1f} s]" in done["output"][0]["content"][0]["text"]
    await client.close()


async def test_quiet_audio_is_not_speech(server: SimulatorServer) -> None:
    """Below the threshold nothing is detected; a later burst still is."""
    quiet = (speech_like_burst(1.0) // 200).astype(np.int16)  # about -45 dBFS
    signal = np.concatenate([silence(0.2), quiet, silence(0.3), speech_like_burst(0.5), silence(1)])
    started, _, client = await run_vad(
        server.url, signal, {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 0}
    )
    assert started["audio_start_ms"] >= 1450
    await client.close()


async def test_semantic_vad_accepted(server: SimulatorServer) -> None:
    """semantic_vad is accepted; eagerness maps to a silence length (high: 250 ms)."""
    burst = speech_like_burst(0.8)
    signal = np.concatenate([silence(0.5), burst, silence(1.0)])
    _, offset = true_bounds_ms(burst, 12000)
    _, stopped, client = await run_vad(
        server.url, signal, {"type": "semantic_vad", "eagerness": "high"}
    )
    assert abs(stopped["audio_end_ms"] - (offset + 250)) <= TOLERANCE_MS
    await client.close()


def espeak_24k(tmp_path: Path, text: str) -> np.ndarray:
    """Speak ``text`` with espeak-ng and resample it to 24 kHz mono int16 with numpy."""
    exe = require_executable("espeak-ng")
    out = tmp_path / "speech.wav"
    subprocess.run([exe, "-v", "en-us", "-w", str(out), text], check=True, timeout=30)
    with wave.open(str(out)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels()).mean(axis=1)
    positions = np.arange(int(len(data) * 24000 / rate)) * rate / 24000
    return np.interp(positions, np.arange(len(data)), data).astype(np.int16)


async def test_espeak_sentence_boundaries(server: SimulatorServer, tmp_path: Path) -> None:
    speech = espeak_24k(tmp_path, "The quick brown fox jumps over the lazy dog.")
    lead = silence(1.2)
    signal = np.concatenate([lead, speech, silence(1.5)])
    onset, offset = true_bounds_ms(speech, len(lead))
    td = {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
    }
    started, stopped, client = await run_vad(server.url, signal, td)
    assert abs(started["audio_start_ms"] - (onset - 300)) <= TOLERANCE_MS
    assert abs(stopped["audio_end_ms"] - (offset + 500)) <= TOLERANCE_MS
    await client.close()


async def test_long_silence_keeps_absolute_timestamps(server: SimulatorServer) -> None:
    """After minutes of silence (older audio is dropped), timestamps still count from the start."""
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send(
        "session.update",
        session={
            "type": "realtime",
            "output_modalities": ["text"],
            "audio": {
                "input": {"turn_detection": {"type": "server_vad", "prefix_padding_ms": 300}}
            },
        },
    )
    await client.recv_until("session.updated")
    two_seconds = pcm_b64(silence(2.0))
    for _ in range(75):  # 150 s
        await client.send("input_audio_buffer.append", audio=two_seconds)
    burst = speech_like_burst(0.6)
    signal = np.concatenate([burst, silence(1.0)])
    onset, offset = true_bounds_ms(burst, 150 * 24000)
    for start in range(0, len(signal), CHUNK):
        await client.send("input_audio_buffer.append", audio=pcm_b64(signal[start : start + CHUNK]))
    started = await client.recv_until("input_audio_buffer.speech_started")
    stopped = await client.recv_until("input_audio_buffer.speech_stopped")
    assert abs(started["audio_start_ms"] - (onset - 300)) <= TOLERANCE_MS
    assert abs(stopped["audio_end_ms"] - (offset + 200)) <= TOLERANCE_MS
    done = (await client.recv_until("response.done"))["response"]
    expected = (stopped["audio_end_ms"] - started["audio_start_ms"]) / 1000
    assert f"[speech {expected:.1f} s]" in done["output"][0]["content"][0]["text"]
    await client.close()


async def test_idle_timeout_commits_silence_and_responds(server: SimulatorServer) -> None:
    """server_vad ``idle_timeout_ms``: counted in input audio from the end of the reply's audio."""
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    td = {"type": "server_vad", "idle_timeout_ms": 5000}
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": td}}}
    )
    await client.recv_until("session.updated")
    await client.send(
        "conversation.item.create",
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    )
    await client.send("response.create")
    events = await client.collect_until("response.done")
    reply_ms = sum(
        len(__import__("base64").b64decode(e["delta"])) // 48
        for e in events
        if e["type"] == "response.output_audio.delta"
    )
    chunk = pcm_b64(silence(0.1))
    for _ in range(int(reply_ms / 100) + 60):  # the reply's playback, then 6 s of silence
        await client.send("input_audio_buffer.append", audio=chunk)
    triggered = await client.recv_until("input_audio_buffer.timeout_triggered")
    assert abs(triggered["audio_start_ms"] - reply_ms) <= 1
    assert 5000 <= triggered["audio_end_ms"] - triggered["audio_start_ms"] < 5100  # 100 ms chunks
    committed = await client.recv_until("input_audio_buffer.committed")
    assert committed["item_id"] == triggered["item_id"]
    done = (await client.recv_until("response.done"))["response"]
    assert done["output"][0]["content"][0]["transcript"] == "You said: [speech 5.0 s]"
    await client.close()
