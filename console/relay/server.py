"""The relay server: one upstream connection per client, with the key added on the way.

Browser apps and other clients connect to the relay without a key; the relay opens the upstream
socket (OpenAI by default, or the upstream it is given: its key goes there and nowhere else) with
its own key and forwards every frame verbatim in both directions. Unlike the JavaScript reference
relay it never parses frames into a conversation, so it cannot drop frames it fails to parse,
inject its own ``session.update`` or answer tool calls on the client's behalf (the reference
relay's double tool-output defect).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web
from websockets.asyncio.client import ClientConnection, connect
from websockets.frames import CloseCode

from console.defaults import RELAY_PORT
from console.env import resolve_api_key
from console.relay.auth import RECOMMENDED_TOKEN_LENGTH
from console.relay.client_socket import ClientSocket
from console.relay.closes import close_code_of, forward_close, refusal_close
from console.relay.handshake import log_request, refusal, upstream_request, websocket_response
from console.relay.http_routes import DEFAULT_HTTP_TIMEOUT, MAX_BODY_BYTES, HttpForwarder
from console.relay.pump import (
    DEFAULT_MAX_QUEUE_BYTES,
    DEFAULT_MAX_QUEUE_FRAMES,
    ClientLeft,
    Opened,
    PendingFrames,
    QueueFull,
    Stats,
    queue_until_open,
    relay_both_ways,
)
from console.relay.redact import add_secret, logger, redact, ws_logger
from console.relay.urls import DEFAULT_UPSTREAM_URL, HTTP_ROUTES, http_base

DEFAULT_PORT = RELAY_PORT
"""Where the relay listens unless told (the reference relay's port)."""

SHUTDOWN_TIMEOUT_S = 5.0
"""How long ``stop()`` waits for connections to finish closing before cancelling them."""


class RelayServer:
    """A websocket relay that holds the API key and forwards Realtime frames verbatim.

    Clients connect on ``/`` or ``/v1/realtime``; each gets its own upstream connection to
    ``upstream_url`` (with the client's query merged in and ``Authorization: Bearer <api_key>``).
    The beta dialect passes through: a client's ``OpenAI-Beta`` header or
    ``openai-beta.realtime-v1`` subprotocol becomes the upstream ``OpenAI-Beta`` header.
    With ``token`` set, clients must present it or get HTTP 401 before the upgrade.

    On the same port, ``POST /v1/realtime/client_secrets``, ``/v1/realtime/calls`` and
    ``/v1/realtime/calls/{call_id}/hangup`` are forwarded to the upstream's HTTP base
    (:attr:`upstream_http_base`) with the relay's key, under the same token rules
    (:mod:`console.relay.http_routes`); :attr:`http_url` is the base a browser app or the openai
    SDK is given. The listener is aiohttp because ``websockets``' server reads no request bodies;
    the upstream side stays on ``websockets``' client.
    """

    def __init__(
        self,
        upstream_url: str = DEFAULT_UPSTREAM_URL,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        token: str | None = None,
        *,
        open_timeout: float = 10.0,
        max_size: int | None = 16 * 2**20,
        max_queue_bytes: int = DEFAULT_MAX_QUEUE_BYTES,
        max_queue_frames: int = DEFAULT_MAX_QUEUE_FRAMES,
        http_timeout: float = DEFAULT_HTTP_TIMEOUT,
    ) -> None:
        """Configure the relay; nothing listens until :meth:`start`.

        ``api_key`` defaults to ``OPENAI_API_KEY`` or ``.env``; ``open_timeout`` bounds the
        upstream handshake; ``max_size`` caps client frames (upstream frames are not capped);
        ``max_queue_bytes`` and ``max_queue_frames`` cap what one client may send before its
        upstream is open (past either, it is closed with 1008); ``http_timeout`` bounds one
        forwarded HTTP request.
        """
        parts = urlsplit(upstream_url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("upstream_url must be a ws:// or wss:// URL")
        if max_queue_bytes < 1 or max_queue_frames < 1:
            raise ValueError("max_queue_bytes and max_queue_frames must be at least 1")
        if not http_timeout > 0:
            raise ValueError("http_timeout must be positive")
        self.upstream_url = upstream_url
        self.upstream_http_base = http_base(upstream_url)
        """Where the HTTP routes go: ``http(s)://host:port/v1`` of the upstream."""
        self.host = host
        self.max_queue_bytes = max_queue_bytes
        self.max_queue_frames = max_queue_frames
        self._requested_port = port
        self._bound_port: int | None = None
        self._api_key = resolve_api_key(api_key)
        self._token = token or None
        self._open_timeout = open_timeout
        self._max_size = max_size
        self._http = HttpForwarder(
            self.upstream_http_base, self._api_key, self._token, http_timeout
        )
        self._runner: web.AppRunner | None = None
        self._clients: set[ClientSocket] = set()
        self._ids = itertools.count(1)
        add_secret(self._api_key)
        add_secret(self._token)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return f"RelayServer(upstream_url={self.upstream_url!r}, host={self.host!r}, key {key})"

    @property
    def has_api_key(self) -> bool:
        """Whether an upstream key is configured (the key itself is never exposed)."""
        return self._api_key is not None

    @property
    def port(self) -> int:
        """The listening port (the real one when started with port 0)."""
        return self._bound_port if self._bound_port is not None else self._requested_port

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The bound sockets' (host, port), empty when not listening."""
        if self._runner is None:
            return []
        return [(str(a[0]), int(a[1])) for a in self._runner.addresses]

    @property
    def url(self) -> str:
        """The URL clients connect to, e.g. ``ws://127.0.0.1:8081/v1/realtime``."""
        return f"ws://{self._netloc}/v1/realtime"

    @property
    def http_url(self) -> str:
        """The HTTP routes' base, e.g. ``http://127.0.0.1:8081/v1`` (the SDK's ``base_url``)."""
        return f"http://{self._netloc}/v1"

    @property
    def _netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    async def start(self) -> None:
        """Start listening; returns once the socket is bound."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        for route in HTTP_ROUTES:
            app.router.add_post(route, self._http.handle)
        app.router.add_get("/{path:.*}", self._websocket)
        app.on_shutdown.append(self._close_clients)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._requested_port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if runner.addresses:
            self._bound_port = int(runner.addresses[0][1])
        logger.info(
            "relay listening on %s and %s -> %s (API key %s, client token %s)",
            self.url,
            self.http_url,
            self.upstream_url,
            "set" if self._api_key else "not set",
            "required" if self._token else "not required",
        )
        if self._token is not None and len(self._token) < RECOMMENDED_TOKEN_LENGTH:
            logger.warning(
                "warning: the client token is short (%d characters); anyone who can reach "
                "this port could guess it: use %d or more random characters",
                len(self._token),
                RECOMMENDED_TOKEN_LENGTH,
            )

    async def stop(self) -> None:
        """Stop listening and close every relayed connection (1001 to both sides)."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        try:
            await runner.cleanup()
        finally:
            self._bound_port = None
            await self._http.close()
        logger.info("relay stopped")

    async def _close_clients(self, app: web.Application) -> None:
        """On shutdown: close every client with 1001; its handler closes the upstream."""
        await asyncio.gather(
            *(client.close(CloseCode.GOING_AWAY) for client in list(self._clients)),
            return_exceptions=True,
        )

    async def serve_forever(self) -> None:
        """Start if needed and serve until cancelled; cancelling stops the relay cleanly."""
        await self.start()
        try:
            await asyncio.Future()
        finally:
            await self.stop()

    async def __aenter__(self) -> RelayServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- handshake ---------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket path: refuse (404, 401, 426) before the upgrade, else relay."""
        log_request(request)
        refused = refusal(request, self._token)
        if refused is not None:
            return refused
        ws = websocket_response(request, self._max_size)
        if not isinstance(ws, web.WebSocketResponse):
            return ws
        await ws.prepare(request)
        client = ClientSocket(ws, request)
        self._clients.add(client)
        try:
            await self._handle(client)
        except Exception:
            logger.exception("relay: connection handler failed")  # rendered redacted
            with contextlib.suppress(Exception):
                await client.close(CloseCode.INTERNAL_ERROR, "internal error")
        finally:
            self._clients.discard(client)
        return ws

    # -- one relayed connection ------------------------------------------------------------

    async def _handle(self, client: ClientSocket) -> None:
        """Relay one client: connect upstream while queueing, then pump both ways.

        Every path ends by dropping the queue and the upstream task, so a closed connection's
        memory is freed at once (see pump.py).
        """
        cid = next(self._ids)
        url, headers = upstream_request(client.request, self.upstream_url, self._api_key)
        query = dict(parse_qsl(urlsplit(url).query))
        logger.info(
            "connection %d opened from %s (model=%s, dialect=%s, subprotocol=%s)",
            cid,
            client.remote_address,
            query.get("model", "-"),
            "beta" if "OpenAI-Beta" in headers else "ga",
            client.subprotocol or "-",
        )
        stats = Stats()
        pending = PendingFrames(self.max_queue_bytes, self.max_queue_frames)
        upstream: ClientConnection | None = None
        upstream_task: asyncio.Task[ClientConnection] | None = asyncio.create_task(
            self._connect_upstream(url, headers)
        )
        assert upstream_task is not None

        def queued(pending: PendingFrames) -> None:
            logger.debug(
                "connection %d: queued frame %d (%d bytes held) until the upstream opens",
                cid,
                pending.total_frames,
                pending.size,
            )

        try:
            outcome = await queue_until_open(client, upstream_task, pending, queued)
            if isinstance(outcome, Opened):
                upstream, upstream_task = outcome.upstream, None
                pending_recv, outcome.pending_recv = outcome.pending_recv, None
                logger.info(
                    "connection %d: upstream open, flushing %d queued frames", cid, len(pending)
                )
                await relay_both_ways(client, upstream, pending_recv, pending, stats)
                del pending_recv
            elif isinstance(outcome, ClientLeft):
                stats.closed_by = "client"
                upstream, upstream_task = await _abandon(upstream_task), None
                if upstream is not None:
                    await forward_close(client, upstream, "client")
            elif isinstance(outcome, QueueFull):
                stats.closed_by = "relay (queue cap)"
                pending.clear()
                logger.warning(
                    "connection %d: client sent %d frames (%d bytes) before the upstream "
                    "opened, over the relay's queue cap of %d frames or %d bytes; closing "
                    "it with 1008",
                    cid,
                    pending.total_frames,
                    pending.total_bytes,
                    self.max_queue_frames,
                    self.max_queue_bytes,
                )
                upstream, upstream_task = await _abandon(upstream_task), None
                if upstream is not None:
                    await upstream.close(CloseCode.GOING_AWAY, "client closed by the relay")
                limit = (
                    f"{self.max_queue_frames} frames"
                    if outcome.over == "frames"
                    else f"{self.max_queue_bytes} bytes"
                )
                await client.close(
                    CloseCode.POLICY_VIOLATION, f"sent over {limit} before the upstream opened"
                )
            else:
                code, reason = refusal_close(outcome.error)
                logger.warning(
                    "connection %d: upstream connection failed (%s); closing client with %d",
                    cid,
                    redact(str(outcome.error)) or type(outcome.error).__name__,
                    code,
                )
                upstream_task = None
                await client.close(code, reason)
                stats.closed_by = "upstream refused"
            del outcome
        finally:
            pending.clear()
            if upstream_task is not None:  # cancelled, or failed: leave nothing half-open
                with contextlib.suppress(BaseException):
                    if (leftover := await _abandon(upstream_task)) is not None:
                        await leftover.close(CloseCode.GOING_AWAY)
                upstream_task = None
            if upstream is not None:
                await upstream.close()  # no-op when already closed; covers unexpected errors
        logger.info(
            "connection %d closed by %s: client code %s, upstream code %s; frames "
            "client->upstream %d (%d queued before open), upstream->client %d",
            cid,
            stats.closed_by or "relay",
            close_code_of(client),
            close_code_of(upstream),
            stats.to_upstream,
            pending.total_frames,
            stats.to_client,
        )

    async def _connect_upstream(self, url: str, headers: dict[str, str]) -> ClientConnection:
        """Open the upstream socket with the server's key (the client's never goes upstream)."""
        return await connect(
            url,
            additional_headers=headers,
            open_timeout=self._open_timeout,
            compression=None,
            max_size=None,
            logger=ws_logger,
        )


async def _abandon(upstream_task: asyncio.Task[ClientConnection]) -> ClientConnection | None:
    """Cancel an upstream handshake; the connection if it had opened already, else None."""
    if not upstream_task.done():
        upstream_task.cancel()
        with contextlib.suppress(BaseException):
            await upstream_task
    if upstream_task.cancelled():
        return None
    error = upstream_task.exception()
    if error is not None:
        error.__traceback__ = None
        return None
    return upstream_task.result()
