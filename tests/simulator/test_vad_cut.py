"""A manual commit or ``input_audio_buffer.clear`` during detected speech closes the open
turn with ``speech_stopped`` (same item id) before committing or clearing."""

from __future__ import annotations

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone

CHUNK = 480  # 20 ms


async def vad_client(url: str, dialect: str) -> Client:
    """A client with server_vad on and no automatic responses."""
    client = await Client.connect(url, dialect)
    await client.recv_until("session.created")
    td = {"type": "server_vad", "create_response": False}
    session = (
        {"type": "realtime", "audio": {"input": {"turn_detection": td}}}
        if dialect == "ga"
        else {"turn_detection": td}
    )
    await client.send("session.update", session=session)
    await client.recv_until("session.updated")
    return client


async def feed(client: Client, pcm: np.ndarray) -> None:
    for start in range(0, len(pcm), CHUNK):
        await client.send("input_audio_buffer.append", audio=pcm_b64(pcm[start : start + CHUNK]))


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_commit_during_speech_stops_the_turn_first(
    server: SimulatorServer, dialect: str
) -> None:
    client = await vad_client(server.url, dialect)
    await feed(client, np.concatenate([silence(0.5), tone(0.5)]))
    started = await client.recv_until("input_audio_buffer.speech_started")
    await client.send("input_audio_buffer.commit")
    stopped = await client.recv_until("input_audio_buffer.speech_stopped")
    committed = await client.recv(5)
    assert committed["type"] == "input_audio_buffer.committed"
    assert stopped["item_id"] == started["item_id"] == committed["item_id"]
    assert stopped["audio_end_ms"] > started["audio_start_ms"]
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_clear_during_speech_stops_the_turn_first(
    server: SimulatorServer, dialect: str
) -> None:
    client = await vad_client(server.url, dialect)
    await feed(client, np.concatenate([silence(0.5), tone(0.5)]))
    started = await client.recv_until("input_audio_buffer.speech_started")
    await client.send("input_audio_buffer.clear")
    stopped = await client.recv(5)
    assert stopped["type"] == "input_audio_buffer.speech_stopped"
    assert stopped["item_id"] == started["item_id"]
    assert (await client.recv(5))["type"] == "input_audio_buffer.cleared"
    # speech that continues after the cut is a new, complete turn
    await feed(client, np.concatenate([tone(0.5), silence(1.0)]))
    again = await client.recv_until("input_audio_buffer.speech_started")
    assert (await client.recv_until("input_audio_buffer.speech_stopped"))["item_id"] == again[
        "item_id"
    ]
    await client.close()
