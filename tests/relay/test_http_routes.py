"""The relay's HTTP routes, with the simulator (which requires its key) as the upstream.

Through the relay, the openai SDK mints a client secret, places a WebRTC call (an independent
aiortc client makes the offer, and its data channel opens and sees ``session.created``) and
hangs it up. A caller without the relay's token is refused before anything goes upstream; the
server key never reaches the caller, nor the logs; an unreachable or silent upstream is told in
words, in OpenAI's error shape.

A WebRTC call may also be placed with an ``ek_`` secret minted through the relay: on
``POST /v1/realtime/calls`` the relay forwards the caller's ``Bearer ek_…`` upstream as is (the
upstream validates it), so the call starts from the secret's config; everywhere else the relay's
token rules hold. The console's library, given the relay's URL and token with
``transport="webrtc"``, mints through the relay and calls through it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openai import AsyncOpenAI, AuthenticationError, InternalServerError

from console.realtime import RealtimeClient
from console.realtime.redaction import redact
from console.relay import RelayServer
from console.relay.urls import http_base
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder
from tests.simulator.rtc_client import RtcClient

from .test_relay import free_port

KEY = "sk-relay-http-server-key-31337"
TOKEN = "relay-http-token-8080808080"
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


def sdk(relay: RelayServer, api_key: str = TOKEN) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=relay.http_url, api_key=api_key, max_retries=0)


async def post(
    url: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[int, str, dict[str, str]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, headers=headers or {}, **kwargs) as response,
    ):
        return response.status, await response.text(), dict(response.headers)


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("ws://127.0.0.1:9/v1/realtime", "http://127.0.0.1:9/v1"),
        ("wss://api.openai.com/v1/realtime?model=m", "https://api.openai.com/v1"),
        ("ws://user@h:1/", "http://h:1/v1"),
        ("ws://h/proxy/v1/realtime/", "http://h/proxy/v1"),
    ],
)
def test_the_http_base_comes_from_the_upstream_url(url: str, base: str) -> None:
    assert http_base(url) == base


async def test_the_sdk_mints_places_and_hangs_up_a_call_through_the_relay(
    relay: RelayServer,
    simulator: SimulatorServer,
    rtc: RtcClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = sdk(relay)
    secret = await client.realtime.client_secrets.create(
        session={"type": "realtime", "instructions": "Minted through the relay."}
    )
    assert secret.value.startswith("ek_")
    assert secret.session.instructions == "Minted through the relay."  # type: ignore[union-attr]
    assert simulator.client_secrets.lookup(secret.value) is not None

    answer = await client.realtime.calls.create(
        sdp=await rtc.offer(), session={"type": "realtime", "instructions": "Placed via relay."}
    )
    assert answer.response.status_code == 201
    assert answer.response.headers["Content-Type"].startswith("application/sdp")
    location = answer.response.headers["Location"]
    assert location.startswith("/v1/realtime/calls/rtc_")
    await rtc.accept(answer.text)  # the data channel opens
    created = await rtc.wait_for("session.created")
    assert created["session"]["instructions"] == "Placed via relay."

    call_id = location.rsplit("/", 1)[1]
    await client.realtime.calls.hangup(call_id)
    await asyncio.wait_for(rtc.closed.wait(), 10)
    assert simulator.calls.get(call_id) is None

    # Only the routes' own headers come back; the server key and the secret stay out of the logs.
    seen = str(dict(answer.response.headers)) + answer.text
    assert KEY not in seen
    assert set(answer.response.headers) <= {
        "content-type", "location", "content-length", "date", "server"
    }  # fmt: skip
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "upstream HTTP 201" in logged
    for value in (KEY, TOKEN, secret.value):
        assert value not in logged


async def test_upstream_errors_come_back_as_they_are(relay: RelayServer) -> None:
    status, body, headers = await post(
        relay.http_url + "/realtime/calls",
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sdp"},
        data=b"v=0\r\n",
    )
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "invalid_offer"
    async with sdk(relay) as client:
        with pytest.raises(Exception, match="No live call") as info:
            await client.realtime.calls.hangup("rtc_unknown")
    assert getattr(info.value, "status_code", None) == 404


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({}, ""),
        ({"Authorization": "Bearer wrong-token"}, ""),
        ({"Authorization": f"Basic {TOKEN}"}, ""),
        ({"Authorization": f"Bearer {KEY}"}, ""),  # the upstream's key is not the relay's token
        ({}, "?token=wrong"),
    ],
)
async def test_a_caller_without_the_token_is_refused_before_the_upstream(
    relay: RelayServer, simulator: SimulatorServer, headers: dict[str, str], query: str
) -> None:
    for path in ("/realtime/client_secrets", "/realtime/calls", "/realtime/calls/rtc_x/hangup"):
        status, body, answer_headers = await post(
            relay.http_url + path + query, headers, json={"session": {"type": "realtime"}}
        )
        assert status == 401, body
        assert json.loads(body)["error"]["code"] == "invalid_api_key"
        assert answer_headers["WWW-Authenticate"].startswith("Bearer")
    assert len(simulator.client_secrets) == 0
    with pytest.raises(AuthenticationError, match="relay token"):
        await sdk(relay, "wrong-token").realtime.client_secrets.create()
    assert len(simulator.client_secrets) == 0


async def test_the_token_is_accepted_as_a_query_parameter_too(
    relay: RelayServer, simulator: SimulatorServer
) -> None:
    status, body, _ = await post(relay.http_url + f"/realtime/client_secrets?token={TOKEN}")
    assert status == 200, body
    assert len(simulator.client_secrets) == 1


async def test_a_body_over_the_limit_is_refused_with_413(
    relay: RelayServer, simulator: SimulatorServer
) -> None:
    status, body, _ = await post(
        relay.http_url + "/realtime/client_secrets",
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        data=b" " * (1024 * 1024 + 1),
    )
    assert status == 413
    assert json.loads(body)["error"]["code"] == "request_too_large"
    assert len(simulator.client_secrets) == 0


async def test_an_unreachable_upstream_is_502_in_words(no_ambient_key: None) -> None:
    async with RelayServer(
        upstream_url=f"ws://127.0.0.1:{free_port()}/v1/realtime", api_key=KEY, port=0
    ) as relay:
        with pytest.raises(InternalServerError) as info:
            await sdk(relay).realtime.client_secrets.create()
    assert info.value.status_code == 502
    error = info.value.body
    assert isinstance(error, dict)
    assert error["message"] == "The relay could not reach its upstream: connection refused."
    assert error["code"] == "upstream_unavailable"
    assert KEY not in str(info.value.response.headers) + info.value.response.text


async def test_a_silent_upstream_is_504_after_the_timeout(no_ambient_key: None) -> None:
    release = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    app = web.Application()
    app.router.add_post("/v1/realtime/client_secrets", never)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with RelayServer(
            upstream_url=f"ws://127.0.0.1:{port}/v1/realtime",
            api_key=KEY,
            port=0,
            http_timeout=0.2,
        ) as relay:
            status, body, _ = await post(relay.http_url + "/realtime/client_secrets")
    finally:
        release.set()
        await runner.cleanup()
    assert status == 504
    assert json.loads(body)["error"]["message"] == (
        "The relay's upstream did not answer within 0.2 seconds."
    )


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
