"""Connecting with an ephemeral secret (``ek_…``) keeps the secret's session.

The secret was minted with a session (instructions, voice, text output); the client connects
with it, over a WebSocket or a WebRTC call, and sends on connect only what its caller set
explicitly and its tools, so nothing resets the secret's configuration; the client adopts the
server's session as its configuration (``session_config``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.realtime.secrets import create_client_secret, http_base
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

KEY = "sk-ephemeral-session-test-key-42"
TIMEOUT = 15.0
PIRATE = "Talk like a pirate."
SECRET_SESSION = {
    "type": "realtime",
    "instructions": PIRATE,
    "output_modalities": ["text"],
    "audio": {"output": {"voice": "marin"}},
}
WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(require_key=KEY) as server:
        yield server


async def _secret(simulator: SimulatorServer) -> str:
    answer = await create_client_secret(http_base(simulator.url), KEY, session=SECRET_SESSION)
    return str(answer["value"])


def _sent_updates(recorder: Recorder) -> list[dict[str, Any]]:
    return [
        r["event"]["session"]
        for r in recorder.events["realtime.event"]
        if r["source"] == "client" and r["event"]["type"] == "session.update"
    ]


def _server_sessions(recorder: Recorder, kind: str) -> list[dict[str, Any]]:
    return [
        r["event"]["session"]
        for r in recorder.events["realtime.event"]
        if r["source"] == "server" and r["event"]["type"] == kind
    ]


@pytest.mark.parametrize("transport", ["websocket", "webrtc"])
async def test_the_secrets_session_survives_the_connect(
    simulator: SimulatorServer, transport: str
) -> None:
    client = RealtimeClient(simulator.url, await _secret(simulator), transport=transport)
    client.add_tool(WEATHER, lambda args: {"sunny": True})
    recorder = Recorder(client, "realtime.event", "error")
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        created = _server_sessions(recorder, "session.created")[0]
        assert created["instructions"] == PIRATE
        # The tools go up (they are ours); the session.updated that answers keeps the secret's.
        updated = await recorder.wait_for(
            lambda: _server_sessions(recorder, "session.updated"), TIMEOUT, "session.updated"
        )
        assert [t["name"] for t in updated[-1]["tools"]] == ["get_weather"]
        assert updated[-1]["instructions"] == PIRATE
        assert updated[-1]["audio"]["output"]["voice"] == "marin"
        assert updated[-1]["output_modalities"] == ["text"]
        (sent,) = _sent_updates(recorder)
        assert set(sent) <= {"type", "tools"}, sent
        config = client.session_config
        assert config["instructions"] == PIRATE
        assert config["voice"] == "marin"
        assert config["modalities"] == ["text"]
        # A later change sends that change; the tools registered with add_tool stay ours.
        client.update_session(voice="ash")
        await recorder.wait_for(
            lambda: len(_server_sessions(recorder, "session.updated")) >= 2, TIMEOUT, "2nd update"
        )
        last = _server_sessions(recorder, "session.updated")[-1]
        assert last["audio"]["output"]["voice"] == "ash" and last["instructions"] == PIRATE
        assert not recorder.events["error"]
    finally:
        await client.disconnect()


async def test_explicit_settings_are_sent_over_the_secrets(simulator: SimulatorServer) -> None:
    client = RealtimeClient(simulator.url, await _secret(simulator))
    client.update_session(voice="ash")
    recorder = Recorder(client, "realtime.event", "error")
    await client.connect()
    try:
        updated = await recorder.wait_for(
            lambda: _server_sessions(recorder, "session.updated"), TIMEOUT, "session.updated"
        )
        (sent,) = _sent_updates(recorder)
        assert set(sent) <= {"type", "audio"} and sent["audio"] == {"output": {"voice": "ash"}}
        assert updated[-1]["audio"]["output"]["voice"] == "ash"
        assert updated[-1]["instructions"] == PIRATE
        assert client.session_config["voice"] == "ash"
        assert client.session_config["instructions"] == PIRATE
    finally:
        await client.disconnect()


async def test_a_secret_with_nothing_set_sends_no_update(simulator: SimulatorServer) -> None:
    client = RealtimeClient(simulator.url, await _secret(simulator))
    recorder = Recorder(client, "realtime.event")
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        # A round trip: the client's next event is answered after anything sent on connect.
        client.realtime.send("input_audio_buffer.clear")
        await recorder.wait_for(
            lambda: any(
                r["event"]["type"] == "input_audio_buffer.cleared"
                for r in recorder.events["realtime.event"]
            ),
            TIMEOUT,
            "input_audio_buffer.cleared",
        )
        assert _sent_updates(recorder) == []
        assert client.session_config["instructions"] == PIRATE
    finally:
        await client.disconnect()
