"""The client's side of a relayed connection: an aiohttp WebSocket with websockets' manners.

The relay listens with aiohttp (its HTTP routes need request bodies, which ``websockets``'
server does not read), while the pumps were written against ``websockets``' connection: ``recv``
that raises once the peer is gone, ``send``, ``close(code, reason)``, ``wait_closed`` and the
close frames received and sent. :class:`ClientSocket` gives the pumps exactly that over
``web.WebSocketResponse``, and answers a client's close by echoing its code (RFC 6455 5.5.1;
aiohttp's automatic answer would always be 1000).
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import WSCloseCode, WSMsgType, web
from websockets.typing import Data

NO_STATUS_RCVD = 1005
"""The code for a close frame without a status (aiohttp reports it as 0)."""

_ECHOABLE = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014})


class ClientClosed(Exception):
    """The client's socket is closed (or closing); nothing more can be read or sent."""


class ClientSocket:
    """One client's WebSocket, as the pumps use it (see the module docstring).

    ``close_rcvd`` is the code and reason of the client's close frame, None until one arrives
    (and for a connection lost without one); ``close_sent`` is the code and reason the relay (or
    aiohttp, for a frame too big) closed it with.
    """

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        """The handshake request (path, query and headers)."""
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.remote_address = f"{peer[0]}:{peer[1]}" if peer else "?"
        """``host:port`` of the client, for the log."""
        self.close_rcvd: tuple[int, str] | None = None
        self.close_sent: tuple[int, str] | None = None
        self._closed = asyncio.Event()

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol selected in the handshake."""
        return self.ws.ws_protocol

    async def recv(self) -> Data:
        """The next text (``str``) or binary (``bytes``) frame; :class:`ClientClosed` after."""
        if self.ws.closed:
            raise ClientClosed
        msg = await self.ws.receive()
        if msg.type is WSMsgType.TEXT:
            return str(msg.data)
        if msg.type is WSMsgType.BINARY:
            return bytes(msg.data)
        if msg.type is WSMsgType.CLOSE:
            code = int(msg.data) or NO_STATUS_RCVD
            self.close_rcvd = (code, str(msg.extra or ""))
            echo = code if code in _ECHOABLE or 3000 <= code < 5000 else WSCloseCode.OK
            await self._close(echo, "")
        else:  # CLOSING (the relay is closing it), CLOSED (lost) or ERROR (bad frame, too big)
            closed = self.ws.close_code
            if msg.type is WSMsgType.ERROR and self.close_sent is None and closed is not None:
                self.close_sent = (int(closed), "")  # aiohttp closed it (1009, 1002, ...)
            await self._close(int(closed or WSCloseCode.ABNORMAL_CLOSURE), "")
        raise ClientClosed

    async def send(self, message: Data) -> None:
        """Send one frame as it is; :class:`ClientClosed` when the socket is closed."""
        if self.ws.closed:
            raise ClientClosed
        try:
            if isinstance(message, str):
                await self.ws.send_str(message)
            else:
                await self.ws.send_bytes(message)
        except ConnectionError:
            raise ClientClosed from None

    async def close(self, code: int = WSCloseCode.OK, reason: str = "") -> None:
        """Close with ``code`` and ``reason`` (a no-op once closed)."""
        await self._close(code, reason)

    async def _close(self, code: int, reason: str) -> None:
        if not self.ws.closed:
            self.close_sent = (code, reason)
            with contextlib.suppress(Exception):
                await self.ws.close(code=code, message=reason.encode("utf-8"))
        self._closed.set()

    def ended_with(self) -> tuple[int, str] | None:
        """How the connection closed: the client's close frame, else the relay's own close (a
        client answers with the same code), else None (lost without a close frame)."""
        return self.close_rcvd or self.close_sent

    async def wait_closed(self) -> None:
        """Return once the socket is closed."""
        await self._closed.wait()
