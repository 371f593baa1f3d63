"""Ephemeral client secrets: ``POST /v1/realtime/client_secrets`` on the WebSocket's port.

The openai SDK mints a secret over real HTTP; the SDK's realtime websocket and a raw websockets
client then open sessions with it; expired, forged and malformed secrets are refused. The
registry's clock is injected so that expiry is tested without sleeping.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import openai
import pytest
import websockets
from openai import AsyncOpenAI
from openai.types.realtime import ClientSecretCreateResponse

from console.simulator import SimulatorServer
from console.simulator.client_secrets import ClientSecretRegistry

from .conftest import _assert_no_simulator_errors
from .helpers import Client

TIMEOUT = 5.0
SESSION: dict[str, Any] = {
    "type": "realtime",
    "model": "gpt-realtime-mini",
    "instructions": "Speak like a pirate.",
    "output_modalities": ["text"],
    "audio": {"output": {"voice": "marin"}},
}


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def server(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", clock=clock) as srv:
        yield srv
    _assert_no_simulator_errors(caplog)


@pytest.fixture
async def keyed_server(caplog: pytest.LogCaptureFixture) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key="sk-server-key") as srv:
        yield srv
    _assert_no_simulator_errors(caplog)


def sdk(server: SimulatorServer, key: str = "sk-test") -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key=key,
        base_url=server.http_url,
        websocket_base_url=server.http_url.replace("http://", "ws://"),
        max_retries=0,
    )


async def post(
    server: SimulatorServer, body: bytes | str, key: str | None = "sk-test"
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.http_url}/realtime/client_secrets", data=body, headers=headers) as r,
    ):
        return r.status, await r.json(content_type=None)


async def refused(server: SimulatorServer, key: str) -> dict[str, Any]:
    """Open a websocket with ``key``: the error event it gets, after which it is closed 3000."""
    client = await Client.connect(server.url, headers={"Authorization": f"Bearer {key}"})
    event = await client.recv_until("error")
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(client.recv(), TIMEOUT)
    assert client.ws.close_code == 3000
    error: dict[str, Any] = event["error"]
    return error


async def test_sdk_mints_a_secret_that_opens_a_session_with_its_config(
    server: SimulatorServer, clock: FakeClock
) -> None:
    secret = await sdk(server).realtime.client_secrets.create(
        expires_after={"anchor": "created_at", "seconds": 120},
        session=SESSION,  # type: ignore[arg-type]
    )
    assert isinstance(secret, ClientSecretCreateResponse)
    assert secret.value.startswith("ek_")
    assert secret.expires_at == int(clock.now) + 120
    assert secret.session.type == "realtime"
    assert secret.session.instructions == "Speak like a pirate."
    # the SDK's realtime websocket, with the secret as its key
    async with sdk(server, key=secret.value).realtime.connect(model="gpt-realtime") as conn:
        created = await asyncio.wait_for(conn.recv(), TIMEOUT)
        assert created.type == "session.created"
        session = created.session
        assert session.instructions == "Speak like a pirate."
        assert session.model == "gpt-realtime-mini"
        assert session.output_modalities == ["text"]
        assert session.audio is not None and session.audio.output is not None
        assert session.audio.output.voice == "marin"


async def test_secret_in_the_browser_subprotocol_opens_sessions_until_it_expires(
    server: SimulatorServer, clock: FakeClock
) -> None:
    status, body = await post(server, json.dumps({"session": SESSION}))
    assert status == 200, body
    assert body["expires_at"] == int(clock.now) + 600  # the default
    protocols = ["realtime", f"openai-insecure-api-key.{body['value']}"]
    for _ in range(2):  # a secret opens several sessions
        client = await Client.connect(server.url, subprotocols=protocols)
        created = await client.recv_until("session.created")
        assert created["session"]["instructions"] == "Speak like a pirate."
        await client.close()
    clock.now += 601
    error = await refused(server, body["value"])
    assert error["code"] == "invalid_api_key"
    assert body["value"] not in error["message"]


async def test_forged_and_malformed_secrets_are_refused(server: SimulatorServer) -> None:
    for forged in ("ek_" + "0" * 32, "ek_", "ek_not a secret"):
        error = await refused(server, forged)
        assert error["code"] == "invalid_api_key"
        assert error["type"] == "invalid_request_error"


async def test_without_a_session_the_secret_opens_a_default_session(
    server: SimulatorServer,
) -> None:
    status, body = await post(server, b"{}")
    assert status == 200, body
    ClientSecretCreateResponse.model_validate(body)
    client = await Client.connect(server.url, headers={"Authorization": f"Bearer {body['value']}"})
    created = await client.recv_until("session.created")
    assert created["session"]["output_modalities"] == ["audio"]
    await client.close()


async def test_transcription_config_is_minted(server: SimulatorServer) -> None:
    session = {
        "type": "transcription",
        "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe", "language": "en"}}},
        "include": ["item.input_audio_transcription.logprobs"],
    }
    status, body = await post(server, json.dumps({"session": session}))
    assert status == 200, body
    parsed = ClientSecretCreateResponse.model_validate(body)
    assert parsed.session.type == "transcription"
    assert body["session"]["audio"]["input"]["transcription"]["language"] == "en"


def _body(**fields: Any) -> str:
    return json.dumps(fields)


BAD_REQUESTS = [
    (b"{not json", None),
    (b"[]", None),
    (_body(expires_after={"anchor": "created_at", "seconds": 9}), "expires_after.seconds"),
    (_body(expires_after={"anchor": "created_at", "seconds": 7201}), "expires_after.seconds"),
    (_body(expires_after={"anchor": "now", "seconds": 60}), "expires_after.anchor"),
    (_body(expires_after={"seconds": "60"}), "expires_after.seconds"),
    (_body(session={"type": "realtime", "voice": "alloy"}), "session.voice"),
    (
        _body(session={"type": "realtime", "audio": {"output": {"voice": "bob"}}}),
        "session.audio.output.voice",
    ),
    (_body(session={"type": "chat"}), "session.type"),
    (_body(session={"type": "transcription", "instructions": "x"}), "session.instructions"),
    (_body(ttl=5), "ttl"),
]


@pytest.mark.parametrize(("body", "param"), BAD_REQUESTS)
async def test_bad_requests_get_400_with_openai_error_body(
    server: SimulatorServer, body: str | bytes, param: str | None
) -> None:
    status, answer = await post(server, body)
    assert status == 400, answer
    error = answer["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["message"]


async def test_sdk_raises_bad_request_on_invalid_session(server: SimulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        await sdk(server).realtime.client_secrets.create(
            session={"type": "realtime", "max_output_tokens": 0}  # type: ignore[typeddict-item]
        )
    assert info.value.status_code == 400


async def test_oversized_body_is_refused_with_413(server: SimulatorServer) -> None:
    huge = json.dumps({"session": {"type": "realtime", "instructions": "x" * (2 << 20)}})
    status, answer = await post(server, huge)
    assert status == 413
    assert answer["error"]["type"] == "invalid_request_error"


async def test_require_key_is_enforced(keyed_server: SimulatorServer) -> None:
    for key, code in ((None, None), ("sk-wrong-key-here", "invalid_api_key")):
        status, answer = await post(keyed_server, b"{}", key=key)
        assert status == 401, answer
        assert answer["error"]["code"] == code
        assert "sk-wrong-key-here" not in json.dumps(answer)
    status, answer = await post(keyed_server, b"{}", key="sk-server-key")
    assert status == 200, answer
    # the secret stands in for the server key on the websocket
    client = await Client.connect(
        keyed_server.url, headers={"Authorization": f"Bearer {answer['value']}"}
    )
    await client.recv_until("session.created")
    await client.close()
    # but it cannot mint secrets of its own
    status, _ = await post(keyed_server, b"{}", key=answer["value"])
    assert status == 401


async def test_live_secrets_are_bounded_and_expired_ones_pruned() -> None:
    clock = FakeClock()
    registry = ClientSecretRegistry(clock=clock, limit=3)
    for _ in range(3):
        registry.mint({})
    with pytest.raises(Exception, match="limit"):
        registry.mint({})
    clock.now += 601
    registry.mint({"expires_after": {"seconds": 10}})
    assert len(registry) == 1


async def test_secret_values_never_reach_the_log(
    server: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    status, body = await post(server, b"{}")
    assert status == 200
    client = await Client.connect(
        server.url, subprotocols=[f"openai-insecure-api-key.{body['value']}"]
    )  # no "realtime": aiohttp logs the offered subprotocols it could not select
    await client.recv_until("session.created")
    await client.close()
    server_side = [
        r.getMessage() for r in caplog.records if r.name.startswith(("console.", "aiohttp"))
    ]  # the test's own websockets client logs its handshake; the simulator's side must not
    assert not [m for m in server_side if body["value"] in m]


def test_log_redaction_masks_ephemeral_secrets() -> None:
    from console.simulator.log_redaction import redact

    secret = "ek_68af296e8e408191a1120ab6383263c2"
    for text in (f"key {secret} used", f"['openai-insecure-api-key.{secret}']"):
        assert secret not in redact(text)
    assert redact("week_1 check_x") == "week_1 check_x"
