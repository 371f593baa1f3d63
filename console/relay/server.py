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
import http
import itertools
from collections.abc import Sequence
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from console.env import resolve_api_key
from console.relay.auth import (
    BETA_SUBPROTOCOL,
    RECOMMENDED_TOKEN_LENGTH,
    choose_subprotocol,
    has_token,
    offered_subprotocols,
)
from console.relay.closes import close_code_of, forward_close, refusal_close
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
from console.relay.urls import (
    CREDENTIAL_PARAMS,
    DEFAULT_UPSTREAM_URL,
    is_accepted_path,
    merge_query,
)

DEFAULT_PORT = 8081
"""Where the relay listens unless told (the reference relay's port)."""

CLIENT_MAX_QUEUE = 4
"""Incoming frames websockets buffers per client (each at most ``max_size``)."""


class RelayServer:
    """A websocket relay that holds the API key and forwards Realtime frames verbatim.

    Clients connect on ``/`` or ``/v1/realtime``; each gets its own upstream connection to
    ``upstream_url`` (with the client's query merged in and ``Authorization: Bearer <api_key>``).
    The beta dialect passes through: a client's ``OpenAI-Beta`` header or
    ``openai-beta.realtime-v1`` subprotocol becomes the upstream ``OpenAI-Beta`` header.
    With ``token`` set, clients must present it or get HTTP 401 before the upgrade.
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
    ) -> None:
        """Configure the relay; nothing listens until :meth:`start`.

        ``api_key`` defaults to ``OPENAI_API_KEY`` or ``.env``; ``open_timeout`` bounds the
        upstream handshake; ``max_size`` caps client frames (upstream frames are not capped);
        ``max_queue_bytes`` and ``max_queue_frames`` cap what one client may send before its
        upstream is open (past either, it is closed with 1008).
        """
        parts = urlsplit(upstream_url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("upstream_url must be a ws:// or wss:// URL")
        if max_queue_bytes < 1 or max_queue_frames < 1:
            raise ValueError("max_queue_bytes and max_queue_frames must be at least 1")
        self.upstream_url = upstream_url
        self.host = host
        self.max_queue_bytes = max_queue_bytes
        self.max_queue_frames = max_queue_frames
        self._requested_port = port
        self._api_key = resolve_api_key(api_key)
        self._token = token or None
        self._open_timeout = open_timeout
        self._max_size = max_size
        self._server: Server | None = None
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
        if self._server is not None:
            for sock in self._server.sockets:
                return int(sock.getsockname()[1])
        return self._requested_port

    @property
    def url(self) -> str:
        """The URL clients connect to, e.g. ``ws://127.0.0.1:8081/v1/realtime``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}/v1/realtime"

    async def start(self) -> None:
        """Start listening; returns once the socket is bound."""
        if self._server is not None:
            return
        self._server = await serve(
            self._handle,
            self.host,
            self._requested_port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            compression=None,
            max_size=self._max_size,
            # Frames websockets holds per client before TCP backpressure: 4 x max_size (64 MiB
            # by default) rather than its default 16 x (256 MiB) when the upstream is slow.
            max_queue=CLIENT_MAX_QUEUE,
            logger=ws_logger,
        )
        logger.info(
            "relay listening on %s -> %s (API key %s, client token %s)",
            self.url,
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
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        await server.wait_closed()
        logger.info("relay stopped")

    async def serve_forever(self) -> None:
        """Start if needed and serve until cancelled; cancelling stops the relay cleanly."""
        await self.start()
        assert self._server is not None
        try:
            await self._server.wait_closed()
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

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Reject unknown paths (404) and, with a token configured, missing tokens (401)."""
        if not is_accepted_path(request.path):
            return connection.respond(http.HTTPStatus.NOT_FOUND, "Not found: use /v1/realtime\n")
        if self._token is not None and not has_token(request, self._token):
            logger.info("rejected a client without a valid relay token (HTTP 401)")
            response = connection.respond(
                http.HTTPStatus.UNAUTHORIZED, "Missing or invalid relay token\n"
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="realtime-relay"'
            return response
        return None

    def _select_subprotocol(
        self, connection: ServerConnection, subprotocols: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        """``realtime`` if offered, else an entry without a key, else none (see auth.py)."""
        chosen = choose_subprotocol(list(subprotocols))
        return Subprotocol(chosen) if chosen is not None else None

    def _upstream_request(self, request: Request) -> tuple[str, dict[str, str]]:
        """The upstream URL and headers for one client request; client credentials are dropped."""
        url = merge_query(self.upstream_url, urlsplit(request.path).query, CREDENTIAL_PARAMS)
        headers: dict[str, str] = {}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        beta = request.headers.get("OpenAI-Beta")
        if beta:
            headers["OpenAI-Beta"] = beta
        elif BETA_SUBPROTOCOL in offered_subprotocols(request.headers):
            headers["OpenAI-Beta"] = "realtime=v1"
        return url, headers

    # -- one relayed connection ------------------------------------------------------------

    async def _handle(self, client: ServerConnection) -> None:
        """Relay one client: connect upstream while queueing, then pump both ways.

        Every path ends by dropping the queue and the upstream task, so a closed connection's
        memory is freed at once (see pump.py).
        """
        cid = next(self._ids)
        request = client.request
        assert request is not None
        url, headers = self._upstream_request(request)
        query = dict(parse_qsl(urlsplit(url).query))
        peer = client.remote_address
        logger.info(
            "connection %d opened from %s (model=%s, dialect=%s, subprotocol=%s)",
            cid,
            f"{peer[0]}:{peer[1]}" if peer else "?",
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
