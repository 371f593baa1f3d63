"""Fixtures for the relay tests: a small recording upstream server and a relay in front of it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Data

from console.relay import RelayServer

TIMEOUT = 5.0
"""Upper bound for any single wait in these tests; nothing here should take close to it."""

UPSTREAM_LOGGER = logging.getLogger("tests.relay.fake_upstream")
CLIENT_LOGGER = logging.getLogger("tests.relay.client")
"""Loggers for the fake upstream and for test clients, which legitimately see credentials."""


@dataclass
class UpstreamConnection:
    """What the fake upstream saw on one connection, and how it ended."""

    path: str
    headers: Headers
    connection: ServerConnection
    received: asyncio.Queue[Data] = field(default_factory=asyncio.Queue)
    log: list[Data] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_code: int | None = None
    close_reason: str | None = None


class FakeUpstream:
    """A websockets server standing in for the Realtime API.

    It records each request's path and headers, echoes every frame back unchanged, can hold
    its handshake behind ``gate``, can refuse with an HTTP status, and can send a greeting frame
    on connect. Tests close connections themselves through ``connections[i].connection``.
    """

    def __init__(self) -> None:
        self.server: Server | None = None
        self.gate: asyncio.Event | None = None
        self.request_seen = asyncio.Event()
        self.refuse_status: int | None = None
        self.refuse_body = "refused by the fake upstream\n"
        self.greeting: Data | None = None
        self.echo = True
        self.requests: list[Request] = []
        self.handshaking: list[ServerConnection] = []
        self.connections: list[UpstreamConnection] = []
        self.new_connection: asyncio.Queue[UpstreamConnection] = asyncio.Queue()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(next(iter(self.server.sockets)).getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        self.requests.append(request)
        self.handshaking.append(connection)
        self.request_seen.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.refuse_status is not None:
            return connection.respond(self.refuse_status, self.refuse_body)
        return None

    async def _handler(self, connection: ServerConnection) -> None:
        request = connection.request
        assert request is not None
        record = UpstreamConnection(request.path, request.headers, connection)
        self.connections.append(record)
        await self.new_connection.put(record)
        try:
            if self.greeting is not None:
                await connection.send(self.greeting)
            async for message in connection:
                record.log.append(message)
                await record.received.put(message)
                if self.echo:
                    await connection.send(message)
        except Exception:
            pass
        finally:
            await connection.wait_closed()
            record.close_code = connection.close_code
            record.close_reason = connection.close_reason
            record.closed.set()

    async def start(self) -> None:
        self.server = await serve(
            self._handler,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            max_size=None,
            logger=UPSTREAM_LOGGER,  # kept apart from the relay's logs, which tests search
        )

    async def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def next_connection(self) -> UpstreamConnection:
        return await asyncio.wait_for(self.new_connection.get(), TIMEOUT)


@pytest.fixture
async def upstream() -> AsyncIterator[FakeUpstream]:
    fake = FakeUpstream()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def no_ambient_key(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No OPENAI_API_KEY in the environment and no .env in the working directory."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def relay(upstream: FakeUpstream, no_ambient_key: None) -> AsyncIterator[RelayServer]:
    server = RelayServer(
        upstream_url=upstream.url, api_key="sk-server-secret-0000", host="127.0.0.1", port=0
    )
    async with server:
        yield server
