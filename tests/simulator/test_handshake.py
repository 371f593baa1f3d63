"""Handshake: paths, model, dialect selection by header or subprotocol, subprotocol choice."""

from __future__ import annotations

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from console.simulator import SimulatorServer

from .helpers import Client


async def test_root_path_and_model_query(server: SimulatorServer) -> None:
    root = f"ws://127.0.0.1:{server.port}/"
    client = await Client.connect(root, query="?model=gpt-realtime-mini")
    created = await client.recv_until("session.created")
    assert created["session"]["model"] == "gpt-realtime-mini"
    await client.close()


async def test_unknown_path_is_404(server: SimulatorServer) -> None:
    with pytest.raises(InvalidStatus) as info:
        await websockets.connect(f"ws://127.0.0.1:{server.port}/v2/other")
    assert info.value.response.status_code == 404


async def test_realtime_subprotocol_selected_and_ga_by_default(server: SimulatorServer) -> None:
    client = await Client.connect(
        server.url, subprotocols=["realtime", "openai-insecure-api-key.k"]
    )
    assert client.ws.subprotocol == "realtime"
    created = await client.recv_until("session.created")
    assert created["session"]["type"] == "realtime"
    await client.close()


async def test_beta_by_subprotocol(server: SimulatorServer) -> None:
    client = await Client.connect(
        server.url,
        dialect="beta",
        headers={"OpenAI-Beta": "nothing"},
        subprotocols=["realtime", "openai-insecure-api-key.k", "openai-beta.realtime-v1"],
    )
    assert client.ws.subprotocol == "realtime"
    created = await client.recv_until("session.created")
    assert created["session"]["modalities"] == ["text", "audio"]
    assert created["session"]["voice"] == "alloy"
    await client.close()


async def test_beta_by_header(server: SimulatorServer) -> None:
    client = await Client.connect(server.url, dialect="beta")
    assert client.ws.subprotocol is None
    created = await client.recv_until("session.created")
    assert "turn_detection" in created["session"]
    assert created["session"]["model"] == "gpt-4o-realtime-preview-2024-12-17"
    await client.close()


async def test_no_key_accepted_without_require_key(server: SimulatorServer) -> None:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.close()


async def test_stop_closes_clients_with_1001() -> None:
    srv = SimulatorServer(pace="fast")
    await srv.start()
    client = await Client.connect(srv.url)
    await client.recv_until("session.created")
    await srv.stop()
    with pytest.raises(websockets.ConnectionClosed):
        await client.recv()
    assert client.ws.close_code == 1001


async def test_serve_forever_until_cancelled() -> None:
    import asyncio

    srv = SimulatorServer(pace="realtime")
    await srv.start()  # serve_forever() would start it too; starting first gives the port now
    task = asyncio.ensure_future(srv.serve_forever())
    client = await Client.connect(srv.url)
    await client.recv_until("session.created")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(websockets.ConnectionClosed):
        await client.recv()
    assert client.ws.close_code == 1001
    with pytest.raises(OSError):
        await websockets.connect(srv.url, open_timeout=2)


def test_bad_pace_rejected() -> None:
    with pytest.raises(ValueError, match="pace"):
        SimulatorServer(pace="slow")
