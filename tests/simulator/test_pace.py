"""Pace: with ``pace="realtime"`` generation runs ahead of playback by ``generation_speed``
(default 3x), so a response finishes generating long before its audio would finish playing; a
barge-in after ``response.done`` cancels nothing and truncating within the generated audio works."""

from __future__ import annotations

import base64
import time
from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone
from .test_schema import names, session_patch, user_text


async def timed_response(client: Client, text: str, vad: bool = False) -> tuple[float, float, Any]:
    """(audio seconds, seconds from response.created to response.done, response.done)."""
    await client.recv_until("session.created")
    td = {"type": "server_vad"} if vad else None
    await client.send("session.update", session=session_patch(client.dialect, turn_detection=td))
    await client.recv_until("session.updated")
    await client.send("conversation.item.create", item=user_text(text))
    await client.send("response.create")
    await client.recv_until("response.created")
    started = time.monotonic()
    events = await client.collect_until("response.done", timeout=20)
    elapsed = time.monotonic() - started
    audio = names(client.dialect)["audio_delta"]
    audio_s = sum(len(base64.b64decode(e["delta"])) / 48000 for e in events if e["type"] == audio)
    return audio_s, elapsed, events[-1]["response"]


async def test_generation_runs_three_times_faster_than_playback(
    slow_server: SimulatorServer,
) -> None:
    client = await Client.connect(slow_server.url)
    audio_s, elapsed, _ = await timed_response(client, "one two three four five six seven")
    assert audio_s > 2.0
    assert audio_s / 3 * 0.8 < elapsed < audio_s / 3 + 0.6  # paced, 3x, after a short think
    await client.close()


async def test_generation_speed_is_configurable() -> None:
    async with SimulatorServer(pace="realtime", generation_speed=1.0) as server:
        client = await Client.connect(server.url)
        audio_s, elapsed, _ = await timed_response(client, "one two three")
        assert elapsed > audio_s * 0.9  # real time: playback speed
        await client.close()
    with pytest.raises(ValueError, match="generation_speed"):
        SimulatorServer(generation_speed=0)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_barge_in_after_done_cancels_nothing_and_truncate_succeeds(
    slow_server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(slow_server.url, dialect)
    text = "one two three four five six seven eight nine ten"
    audio_s, elapsed, done = await timed_response(client, text, vad=True)
    assert done["status"] == "completed"
    assert elapsed < audio_s / 2  # a player would still be playing this reply
    played_ms = int(audio_s * 1000 / 2)
    speech = np.concatenate([tone(0.4), silence(0.8)])
    await client.send("input_audio_buffer.append", audio=pcm_b64(speech))
    await client.recv_until("input_audio_buffer.speech_started")
    item_id = done["output"][0]["id"]
    await client.send(
        "conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=played_ms
    )
    truncated = await client.recv_until("conversation.item.truncated")
    assert truncated["audio_end_ms"] == played_ms
    await client.recv_until("response.done", timeout=10)  # the new turn's response
    dones = [e["response"] for e in client.received if e["type"] == "response.done"]
    assert [d["status"] for d in dones] == ["completed", "completed"]
    assert not [e for e in client.received if e["type"] == "error"]
    await client.close()


def test_serve_takes_the_pace_options() -> None:
    from console.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.generation_speed, args.transcription_delay) == (3.0, 0.3)
    args = build_parser().parse_args(
        ["serve", "--generation-speed", "5", "--transcription-delay", "0.8"]
    )
    assert (args.generation_speed, args.transcription_delay) == (5.0, 0.8)
