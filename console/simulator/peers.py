"""Peers: what a session's events travel over.

A session (:class:`~console.simulator.connection.Connection`) does not know its transport. It
talks to a :class:`Peer`: a WebSocket today, a WebRTC data channel or a sideband socket as well.
A peer sends one JSON text per event, yields the client's frames, and closes with a code and a
reason. When its transport has gone, ``send`` raises :class:`PeerClosed` and iteration ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from aiohttp import WSMsgType, web
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed


class PeerClosed(Exception):
    """The peer's transport is closed: nothing more can be sent to it."""


class Peer(Protocol):
    """One end that carries a session's events (see the module docstring)."""

    async def send(self, message: str) -> None:
        """Send one event's JSON text; :class:`PeerClosed` when the transport has gone."""
        ...

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the transport (codes as WebSocket close codes)."""
        ...

    def __aiter__(self) -> AsyncIterator[str | bytes]:
        """The client's frames, until the transport closes."""
        ...


class WebsocketsPeer:
    """A :class:`Peer` over a ``websockets`` server connection."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws

    async def send(self, message: str) -> None:
        try:
            await self.ws.send(message)
        except ConnectionClosed as exc:
            raise PeerClosed(str(exc)) from exc

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        try:
            async for message in self.ws:
                yield message
        except ConnectionClosed:
            return


class AiohttpPeer:
    """A :class:`Peer` over an aiohttp server WebSocket (the simulator's listener).

    Sending on a closed or closing socket raises :class:`PeerClosed` (aiohttp raises
    ``ConnectionResetError`` from its writer); iteration ends at the close frame, at a protocol
    error (aiohttp then closes with its code, 1009 for a frame over the size limit) and at EOF.
    """

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws

    async def send(self, message: str) -> None:
        if self.ws.closed:
            raise PeerClosed("the websocket is closed")
        try:
            await self.ws.send_str(message)
        except (ConnectionError, RuntimeError) as exc:
            raise PeerClosed(str(exc)) from exc

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code=code, message=reason.encode())

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        while not self.ws.closed:
            msg = await self.ws.receive()
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                yield msg.data
            else:  # CLOSE, CLOSING, CLOSED, ERROR
                return
