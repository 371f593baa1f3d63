"""Connection loss against real servers: session expiry (1001), the simulator stopped mid-response
and restarted on the same port, a dropped network (1006) and the beta shutdown (4000). The client
reports each as ``error`` + ``close`` with the code and reason, keeps its conversation, refuses to
send while disconnected, and a reconnect re-applies the session configuration and the tools.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import numpy as np
import pytest
from websockets.asyncio.server import ServerConnection, serve

from console.realtime import RealtimeClient, RealtimeNotConnectedError
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


async def connected_client(url: str, dialect: str) -> RealtimeClient:
    client = RealtimeClient(url=url, dialect=dialect)
    await client.connect()
    assert await client.wait_for_session_created(5)
    return client


async def test_session_expiry_is_reported_with_code_and_reason(dialect: str) -> None:
    async with SimulatorServer(pace="fast", session_expiry_s=0.3) as server:
        client = await connected_client(server.url, dialect)
        recorder = Recorder(client, "error", "close")
        (close,) = await recorder.count("close", 1)
        assert close["error"] is True and close["code"] == 1001
        codes = [e["error"]["code"] for e in recorder.events["error"]]
        assert codes[-1] == "connection_lost" and "session_expired" in codes
        assert "1001" in recorder.events["error"][-1]["error"]["message"]
        assert not client.is_connected()


async def test_simulator_stopped_mid_response_then_reconnect_keeps_config_and_tools(
    dialect: str,
) -> None:
    server = SimulatorServer(pace="realtime")
    await server.start()
    port = server.port
    client = RealtimeClient(url=server.url, dialect=dialect)
    client.add_tool(WEATHER_TOOL, lambda args: {"ok": True})
    client.update_session(instructions="Answer like a pirate.", voice="verse")
    await client.connect()
    assert await client.wait_for_session_created(5)
    recorder = Recorder(client, "error", "close", "realtime.event")
    client.send_user_message_content([{"type": "input_text", "text": "hello there"}])
    events = recorder.events["realtime.event"]
    await recorder.wait_for(lambda: any(r["event"]["type"] == "response.created" for r in events))
    await server.stop()
    (close,) = await recorder.count("close", 1)
    assert close["error"] is True and close["code"] is not None and close["code"] != 1000
    assert recorder.events["error"][-1]["error"]["code"] == "connection_lost"
    items = client.conversation.get_items()
    assert items and items[0]["formatted"]["text"] == "hello there"  # kept after the loss
    with pytest.raises(RealtimeNotConnectedError, match="not connected"):
        client.send_user_message_content([{"type": "input_text", "text": "lost"}])
    dropped = client.dropped_input_audio_chunks
    client.append_input_audio_threadsafe(np.ones(480, np.int16))  # a sound card's callback
    drained = asyncio.get_running_loop().create_future()  # callbacks run in order: after the
    asyncio.get_running_loop().call_soon(drained.set_result, None)  # feed's drain, which drops
    await drained  # and counts it, nothing raised
    assert client.dropped_input_audio_chunks == dropped + 1

    restarted = SimulatorServer(pace="fast", port=port)
    await restarted.start()
    try:
        updated = Recorder(client.realtime, "server.session.updated")
        await client.connect()
        assert await client.wait_for_session_created(5)
        (event,) = await updated.count("server.session.updated", 1)
        session = event["session"]
        assert session["instructions"] == "Answer like a pirate."
        assert [tool["name"] for tool in session["tools"]] == ["get_weather"]
        voice = session["voice"] if dialect == "beta" else session["audio"]["output"]["voice"]
        assert voice == "verse"
        assert client.conversation.get_items()[0]["formatted"]["text"] == "hello there"
        await client.disconnect()
    finally:
        await restarted.stop()


@pytest.fixture
async def dropping_server() -> AsyncIterator[str]:
    """Greets, then drops the TCP connection without a close frame (a network failure)."""

    async def handler(ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "session.created", "event_id": "e1", "session": {}}))
        await asyncio.sleep(0.05)
        assert ws.transport is not None
        ws.transport.abort()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1/realtime"


async def test_a_dropped_network_is_code_1006(dropping_server: str) -> None:
    client = RealtimeClient(url=dropping_server)
    recorder = Recorder(client, "error", "close")
    await client.connect()
    (close,) = await recorder.count("close", 1)
    assert close == {"error": True, "code": 1006, "reason": ""}
    message = recorder.events["error"][-1]["error"]["message"]
    assert "1006" in message and "network" in message


BETA_SHUTDOWN_ERROR = {
    "type": "error",
    "event_id": "evt_shutdown",
    "error": {
        "type": "invalid_request_error",
        "code": "beta_api_shape_disabled",
        "message": "The Realtime beta API shape has been disabled; use the GA API.",
        "param": None,
        "event_id": None,
    },
}


@pytest.fixture
async def beta_shutdown_server() -> AsyncIterator[str]:
    """What OpenAI answers a beta socket with since May 2026: an error, then close 4000."""

    async def handler(ws: ServerConnection) -> None:
        await ws.send(json.dumps(BETA_SHUTDOWN_ERROR))
        await ws.close(4000, "beta_api_shape_disabled")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1/realtime"


async def test_the_beta_shutdown_is_reported_with_4000(beta_shutdown_server: str) -> None:
    client = RealtimeClient(url=beta_shutdown_server, dialect="beta")
    recorder = Recorder(client, "error", "close")
    await client.connect()
    (close,) = await recorder.count("close", 1)
    assert close == {"error": True, "code": 4000, "reason": "beta_api_shape_disabled"}
    codes = [e["error"]["code"] for e in recorder.events["error"]]
    assert codes == ["beta_api_shape_disabled", "connection_lost"]
    assert "4000" in recorder.events["error"][1]["error"]["message"]
