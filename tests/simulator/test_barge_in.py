"""Barge-in under server VAD: the interrupted response ends first (``turn_detected``), then the
new turn is committed and gets its own response; every turn in a burst gets one; with
``interrupt_response`` off, the owed response starts after the running one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone

LONG_TEXT = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"


def turn_detection_session(dialect: str, **td: Any) -> dict[str, Any]:
    """A session.update payload enabling server_vad with ``td`` overrides."""
    detection = {"type": "server_vad", **td}
    if dialect == "ga":
        return {"type": "realtime", "audio": {"input": {"turn_detection": detection}}}
    return {"turn_detection": detection}


async def start_spoken_response(client: Client, text: str) -> None:
    """Ask for a response to ``text`` and wait until its audio is streaming."""
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")
    delta = "response.output_audio.delta" if client.dialect == "ga" else "response.audio.delta"
    await client.recv_until(delta)


async def collect_responses(client: Client, count: int, timeout: float = 15) -> list[str]:
    """Read until ``count`` ``response.done`` events; returns the non-delta event types."""
    seen = 0
    kinds = []
    while seen < count:
        event = await client.recv(timeout)
        if not event["type"].endswith(".delta"):
            kinds.append(event["type"])
        seen += event["type"] == "response.done"
    return kinds


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_burst_interrupts_then_responds_in_order(
    slow_server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(slow_server.url, dialect)
    await client.recv_until("session.created")
    await start_spoken_response(client, LONG_TEXT)
    turn = np.concatenate([tone(0.6), silence(0.5)])
    await client.send("input_audio_buffer.append", audio=pcm_b64(turn))
    kinds = await collect_responses(client, 2)
    dones = [e for e in client.received if e["type"] == "response.done"]
    assert dones[0]["response"]["status"] == "cancelled"
    assert dones[0]["response"]["status_details"]["reason"] == "turn_detected"
    assert dones[1]["response"]["status"] == "completed"
    first_done = kinds.index("response.done")
    assert kinds.index("input_audio_buffer.speech_started") < first_done
    assert first_done < kinds.index("input_audio_buffer.speech_stopped")
    assert kinds.index("input_audio_buffer.speech_stopped") < kinds.index(
        "input_audio_buffer.committed"
    )
    assert kinds.index("input_audio_buffer.committed") < kinds.index("response.created")
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_every_turn_in_one_append_gets_a_response(
    server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    await client.send("session.update", session=turn_detection_session(dialect))
    await client.recv_until("session.updated")
    pcm = np.tile(np.concatenate([silence(1), tone(2), silence(1)]), 10)
    await client.send("input_audio_buffer.append", audio=pcm_b64(pcm))
    kinds = await collect_responses(client, 10)
    assert kinds.count("input_audio_buffer.speech_stopped") == 10
    assert kinds.count("response.created") == 10
    assert client.received[-1]["response"]["status"] == "completed"
    await client.close()


async def test_without_interrupt_the_turn_is_answered_after_the_response(
    slow_server: SimulatorServer,
) -> None:
    client = await Client.connect(slow_server.url)
    await client.recv_until("session.created")
    session = turn_detection_session("ga", interrupt_response=False)
    await client.send("session.update", session=session)
    await client.recv_until("session.updated")
    await start_spoken_response(client, "hi there")
    await client.send(
        "input_audio_buffer.append", audio=pcm_b64(np.concatenate([tone(0.6), silence(0.5)]))
    )
    kinds = await collect_responses(client, 2)
    dones = [e for e in client.received if e["type"] == "response.done"]
    assert [d["response"]["status"] for d in dones] == ["completed", "completed"]
    assert kinds.index("input_audio_buffer.committed") < kinds.index("response.done")
    assert kinds.index("response.done") < kinds.index("response.created")
    await client.close()
