"""A WebRTC call placed through the relay with an ``ek_`` secret minted through it.

The secret carries its session; on ``POST /v1/realtime/calls`` the relay forwards the caller's
``Bearer ek_…`` upstream as is (the upstream validates it), so the call starts from the
secret's config. Everywhere else the relay's token rules hold. The console's library, given the
relay's URL and token with ``transport="webrtc"``, mints through the relay and calls through it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from console.realtime import RealtimeClient
from console.realtime.redaction import redact
from console.relay import RelayServer
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder
from tests.simulator.rtc_client import RtcClient

from .test_http_routes import KEY, TOKEN, post, sdk

TIMEOUT = 15.0


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(require_key=KEY) as server:
        yield server


@pytest.fixture
async def relay(simulator: SimulatorServer, no_ambient_key: None) -> AsyncIterator[RelayServer]:
    async with RelayServer(upstream_url=simulator.url, api_key=KEY, port=0, token=TOKEN) as r:
        yield r


@pytest.fixture
async def rtc() -> AsyncIterator[RtcClient]:
    client = RtcClient(audio=False)
    yield client
    await client.close()


async def test_a_call_with_an_ek_minted_through_the_relay_keeps_its_session(
    relay: RelayServer, rtc: RtcClient
) -> None:
    session = {
        "type": "realtime",
        "instructions": "Talk like a pirate.",
        "audio": {"output": {"voice": "marin"}},
    }
    secret = await sdk(relay).realtime.client_secrets.create(session=session)
    status, answer, headers = await post(
        relay.http_url + "/realtime/calls",
        {"Authorization": f"Bearer {secret.value}", "Content-Type": "application/sdp"},
        data=(await rtc.offer()).encode(),
    )
    assert status == 201, answer
    assert headers["Location"].startswith("/v1/realtime/calls/rtc_")
    await rtc.accept(answer)
    created = await rtc.wait_for("session.created")
    assert created["session"]["instructions"] == "Talk like a pirate."
    assert created["session"]["audio"]["output"]["voice"] == "marin"


async def test_a_forged_ek_gets_the_upstreams_401(
    relay: RelayServer, simulator: SimulatorServer, rtc: RtcClient
) -> None:
    status, body, _ = await post(
        relay.http_url + "/realtime/calls",
        {"Authorization": "Bearer ek_forged_0123456789", "Content-Type": "application/sdp"},
        data=(await rtc.offer()).encode(),
    )
    assert status == 401, body
    assert "relay token" not in body  # the upstream refused it, not the relay
    assert len(simulator.calls) == 0


@pytest.mark.parametrize("path", ["/realtime/client_secrets", "/realtime/calls/rtc_x/hangup"])
async def test_an_ek_is_no_relay_token_on_the_other_routes(
    relay: RelayServer, simulator: SimulatorServer, path: str
) -> None:
    secret = await sdk(relay).realtime.client_secrets.create()
    status, body, _ = await post(
        relay.http_url + path, {"Authorization": f"Bearer {secret.value}"}, json={}
    )
    assert status == 401, body
    assert "relay token" in json.loads(body)["error"]["message"]
    assert len(simulator.client_secrets) == 1


async def test_the_relays_refusal_survives_the_consoles_redaction(relay: RelayServer) -> None:
    status, body, _ = await post(relay.http_url + "/realtime/calls", {}, data=b"v=0\r\n")
    assert status == 401
    message = json.loads(body)["error"]["message"]
    assert redact(message) == message
    assert "Bearer" in message and "Authorization header" in message


async def test_the_library_calls_through_the_relay_over_webrtc(relay: RelayServer) -> None:
    client = RealtimeClient(url=relay.url, api_key=TOKEN, transport="webrtc")
    recorder = Recorder(client, "conversation.item.completed", "error")
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        client.send_user_message_content([{"type": "input_text", "text": "Hello relay"}])
        items = await recorder.wait_for(
            lambda: [
                r["item"]
                for r in recorder.events["conversation.item.completed"]
                if r["item"]["role"] == "assistant"
            ],
            TIMEOUT,
            "the assistant's reply",
        )
        assert items[0]["formatted"]["transcript"]
        assert not recorder.events["error"]
    finally:
        await client.disconnect()
