"""The simulator's listener: one aiohttp server for the Realtime WebSocket and the HTTP API.

Why aiohttp: the HTTP routes (client secrets, WebRTC calls, hangup) must share the WebSocket's
port, as OpenAI's do, and ``websockets``' server reads no request bodies (it refuses any request
with a ``Content-Length``). aiohttp serves both on one port, with request-size limits, and is the
server aiortc's own examples use. The routes live in :mod:`.http_api`.

Handshake rules (as OpenAI's endpoint): paths ``/v1/realtime`` and ``/`` (anything else: HTTP
404); ``?model=``; the key comes from ``Authorization: Bearer`` or from the browser subprotocol
``openai-insecure-api-key.<key>``; the ``realtime`` subprotocol is selected when offered (browsers
abort otherwise); ``OpenAI-Beta: realtime=v1`` or the ``openai-beta.realtime-v1`` subprotocol
selects the beta dialect, anything else GA. With ``require_key`` set, a wrong or missing key is
answered after the upgrade with the real ``invalid_api_key`` error event, then the socket is closed
with code 3000 (``invalid_request_error``), which is what the real endpoint is observed to do. A
live ephemeral secret (``ek_…``) opens a session with the secret's config in either case; an
expired, unknown or malformed one is refused the same way. The key is never logged; error
messages show it masked.

Frames up to 16 MiB are accepted (the real API takes ~15 MB events); a larger frame makes the
websocket layer close the connection with 1009 ("message too big"), as a real server does. No
compression is negotiated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web

from console.defaults import SIMULATOR_GENERATION_SPEED, SIMULATOR_TRANSCRIPTION_DELAY_S

from . import call_routes, errors, http_api, log_redaction
from .client_secrets import DEFAULT_LIMIT, ClientSecret, ClientSecretRegistry
from .connection import Connection
from .dialect import GA
from .handshake import (
    BETA_PROTOCOL,
    KEY_PROTOCOL_PREFIX,
    client_dialect,
    client_key,
    offered_subprotocols,
    selected_subprotocol,
)
from .mcp_client import DEFAULT_TIMEOUT_S as MCP_TIMEOUT_S
from .peers import AiohttpPeer, Peer, PeerClosed
from .sideband import serve_sideband

if TYPE_CHECKING:
    from .webrtc import CallRegistry

log = logging.getLogger(__name__)

PATHS = ("/v1/realtime", "/v1/realtime/", "/")
MAX_FRAME_BYTES = 16 * 1024 * 1024
AUTH_FAILURE_CLOSE = 3000
HEARTBEAT_S = 20.0
"""Ping interval; a client that misses a pong is dropped (websockets' server default was 20 s)."""
SHUTDOWN_TIMEOUT_S = 5.0
"""How long ``stop()`` waits for handlers after closing every session, before cancelling them."""

__all__ = [
    "BETA_PROTOCOL",
    "KEY_PROTOCOL_PREFIX",
    "SimulatorServer",
    "client_dialect",
    "client_key",
    "offered_subprotocols",
]


DEFAULT_GENERATION_SPEED = SIMULATOR_GENERATION_SPEED
"""How many times faster than real time a paced response's audio is generated."""
DEFAULT_TRANSCRIPTION_DELAY_S = SIMULATOR_TRANSCRIPTION_DELAY_S
"""How long after a commit the input audio transcription starts arriving."""


class SimulatorServer:
    """An in-process Realtime API server.

    ``pace`` is ``"realtime"`` (audio deltas paced at playback speed, for people) or ``"fast"``
    (no pacing, for tests). ``require_key`` makes every other key fail with ``invalid_api_key``.
    ``session_expiry_s`` ends each session after that many seconds with the real
    ``session_expired`` error and close code 1001. ``item_done_first`` sends GA's
    ``conversation.item.done`` before ``response.output_item.done`` instead of after (the
    recorded order); a client must not depend on the order, and tests check both.
    ``generation_speed`` (``pace="realtime"`` only) is how many times faster than real time a
    response's audio is generated (default 3, so generation runs well ahead of playback, as the
    real server's does). ``transcription_delay_s`` is how long after a commit the input audio
    transcription starts arriving (default 0.3 s; it runs beside the response, as the real
    server's does, so it usually arrives after ``response.created``), in both paces.
    ``mcp_timeout_s`` bounds each operation on a session's MCP server (list its tools, or call
    one; default 10 s).

    ``clock`` (wall-clock seconds) times the ephemeral secrets' expiry, injectable for tests;
    ``max_client_secrets`` bounds the live ones. The server also serves the HTTP API
    (:mod:`.http_api`) on the same port, at :attr:`http_url`; :attr:`client_secrets` is the
    secret registry and :attr:`sessions` the sessions open now, by session id.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        pace: str = "fast",
        require_key: str | None = None,
        session_expiry_s: float | None = None,
        item_done_first: bool = False,
        generation_speed: float = DEFAULT_GENERATION_SPEED,
        transcription_delay_s: float = DEFAULT_TRANSCRIPTION_DELAY_S,
        clock: Callable[[], float] = time.time,
        max_client_secrets: int = DEFAULT_LIMIT,
        mcp_timeout_s: float = MCP_TIMEOUT_S,
    ) -> None:
        if pace not in ("realtime", "fast"):
            raise ValueError(f"pace must be 'realtime' or 'fast', not {pace!r}")
        if not generation_speed > 0:
            raise ValueError(f"generation_speed must be positive, not {generation_speed!r}")
        if not transcription_delay_s >= 0:
            raise ValueError(f"transcription_delay_s must be >= 0, not {transcription_delay_s!r}")
        self.generation_speed = float(generation_speed)
        self.transcription_delay_s = float(transcription_delay_s)
        if not mcp_timeout_s > 0:
            raise ValueError(f"mcp_timeout_s must be positive, not {mcp_timeout_s!r}")
        self.mcp_timeout_s = float(mcp_timeout_s)
        self.host = host
        self.port = port
        self.pace = pace
        self._require_key = require_key
        self.session_expiry_s = session_expiry_s
        self.item_done_first = item_done_first
        self.client_secrets = ClientSecretRegistry(clock, max_client_secrets)
        self.sessions: dict[str, Connection] = {}
        """Open sessions by session id (added on open, removed on close): a later sideband
        join (``?call_id=``) finds its session here."""
        self._calls: CallRegistry | None = None
        self._routes: list[web.AbstractRouteDef] = [*http_api.ROUTES, *call_routes.ROUTES]
        self._peers: set[AiohttpPeer] = set()
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        return f"SimulatorServer(url={self.url!r}, pace={self.pace!r})"

    @property
    def url(self) -> str:
        """The websocket URL clients connect to."""
        return f"ws://{self.host}:{self.port}/v1/realtime"

    @property
    def http_url(self) -> str:
        """The HTTP API's base URL (``http://host:port/v1``), as the openai SDK's ``base_url``."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def require_key(self) -> str | None:
        """The key every client must present, or None when any key (or none) will do."""
        return self._require_key

    @property
    def calls(self) -> CallRegistry:
        """The live WebRTC calls (``POST /v1/realtime/calls``); a sideband joins one by id.
        Made on first use: aiortc and PyAV load only when a call comes (~0.1 s)."""
        if self._calls is None:
            from .webrtc import CallRegistry

            self._calls = CallRegistry()
        return self._calls

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Serve more HTTP routes (e.g. ``web.post(path, handler)``); only before ``start()``."""
        if self._runner is not None:
            raise RuntimeError("add routes before start()")
        self._routes.extend(routes)

    def check_key(self, key: str | None) -> ClientSecret | None:
        """The live ephemeral secret ``key`` is, or None when it is the server key (or any key
        will do); :class:`errors.RealtimeError` (``invalid_api_key``, key masked) otherwise."""
        if ClientSecretRegistry.is_secret(key):
            assert key is not None
            secret = self.client_secrets.lookup(key)
            if secret is None:
                raise errors.invalid_api_key(key)
            return secret
        if self._require_key is not None and key != self._require_key:
            raise errors.invalid_api_key(key)
        return None

    async def start(self) -> None:
        """Bind and start accepting connections; ``port`` is then the bound port."""
        if self._runner is not None:
            return
        log_redaction.install()
        app = web.Application(
            middlewares=[http_api.errors_middleware], client_max_size=http_api.MAX_BODY_BYTES
        )
        app[http_api.SERVER] = self
        for path in PATHS:
            app.router.add_get(path, self._websocket)
        app.add_routes(self._routes)
        app.on_shutdown.append(self._close_sessions)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        addresses = runner.addresses  # the bound sockets' names: port 0's choice
        if addresses:
            self.port = int(addresses[0][1])

    async def stop(self) -> None:
        """Stop listening, close every session (code 1001) and wait for their handlers."""
        if self._runner is None:
            return
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def _close_sessions(self, app: web.Application) -> None:
        if self._calls is not None:
            await self._calls.close()
        await asyncio.gather(
            *(peer.close(1001, "server shutting down") for peer in list(self._peers)),
            return_exceptions=True,
        )

    async def serve_forever(self) -> None:
        """Start if needed and serve until cancelled (for ``realtime-console serve``)."""
        await self.start()
        try:
            await asyncio.Future()
        finally:
            await self.stop()

    async def __aenter__(self) -> SimulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # connections ---------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        protocol = selected_subprotocol(request.headers)
        ws = web.WebSocketResponse(
            protocols=(protocol,) if protocol else (),
            compress=False,
            max_msg_size=MAX_FRAME_BYTES,
            heartbeat=HEARTBEAT_S,
        )
        if not ws.can_prepare(request).ok:
            return web.Response(
                status=426,
                text="Upgrade Required: this path takes WebSocket connections\n",
                headers={"Upgrade": "websocket"},
            )
        await ws.prepare(request)
        peer = AiohttpPeer(ws)
        self._peers.add(peer)
        try:
            await self._run_session(peer, request)
        finally:
            self._peers.discard(peer)
        return ws

    def _connection(
        self, peer: AiohttpPeer, request: web.Request, secret: ClientSecret | None
    ) -> Connection:
        dialect = client_dialect(request.headers)
        return Connection(
            peer,
            dialect,
            request.query.get("model") or dialect.default_model,
            self.pace,
            self.session_expiry_s,
            item_done_first=self.item_done_first,
            generation_speed=self.generation_speed,
            transcription_delay_s=self.transcription_delay_s,
            mcp_timeout_s=self.mcp_timeout_s,
            intent=self._intent(request, secret),
            model_in_url="model" in request.query,
            session_patch=secret.patch if secret is not None else None,
        )

    def call_connection(self, peer: Peer, secret: ClientSecret | None) -> Connection:
        """The session of a WebRTC call (GA, as every WebRTC session is), from the secret's
        config when an ephemeral secret placed it."""
        transcription = secret is not None and secret.kind == "transcription"
        return Connection(
            peer,
            GA,
            GA.default_model,
            self.pace,
            self.session_expiry_s,
            item_done_first=self.item_done_first,
            generation_speed=self.generation_speed,
            transcription_delay_s=self.transcription_delay_s,
            mcp_timeout_s=self.mcp_timeout_s,
            intent="transcription" if transcription else None,
            session_patch=secret.patch if secret is not None else None,
        )

    @staticmethod
    def _intent(request: web.Request, secret: ClientSecret | None) -> str | None:
        """``?intent=``; a transcription secret opens a transcription session without it."""
        if "intent" in request.query:
            return request.query["intent"]
        return "transcription" if secret is not None and secret.kind == "transcription" else None

    async def _refuse(
        self, peer: AiohttpPeer, request: web.Request, error: errors.RealtimeError
    ) -> None:
        """An ``error`` event, then close 3000, as for a wrong key."""
        await self._connection(peer, request, None).send_error(error)
        await peer.close(AUTH_FAILURE_CLOSE, "invalid_request_error")

    async def _join_call(
        self, peer: AiohttpPeer, request: web.Request, call_id: str, secret: ClientSecret | None
    ) -> None:
        """A sideband: attach to the live call ``call_id`` until it or the socket ends."""
        call = self.calls.get(call_id) if secret is None else None
        if call is not None:
            log.info("sideband joining call %s", call_id)
        if call is None or not await serve_sideband(call.connection, peer):
            log.info("sideband to call %s refused", call_id)
            await self._refuse(peer, request, call_routes.sideband_refusal(call_id, secret))
        else:
            log.info("sideband left call %s", call_id)

    async def _run_session(self, peer: AiohttpPeer, request: web.Request) -> None:
        try:
            try:
                secret = self.check_key(client_key(request.headers))
            except errors.RealtimeError as exc:
                await self._refuse(peer, request, exc)
                return
            call_id = request.query.get("call_id")
            if call_id is not None:
                await self._join_call(peer, request, call_id, secret)
                return
            conn = self._connection(peer, request, secret)
            self.sessions[conn.session.id] = conn
            log.info(
                "session %s opened (%s, %s%s)",
                conn.session.id,
                conn.dialect.name,
                conn.session.kind,
                ", from a client secret" if secret is not None else "",
            )
            try:
                await conn.run()
            finally:
                self.sessions.pop(conn.session.id, None)
                log.info("session %s closed", conn.session.id)
        except PeerClosed:
            pass
        except Exception:
            log.exception("simulator: connection handler failed")
            with contextlib.suppress(Exception):
                await peer.close(1011, "internal error")
