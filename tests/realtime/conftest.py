"""Fixtures: the scripted server, and a connected client in each dialect."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from console.realtime import RealtimeClient
from tests.realtime.scripted_server import ScriptedServer

API_KEY = "sk-test-0123456789abcdef"


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    async with ScriptedServer(api_key=API_KEY) as scripted:
        yield scripted


@pytest.fixture
async def client(server: ScriptedServer, dialect: str) -> AsyncIterator[RealtimeClient]:
    """A client connected to the scripted server, after session.created."""
    realtime_client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
    await realtime_client.connect()
    assert await realtime_client.wait_for_session_created(5)
    yield realtime_client
    await realtime_client.disconnect()
