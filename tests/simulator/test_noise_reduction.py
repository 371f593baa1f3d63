"""Noise reduction: the audio a user item keeps (``conversation.item.retrieve``) has its steady
noise attenuated (far_field more than near_field), and VAD hears the cleaned audio; without it
the audio comes back exactly as sent. Both dialects."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, tone

SR = 24000


def noise(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    """Steady white noise at ``dbfs`` (RMS)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(int(seconds * SR)) * 32768 * 10 ** (dbfs / 20)


def level_db(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * float(np.log10(max(rms, 1e-9) / 32768))


def signal() -> np.ndarray:
    """1 s of noise, 1 s of a tone over the noise, 1 s of noise (int16)."""
    bed = noise(3.0, -45.0)
    bed[SR : 2 * SR] += tone(1.0, amplitude=8000)
    return np.clip(np.round(bed), -32768, 32767).astype(np.int16)


def noise_reduction(dialect: str, setting: dict[str, Any] | None) -> dict[str, Any]:
    if dialect == "beta":
        return {"input_audio_noise_reduction": setting, "turn_detection": None}
    audio = {"input": {"noise_reduction": setting, "turn_detection": None}}
    return {"type": "realtime", "audio": audio}


async def round_trip(server: SimulatorServer, dialect: str, setting: Any) -> np.ndarray:
    """Send :func:`signal` with ``setting``, commit, and return the retrieved item's audio."""
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    await client.send("session.update", session=noise_reduction(dialect, setting))
    session = (await client.recv_until("session.updated"))["session"]
    echoed = (
        session["input_audio_noise_reduction"]
        if dialect == "beta"
        else session["audio"]["input"]["noise_reduction"]
    )
    assert echoed == setting
    sent = signal()
    for start in range(0, len(sent), 2400):  # 100 ms appends
        await client.send("input_audio_buffer.append", audio=pcm_b64(sent[start : start + 2400]))
    await client.send("input_audio_buffer.commit")
    item_id = (await client.recv_until("input_audio_buffer.committed"))["item_id"]
    await client.send("conversation.item.retrieve", item_id=item_id)
    item = (await client.recv_until("conversation.item.retrieved"))["item"]
    await client.close()
    return np.frombuffer(base64.b64decode(item["content"][0]["audio"]), dtype="<i2")


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_noise_reduction_lowers_the_noise_floor(
    server: SimulatorServer, dialect: str
) -> None:
    sent = signal()
    plain = await round_trip(server, dialect, None)
    assert np.array_equal(plain, sent)  # off: exactly what was sent
    quiet = slice(int(2.2 * SR), 3 * SR)  # noise only, after the tone
    tone_part = slice(int(1.1 * SR), int(1.9 * SR))
    removed = {}
    for kind in ("near_field", "far_field"):
        kept = await round_trip(server, dialect, {"type": kind})
        assert len(kept) == len(sent)
        removed[kind] = level_db(sent[quiet]) - level_db(kept[quiet])
        assert abs(level_db(kept[tone_part]) - level_db(sent[tone_part])) < 0.5  # the tone stays
    assert removed["near_field"] >= 10, removed
    assert removed["far_field"] >= removed["near_field"] + 4, removed


async def test_strength_scales_the_reduction(server: SimulatorServer) -> None:
    """GA's ``strength`` (0-1): 0 changes nothing, 0.5 about half the decibels."""
    sent = signal()
    quiet = slice(int(2.2 * SR), 3 * SR)
    none = await round_trip(server, "ga", {"type": "near_field", "strength": 0.0})
    assert np.array_equal(none, sent)
    half = await round_trip(server, "ga", {"type": "near_field", "strength": 0.5})
    assert 4 <= level_db(sent[quiet]) - level_db(half[quiet]) <= 8


async def test_vad_hears_the_cleaned_audio(server: SimulatorServer) -> None:
    """Noise loud enough to trigger server VAD does not once noise reduction removes it: the
    turn starts at the tone."""
    bed = noise(4.0, -37.0, seed=2)
    bed[2 * SR : 3 * SR] += tone(1.0, amplitude=8000)
    sent = np.clip(np.round(bed), -32768, 32767).astype(np.int16)
    starts = {}
    for setting in (None, {"type": "near_field"}):
        client = await Client.connect(server.url)
        await client.recv_until("session.created")
        td = {"type": "server_vad", "prefix_padding_ms": 0, "create_response": False}
        audio = {"input": {"noise_reduction": setting, "turn_detection": td}}
        await client.send("session.update", session={"type": "realtime", "audio": audio})
        await client.recv_until("session.updated")
        for start in range(0, len(sent), 2400):
            await client.send(
                "input_audio_buffer.append", audio=pcm_b64(sent[start : start + 2400])
            )
        started = await client.recv_until("input_audio_buffer.speech_started")
        starts[str(setting)] = started["audio_start_ms"]
        await client.close()
    assert starts["None"] < 100  # the noise alone is "speech"
    assert 1950 <= starts[str({"type": "near_field"})] <= 2050  # only the tone is
