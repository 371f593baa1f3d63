"""Response lifecycle details: ``response.created`` precedes everything naming the response,
truncating or deleting a streaming item, custom voice ids, cancelling an out-of-band response."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from console.simulator import SimulatorServer

from .helpers import Client


def user_text(text: str) -> dict[str, Any]:
    """A user text message item."""
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def open_client(url: str, dialect: str = "ga") -> Client:
    client = await Client.connect(url, dialect)
    await client.recv_until("session.created")
    return client


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_created_precedes_the_active_response_error(
    server: SimulatorServer, dialect: str
) -> None:
    client = await open_client(server.url, dialect)
    await client.send("conversation.item.create", item=user_text("hello"))
    await client.send("response.create", event_id="first")
    await client.send("response.create", event_id="second")
    events = await client.collect_until("error")
    created = [e for e in events if e["type"] == "response.created"]
    assert created, [e["type"] for e in events]
    assert created[0]["response"]["id"] in events[-1]["error"]["message"]
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_created_precedes_a_cancel_error(server: SimulatorServer, dialect: str) -> None:
    client = await open_client(server.url, dialect)
    await client.send("response.create")
    await client.send("response.cancel", event_id="c1")
    await client.send("response.cancel", event_id="c2")
    events = await client.collect_until("error")
    assert "response.created" in [e["type"] for e in events]
    assert events[-1]["error"]["code"] == "response_cancel_not_active"
    await client.close()


async def test_truncating_a_streaming_item_cuts_it(slow_server: SimulatorServer) -> None:
    client = await open_client(slow_server.url)
    await client.send("conversation.item.create", item=user_text("one two three four five six"))
    await client.send("response.create")
    produced, item_id = 0, ""
    while produced < 24000 * 2 // 5:  # 200 ms of audio
        event = await client.recv_until("response.output_audio.delta")
        produced += len(base64.b64decode(event["delta"]))
        item_id = event["item_id"]
    await client.send(
        "conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=100
    )
    await client.recv_until("conversation.item.truncated")
    done = await client.recv_until("response.done")
    assert done["response"]["status"] == "cancelled"
    await client.send("conversation.item.retrieve", item_id=item_id)
    part = (await client.recv_until("conversation.item.retrieved"))["item"]["content"][0]
    assert len(base64.b64decode(part["audio"])) == 100 * 48  # 100 ms of 24 kHz PCM16
    assert part["transcript"] == ""
    await client.close()


async def test_deleted_streaming_item_gets_no_item_done(slow_server: SimulatorServer) -> None:
    client = await open_client(slow_server.url)
    await client.send("conversation.item.create", item=user_text("one two three four five"))
    await client.recv_until("conversation.item.done")
    await client.send("response.create")
    item_id = (await client.recv_until("conversation.item.added"))["item"]["id"]
    await client.send("conversation.item.delete", item_id=item_id)
    events = await client.collect_until("response.done")
    assert "conversation.item.deleted" in [e["type"] for e in events]
    assert not [
        e for e in events if e["type"] == "conversation.item.done" and e["item"]["id"] == item_id
    ]
    await client.close()


async def test_custom_voice_renders_as_its_id(server: SimulatorServer) -> None:
    client = await open_client(server.url)
    voice = {"type": "realtime", "audio": {"output": {"voice": {"id": "voice_123"}}}}
    await client.send("session.update", session=voice)
    await client.recv_until("session.updated")
    await client.send("conversation.item.create", item=user_text("hi"))
    await client.send("response.create")  # the Client validates every event with the SDK
    done = await client.recv_until("response.done")
    assert done["response"]["audio"]["output"]["voice"] == "voice_123"
    await client.close()


async def test_cancel_without_id_stops_the_only_out_of_band_response(
    slow_server: SimulatorServer,
) -> None:
    client = await open_client(slow_server.url)
    await client.send("response.create", response={"conversation": "none"})
    await client.recv_until("response.created")
    await client.send("response.cancel")
    done = await client.recv_until("response.done")
    assert done["response"]["status"] == "cancelled"
    assert not [e for e in client.received if e["type"] == "error"]
    await client.close()
