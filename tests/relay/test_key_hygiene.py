"""Key hygiene: a relayed session's key and client token appear in none of the relay's outputs.

One relay with a known fake upstream key and a known client token goes through a session in each
way a client can present the token, a wrong token, a refusal whose body echoes the key (as
OpenAI's ``invalid_api_key`` message does), an upstream close whose reason carries the key, and a
client past the queue cap. Then every channel the relay writes to is searched for both secrets:
its log records at DEBUG (``console.relay``, the ``websockets`` logger it hands on, and every
other logger except the test's own clients and fake upstream, which legitimately see them),
rendered tracebacks, close reasons and HTTP responses sent to clients, and the relay's repr.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from console.relay import RelayServer

from .conftest import CLIENT_LOGGER, TIMEOUT, FakeUpstream
from .test_relay import closed_with, recv

UPSTREAM_KEY = "sk-fake-upstream-key-4242424242"
CLIENT_TOKEN = "client-token-1717171717"


async def test_neither_key_nor_token_reaches_any_output_of_the_relay(
    upstream: FakeUpstream, no_ambient_key: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger that propagates
    for name in ("console.relay", "console.relay.websockets", "websockets", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    outputs: list[str] = []  # what clients received from the relay itself

    def seen(response_headers: object, body: bytes = b"") -> None:
        outputs.append(str(response_headers))
        outputs.append(body.decode("utf-8", "replace"))

    async with RelayServer(
        upstream_url=upstream.url,
        api_key=UPSTREAM_KEY,
        port=0,
        token=CLIENT_TOKEN,
        max_queue_frames=3,
    ) as relay:
        outputs += [repr(relay), str(relay)]
        bearer = {"Authorization": f"Bearer {CLIENT_TOKEN}"}
        key_only = [f"openai-insecure-api-key.{CLIENT_TOKEN}"]

        # A session in each form of the token; the last one ends with an upstream close whose
        # reason carries the key.
        for headers, subprotocols, query in [
            (bearer, None, "?model=m"),
            ({}, ["realtime", *key_only], ""),
            ({}, key_only, ""),
            ({}, None, f"?token={CLIENT_TOKEN}"),
        ]:
            async with connect(
                relay.url + query,
                additional_headers=headers,
                subprotocols=subprotocols,  # type: ignore[arg-type]
                logger=CLIENT_LOGGER,
            ) as ws:
                assert ws.response is not None
                seen(ws.response.headers)
                up = await upstream.next_connection()
                await ws.send('{"type":"session.update"}')
                assert await recv(ws) == '{"type":"session.update"}'
                if query.startswith("?token"):
                    await up.connection.close(4001, f"invalid key {UPSTREAM_KEY}")
                    code, reason = await closed_with(ws)
                    assert code == 4001
                    outputs.append(reason or "")
            assert up.headers["Authorization"] == f"Bearer {UPSTREAM_KEY}"  # it did go upstream

        # A wrong token, and none: refused before the upgrade.
        for headers in ({"Authorization": f"Bearer {CLIENT_TOKEN}x"}, {}):
            with pytest.raises(InvalidStatus) as info:
                await connect(relay.url, additional_headers=headers, logger=CLIENT_LOGGER)
            seen(info.value.response.headers, info.value.response.body or b"")

        # The upstream refuses, its body echoing the key.
        upstream.refuse_status = 401
        upstream.refuse_body = f"Incorrect API key provided: {UPSTREAM_KEY}\n"
        async with connect(relay.url, additional_headers=bearer, logger=CLIENT_LOGGER) as ws:
            code, reason = await closed_with(ws)
            assert code == 1008
            outputs.append(reason or "")

        # A client past the queue cap while the upstream handshake is held.
        upstream.refuse_status = None
        upstream.gate = asyncio.Event()
        async with connect(relay.url, additional_headers=bearer, logger=CLIENT_LOGGER) as ws:
            for i in range(4):
                await ws.send(f"frame {i}")
            code, reason = await closed_with(ws)
            assert code == 1008
            outputs.append(reason or "")
        upstream.gate.set()

    records = [r for r in caplog.records if not r.name.startswith("tests.relay")]
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in records
    )
    # Debug logging really ran over the handshakes that carried both secrets ...
    assert "Authorization: [redacted]" in logged
    assert "openai-insecure-api-key.[redacted]" in logged
    assert "token=[redacted]" in logged
    assert "HTTP 401" in logged
    everything = logged + "\n".join(outputs)
    # ... and neither secret survived, in full or as the key's tail OpenAI's message echoes.
    for secret in (UPSTREAM_KEY, CLIENT_TOKEN, UPSTREAM_KEY[-12:], CLIENT_TOKEN[-10:]):
        assert secret not in everything, secret


async def test_the_key_goes_only_to_the_upstream_it_is_given(
    upstream: FakeUpstream, no_ambient_key: None
) -> None:
    async with RelayServer(upstream_url=upstream.url, api_key=UPSTREAM_KEY, port=0) as relay:
        async with connect(relay.url, logger=CLIENT_LOGGER) as ws:
            up = await upstream.next_connection()
            assert ws.response is not None
            assert UPSTREAM_KEY not in str(ws.response.headers)
            await ws.send("x")
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "x"
        assert [r.headers["Authorization"] for r in upstream.requests] == [f"Bearer {UPSTREAM_KEY}"]
        assert up.path == "/v1/realtime"


def test_the_default_upstream_is_openai(no_ambient_key: None) -> None:
    from console.relay import DEFAULT_UPSTREAM_URL, is_openai_upstream

    assert RelayServer().upstream_url == DEFAULT_UPSTREAM_URL == "wss://api.openai.com/v1/realtime"
    assert is_openai_upstream(DEFAULT_UPSTREAM_URL)
    assert RelayServer().host == "127.0.0.1"
