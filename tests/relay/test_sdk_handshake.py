"""The official openai SDK through the relay, against the recording upstream.

These check what the SDK's handshake turns into upstream (model, dialect header, key) and that
its frames pass unchanged; the full conversations against the simulator are in
``test_sdk_simulator.py``.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

from openai import AsyncOpenAI

from console.relay import RelayServer

from .conftest import TIMEOUT, FakeUpstream

SERVER_KEY = "sk-server-secret-0000"
CLIENT_KEY = "sk-client-not-forwarded"


def sdk_client(relay: RelayServer) -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key=CLIENT_KEY,
        base_url=f"http://127.0.0.1:{relay.port}/v1",
        websocket_base_url=f"ws://127.0.0.1:{relay.port}/v1",
    )


async def test_sdk_ga_handshake_and_frames_through_the_relay(
    relay: RelayServer, upstream: FakeUpstream
):
    upstream.echo = False
    upstream.greeting = json.dumps({"type": "session.created", "event_id": "event_1"})
    async with sdk_client(relay).realtime.connect(model="gpt-realtime") as conn:
        up = await upstream.next_connection()
        event = await asyncio.wait_for(conn.recv(), TIMEOUT)
        assert event.type == "session.created"
        await conn.send({"type": "response.create", "event_id": "evt_client_1"})
        raw = await asyncio.wait_for(up.received.get(), TIMEOUT)
    assert json.loads(raw) == {"type": "response.create", "event_id": "evt_client_1"}
    assert urlsplit(up.path).path == "/v1/realtime"
    assert parse_qs(urlsplit(up.path).query) == {"model": ["gpt-realtime"]}
    assert up.headers.get_all("Authorization") == [f"Bearer {SERVER_KEY}"]
    assert "OpenAI-Beta" not in up.headers
    assert CLIENT_KEY not in str(up.headers) + up.path
    await asyncio.wait_for(up.closed.wait(), TIMEOUT)
    assert up.close_code == 1000


async def test_sdk_beta_handshake_carries_the_beta_header_upstream(
    relay: RelayServer, upstream: FakeUpstream
):
    async with sdk_client(relay).beta.realtime.connect(model="gpt-4o-realtime-preview") as conn:
        up = await upstream.next_connection()
        await conn.send({"type": "input_audio_buffer.clear"})
        echoed = await asyncio.wait_for(conn.recv(), TIMEOUT)
        assert echoed.type == "input_audio_buffer.clear"
    assert up.headers.get_all("OpenAI-Beta") == ["realtime=v1"]
    assert parse_qs(urlsplit(up.path).query) == {"model": ["gpt-4o-realtime-preview"]}
    assert up.headers["Authorization"] == f"Bearer {SERVER_KEY}"
