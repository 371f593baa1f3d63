"""Cancellation as the real server does it: a response cancelled mid-stream closes what it opened
(audio and transcript ``done`` with the partial transcript, ``content_part.done``, then the item
``incomplete`` and ``response.done`` ``cancelled``); one cancelled before any output has zero
usage and sends no ``rate_limits.updated``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone
from .test_schema import names, session_patch, user_text

LONG = "a long story about many things " * 6


def numbers(value: Any) -> list[float]:
    """Every number inside a JSON value."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


async def speaking(client: Client, vad: bool) -> None:
    """Start a long spoken response and wait for its first audio delta."""
    await client.recv_until("session.created")
    td = {"type": "server_vad"} if vad else None
    await client.send("session.update", session=session_patch(client.dialect, turn_detection=td))
    await client.recv_until("session.updated")
    await client.send("conversation.item.create", item=user_text(LONG))
    await client.send("response.create")
    await client.recv_until(names(client.dialect)["audio_delta"])


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize("reason", ["client_cancelled", "turn_detected"])
async def test_cancelled_mid_stream_closes_what_it_opened(
    slow_server: SimulatorServer, dialect: str, reason: str
) -> None:
    client = await Client.connect(slow_server.url, dialect)
    await speaking(client, vad=reason == "turn_detected")
    if reason == "client_cancelled":
        await client.send("response.cancel")
    else:
        speech = np.concatenate([tone(0.4), silence(0.1)])
        await client.send("input_audio_buffer.append", audio=pcm_b64(speech))
    await client.recv_until("response.done", timeout=10)
    events = [e for e in client.received if e.get("response_id") or e["type"] == "response.done"]
    closing = [e["type"] for e in events if not e["type"].endswith(".delta")]
    audio = "response.output_audio" if dialect == "ga" else "response.audio"
    assert closing[-5:] == [
        f"{audio}.done",
        f"{audio}_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
    ]
    spoken = "".join(e["delta"] for e in events if e["type"] == f"{audio}_transcript.delta")
    transcript_done = next(e for e in events if e["type"] == f"{audio}_transcript.done")
    part_done = next(e for e in events if e["type"] == "response.content_part.done")
    assert spoken and ("You said: " + LONG).startswith(spoken)
    assert transcript_done["transcript"] == spoken
    assert len(spoken) < len("You said: " + LONG)  # partial
    assert part_done["part"] == {"type": "audio", "transcript": spoken}
    item_done = next(e for e in events if e["type"] == "response.output_item.done")
    assert item_done["item"]["status"] == "incomplete"
    done = events[-1]["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"]["reason"] == reason
    assert done["output"][0]["content"][0]["transcript"] == spoken
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_cancelled_before_output_costs_nothing(
    slow_server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(slow_server.url, dialect)
    await client.recv_until("session.created")
    await client.send("conversation.item.create", item=user_text("hello"))
    await client.send("response.create")
    await client.send("response.cancel")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"]["reason"] == "client_cancelled"
    assert done["output"] == []
    assert done["usage"]["total_tokens"] == 0
    assert set(numbers(done["usage"])) == {0}
    # a marker round trip: everything the response sent has arrived before its answer
    await client.send("conversation.item.create", item=user_text("marker"))
    await client.recv_until(names(dialect)["added"])
    kinds = [e["type"] for e in client.received]
    assert "rate_limits.updated" not in kinds
    assert "response.output_item.added" not in kinds
    await client.close()
