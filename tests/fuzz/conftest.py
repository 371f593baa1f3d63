"""Fixtures for the fuzzers: the simulator fixture that fails on logged exceptions, and a
hostile scripted server on 127.0.0.1 that sends whatever frames a test gives it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.simulator.conftest import server  # noqa: F401  (fails the test on logged exceptions)

SESSION_CREATED: dict[str, Any] = {
    "type": "session.created",
    "event_id": "event_created",
    "session": {"type": "realtime", "id": "sess_hostile", "object": "realtime.session"},
}


class HostileServer:
    """Greets with ``session.created``, then sends the frames put on ``outbox`` (``None``
    closes the socket cleanly); what the client sends is kept in ``received``."""

    def __init__(self) -> None:
        self.outbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.received: list[str | bytes] = []
        self._server: Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def __aenter__(self) -> HostileServer:
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None, compression=None)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self.outbox.put_nowait(None)
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        async def read() -> None:
            async for frame in ws:
                self.received.append(frame)

        reader = asyncio.create_task(read())
        closed = asyncio.ensure_future(ws.wait_closed())
        try:
            await ws.send(json.dumps(SESSION_CREATED))
            while True:
                getter = asyncio.ensure_future(self.outbox.get())
                await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    break
                frame = getter.result()
                if frame is None:
                    break
                await ws.send(frame)
            await ws.close()
        except ConnectionClosed:
            pass
        finally:
            reader.cancel()
            closed.cancel()


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as scripted:
        yield scripted
