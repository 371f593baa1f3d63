"""WebRTC calls: an independent aiortc client places calls through the registry over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from console.simulator.connection import Connection
from console.simulator.dialect import GA
from console.simulator.peers import Peer
from console.simulator.webrtc import Call, CallRegistry

from .rtc_client import RtcClient

LONG = " ".join(["word"] * 40)  # echoed back: a reply of about ten seconds


def make_connection(peer: Peer) -> Connection:
    return Connection(peer, GA, "gpt-realtime", "fast", None)


@pytest.fixture
async def registry() -> AsyncIterator[CallRegistry]:
    reg = CallRegistry(connect_timeout_s=10)
    yield reg
    await reg.close()


@pytest.fixture
async def client() -> AsyncIterator[RtcClient]:
    rtc = RtcClient()
    yield rtc
    await rtc.close()


async def connect(registry: CallRegistry, client: RtcClient, **session: object) -> Call:
    call = await registry.place(
        await client.offer(), session=session or None, make_connection=make_connection
    )
    await client.accept(call.answer_sdp)
    await client.wait_for("session.created")
    return call


def say(client: RtcClient, text: str) -> None:
    client.send(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            },
        }
    )
    client.send({"type": "response.create"})


async def test_text_turn_over_the_data_channel(registry: CallRegistry, client: RtcClient) -> None:
    call = await connect(registry, client)
    assert call.id.startswith("rtc_") and registry.get(call.id) is call
    say(client, "hello there")
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "completed"
    types = client.types()
    assert "response.output_audio_transcript.delta" in types
    assert "response.output_audio.delta" not in types  # the audio rides RTP
    await client.wait_for("output_audio_buffer.stopped")
    types = client.types()
    started = types.index("output_audio_buffer.started")
    assert types.index("response.content_part.added") < started
    assert types.index("response.done") < types.index("output_audio_buffer.stopped")
    await asyncio.wait_for(client.loud.wait(), 5)  # the reply was heard on the track


async def test_text_only_response_has_no_output_buffer(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client, type="realtime", output_modalities=["text"])
    say(client, "hello")
    await client.wait_for("response.done")
    assert "response.output_text.delta" in client.types()
    assert not any(t.startswith("output_audio_buffer.") for t in client.types())
