"""A relay for the Realtime API that keeps the API key on the server.

Browser apps and other clients connect to the relay without a key; the relay opens the upstream
socket (OpenAI, or any Realtime-compatible server) with its own key and forwards every frame
verbatim in both directions. Unlike the JavaScript reference relay it never parses frames into a
conversation, so it cannot drop frames it fails to parse, inject its own ``session.update`` or
answer tool calls on the client's behalf (the reference relay's double tool-output defect).

Only the standard library and ``websockets`` are used: the relay is independent of the client
library and of the simulator.

Typical use::

    async with RelayServer(upstream_url="wss://api.openai.com/v1/realtime") as relay:
        print(relay.url)
        await relay.serve_forever()
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import http
import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.typing import Data, Subprotocol

from console.env import load_dotenv_value, resolve_api_key

__all__ = [
    "DEFAULT_UPSTREAM_URL",
    "RelayServer",
    "is_openai_upstream",
    "load_dotenv_value",
    "merge_query",
    "resolve_api_key",
]

DEFAULT_UPSTREAM_URL = "wss://api.openai.com/v1/realtime"
"""Where the relay connects when no upstream is given."""

ACCEPTED_PATHS = frozenset({"/", "/v1/realtime"})
"""Client paths the relay accepts (the reference relay used ``/``; SDKs use ``/v1/realtime``)."""

BETA_SUBPROTOCOL = "openai-beta.realtime-v1"
KEY_SUBPROTOCOL_PREFIX = "openai-insecure-api-key."
CREDENTIAL_PARAMS = ("token", "api_key")
"""Query parameters that carry client credentials; never forwarded upstream."""
MAX_CLOSE_REASON_BYTES = 123  # RFC 6455: 125-byte control payload minus the 2-byte code

logger = logging.getLogger("console.relay")
"""The relay's own log: connections, close codes and frame counts -- never a key."""

_ws_logger = logging.getLogger("console.relay.websockets")
"""Logger handed to ``websockets``; its debug output includes HTTP headers, so it is redacted."""


# --------------------------------------------------------------------------------------------
# Secrets: where the key comes from, and keeping it out of logs and close reasons


def is_openai_upstream(url: str) -> bool:
    """True when ``url`` points at OpenAI's servers (which need a key)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "openai.com" or host.endswith(".openai.com")


MIN_WORD_SECRET_LENGTH = 8
"""Secrets at least this long are also redacted wherever they occur as a whole word.

Shorter ones are redacted only where credentials travel (headers, key subprotocols, credential
query parameters): replacing a one-letter token everywhere would mangle every log line.
"""

RECOMMENDED_TOKEN_LENGTH = 16
"""The relay warns at start about client tokens shorter than this; secrets this long are
redacted even inside a longer word (they cannot plausibly be part of ordinary text)."""

_HEADER_SECRET = re.compile(r"(?i)\b(authorization|api-key|x-api-key)(\s*[:=]\s*)([^\r\n]*)")
_KEY_SUBPROTOCOL = re.compile(re.escape(KEY_SUBPROTOCOL_PREFIX) + r"[^\s,;\"']*")
_TOKEN_QUERY = re.compile(r"(?i)([?&](?:token|api_key|key)=)[^&\s#\"']*")


@functools.lru_cache(maxsize=64)
def _secret_pattern(secret: str) -> re.Pattern[str]:
    """Where ``secret`` is redacted: anywhere when long, else only as a whole word.

    A whole word is not inside a longer run of letters, digits or ``_``; a percent-escape just
    before it (``%20sk-...`` in an encoded URL) counts as a boundary.
    """
    if len(secret) >= RECOMMENDED_TOKEN_LENGTH:
        return re.compile(re.escape(secret))
    before = r"(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2}))"
    return re.compile(before + re.escape(secret) + r"(?![A-Za-z0-9_])")


def _redact(text: str, secrets: Iterable[str]) -> str:
    """Remove credential headers, key subprotocols, credential query values and known secrets.

    Only the places secrets occur are rewritten, so text around them stays readable: credential
    header values, ``openai-insecure-api-key.`` subprotocol entries, ``token=``/``api_key=``
    (and ``key=``) query values, whole-word occurrences of secrets of at least
    ``MIN_WORD_SECRET_LENGTH`` characters and any occurrence of secrets of at least
    ``RECOMMENDED_TOKEN_LENGTH``.
    """
    text = _HEADER_SECRET.sub(r"\1\2[redacted]", text)
    text = _KEY_SUBPROTOCOL.sub(KEY_SUBPROTOCOL_PREFIX + "[redacted]", text)
    text = _TOKEN_QUERY.sub(r"\1[redacted]", text)
    for secret in sorted(secrets, key=len, reverse=True):  # a secret may contain another
        if len(secret) >= MIN_WORD_SECRET_LENGTH:
            text = _secret_pattern(secret).sub("[redacted]", text)
    return text


class _RedactingFilter(logging.Filter):
    """Rewrites records so no secret known to any live relay reaches a handler."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _redact(message, self.secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are rendered later by handlers; render now, redacted, and drop exc_info.
            record.exc_text = _redact(
                logging.Formatter().formatException(record.exc_info), self.secrets
            )
            record.exc_info = None
        return True


_redactor = _RedactingFilter()
logger.addFilter(_redactor)
_ws_logger.addFilter(_redactor)


def _fit_reason(reason: str) -> str:
    """Trim a close reason to what a close frame can carry, without splitting a character."""
    encoded = reason.encode("utf-8")
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return reason
    return encoded[:MAX_CLOSE_REASON_BYTES].decode("utf-8", errors="ignore")


# --------------------------------------------------------------------------------------------
# Handshake helpers


def merge_query(upstream_url: str, client_query: str, drop: Iterable[str] = ()) -> str:
    """Return ``upstream_url`` with the client's query merged in (client values win).

    The reference client appended a second ``?`` to URLs that already had a query; here the
    parameters are merged into one query string. Names in ``drop`` (the relay's own token) are
    not forwarded.
    """
    parts = urlsplit(upstream_url)
    dropped = set(drop)
    client_pairs = [
        (k, v) for k, v in parse_qsl(client_query, keep_blank_values=True) if k not in dropped
    ]
    client_names = {k for k, _ in client_pairs}
    upstream_pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in client_names
    ]
    query = urlencode(upstream_pairs + client_pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _offered_subprotocols(headers: Headers) -> list[str]:
    """The subprotocols a client offered, in order."""
    offered: list[str] = []
    for value in headers.get_all("Sec-WebSocket-Protocol"):
        offered.extend(p.strip() for p in value.split(",") if p.strip())
    return offered


def _choose_subprotocol(offered: Sequence[str]) -> str | None:
    """Pick a subprotocol to echo; browsers abort the handshake if none is selected.

    ``realtime`` is preferred, then any entry that does not carry a key, then the first one.
    """
    if not offered:
        return None
    if "realtime" in offered:
        return "realtime"
    for protocol in offered:
        if not protocol.startswith(KEY_SUBPROTOCOL_PREFIX):
            return protocol
    return offered[0]


def _presented_tokens(request: Request) -> list[str]:
    """Every credential the client presented: bearer header, key subprotocol, ``?token=``."""
    tokens: list[str] = []
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        tokens.append(value.strip())
    for protocol in _offered_subprotocols(request.headers):
        if protocol.startswith(KEY_SUBPROTOCOL_PREFIX):
            tokens.append(protocol[len(KEY_SUBPROTOCOL_PREFIX) :])
    tokens.extend(v for k, v in parse_qsl(urlsplit(request.path).query) if k == "token")
    return tokens


def _close_to_forward(rcvd_code: int | None, rcvd_reason: str, side: str) -> tuple[int, str]:
    """Map the close one side sent to a close the relay may send to the other side.

    1005 (no status) becomes 1000, 1006 (no close frame) and 1015 (TLS failure) become 1011;
    other codes that cannot legally be sent (1004, 1016-2999) become 1011 as well.
    """
    if rcvd_code is None or rcvd_code == CloseCode.ABNORMAL_CLOSURE:
        return CloseCode.INTERNAL_ERROR, f"{side} connection lost"
    if rcvd_code == CloseCode.NO_STATUS_RCVD:
        return CloseCode.NORMAL_CLOSURE, rcvd_reason
    if rcvd_code in _SENDABLE_CODES or 3000 <= rcvd_code < 5000:
        return rcvd_code, rcvd_reason
    return CloseCode.INTERNAL_ERROR, f"{side} closed with code {rcvd_code}"


_SENDABLE_CODES = frozenset(
    {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}
)


def _refusal_close(exc: BaseException) -> tuple[int, str]:
    """Map a failed upstream connection to a close code and a reason without secrets.

    HTTP 401/403 and other 4xx refusals become 1008 (policy violation), 429 becomes 1013
    (try again later); network failures, timeouts and 5xx become 1011. The upstream's response
    body is not included: OpenAI's ``invalid_api_key`` message echoes part of the key.
    """
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        text = f"upstream refused the connection: HTTP {status} {phrase}".rstrip()
        if status == http.HTTPStatus.TOO_MANY_REQUESTS:
            return CloseCode.TRY_AGAIN_LATER, text
        if 400 <= status < 500:
            return CloseCode.POLICY_VIOLATION, text
        return CloseCode.INTERNAL_ERROR, text
    if isinstance(exc, TimeoutError):
        return CloseCode.INTERNAL_ERROR, "upstream unavailable: timed out"
    if isinstance(exc, ConnectionRefusedError):
        return CloseCode.INTERNAL_ERROR, "upstream unavailable: connection refused"
    if isinstance(exc, OSError):
        return CloseCode.INTERNAL_ERROR, f"upstream unavailable: {type(exc).__name__}"
    return CloseCode.INTERNAL_ERROR, f"upstream handshake failed: {type(exc).__name__}"


# --------------------------------------------------------------------------------------------
# The relay


async def _forward_close(source: Connection, target: Connection, side: str) -> None:
    """Close ``target`` with the code and (redacted) reason ``source`` closed with."""
    rcvd = source.protocol.close_rcvd
    code, reason = _close_to_forward(rcvd.code if rcvd else None, rcvd.reason if rcvd else "", side)
    await target.close(code, _fit_reason(_redact(reason, _redactor.secrets)))


@dataclass
class _Stats:
    """Per-connection counters for the close log line."""

    to_upstream: int = 0
    to_client: int = 0
    queued: int = 0
    closed_by: str = ""


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
        port: int = 8081,
        token: str | None = None,
        *,
        open_timeout: float = 10.0,
        max_size: int | None = 16 * 2**20,
    ) -> None:
        """Configure the relay; nothing listens until :meth:`start`.

        ``api_key`` defaults to ``OPENAI_API_KEY`` or ``.env``; ``open_timeout`` bounds the
        upstream handshake; ``max_size`` caps client frames (upstream frames are not capped).
        """
        parts = urlsplit(upstream_url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("upstream_url must be a ws:// or wss:// URL")
        self.upstream_url = upstream_url
        self.host = host
        self._requested_port = port
        self._api_key = resolve_api_key(api_key)
        self._token = token or None
        self._open_timeout = open_timeout
        self._max_size = max_size
        self._server: Server | None = None
        self._ids = itertools.count(1)
        for secret in (self._api_key, self._token):
            if secret:
                _redactor.secrets.add(secret)

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
            logger=_ws_logger,
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
        path = urlsplit(request.path).path
        if path.rstrip("/") not in {p.rstrip("/") for p in ACCEPTED_PATHS}:
            return connection.respond(http.HTTPStatus.NOT_FOUND, "Not found: use /v1/realtime\n")
        if self._token is not None:
            token = self._token.encode()
            if not any(hmac.compare_digest(t.encode(), token) for t in _presented_tokens(request)):
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
        """Echo one of the client's subprotocols, preferring ``realtime``."""
        chosen = _choose_subprotocol(list(subprotocols))
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
        elif BETA_SUBPROTOCOL in _offered_subprotocols(request.headers):
            headers["OpenAI-Beta"] = "realtime=v1"
        return url, headers

    # -- one relayed connection ------------------------------------------------------------

    async def _handle(self, client: ServerConnection) -> None:
        """Relay one client: connect upstream while queueing, then pump both ways."""
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
        stats = _Stats()
        upstream_task = asyncio.create_task(self._connect_upstream(url, headers))
        try:
            upstream, pending_recv, queued = await self._queue_until_open(
                client, upstream_task, stats
            )
        except ConnectionClosed:
            stats.closed_by = "client"
            await self._abandon_upstream(upstream_task, client)
            self._log_closed(cid, client, None, stats)
            return
        except Exception as exc:
            code, reason = _refusal_close(exc)
            logger.warning(
                "connection %d: upstream connection failed (%s); closing client with %d",
                cid,
                _redact(str(exc), _redactor.secrets) or type(exc).__name__,
                code,
            )
            await client.close(code, reason)
            stats.closed_by = "upstream refused"
            self._log_closed(cid, client, None, stats)
            return
        except BaseException:  # cancelled: leave nothing half-open behind
            upstream_task.cancel()
            raise

        logger.info("connection %d: upstream open, flushing %d queued frames", cid, len(queued))
        try:
            await self._relay(client, upstream, pending_recv, queued, stats)
        finally:
            await upstream.close()  # no-op when already closed; covers unexpected errors
            self._log_closed(cid, client, upstream, stats)

    async def _connect_upstream(self, url: str, headers: dict[str, str]) -> ClientConnection:
        """Open the upstream socket with the server's key (the client's never goes upstream)."""
        return await connect(
            url,
            additional_headers=headers,
            open_timeout=self._open_timeout,
            compression=None,
            max_size=None,
            logger=_ws_logger,
        )

    async def _queue_until_open(
        self,
        client: ServerConnection,
        upstream_task: asyncio.Task[ClientConnection],
        stats: _Stats,
    ) -> tuple[ClientConnection, asyncio.Task[Data] | None, list[Data]]:
        """Read client frames into a FIFO until the upstream is open.

        Returns the upstream connection, a client ``recv`` still in flight (handed on rather than
        cancelled, so no frame can be lost) and the queued frames. Raises ``ConnectionClosed`` if
        the client leaves first, or the upstream's connection error.
        """
        queued: list[Data] = []
        recv: asyncio.Task[Data] | None = None
        try:
            while not upstream_task.done():
                if recv is None:
                    recv = asyncio.create_task(client.recv())
                done, _ = await asyncio.wait(
                    {recv, upstream_task}, return_when=asyncio.FIRST_COMPLETED
                )
                if recv in done:
                    queued.append(recv.result())  # raises ConnectionClosed if the client left
                    recv = None
            upstream = upstream_task.result()  # raises the upstream's connection error
        except BaseException:
            if recv is not None:
                recv.cancel()
                with contextlib.suppress(BaseException):
                    await recv
            raise
        stats.queued = len(queued)
        return upstream, recv, queued

    async def _abandon_upstream(
        self, upstream_task: asyncio.Task[ClientConnection], client: ServerConnection
    ) -> None:
        """The client left before the upstream opened: cancel or close the upstream."""
        if not upstream_task.done():
            upstream_task.cancel()
        try:
            upstream = await upstream_task
        except BaseException:
            return
        await _forward_close(client, upstream, "client")

    async def _relay(
        self,
        client: ServerConnection,
        upstream: ClientConnection,
        pending_recv: asyncio.Task[Data] | None,
        queued: list[Data],
        stats: _Stats,
    ) -> None:
        """Flush the queue, pump both directions, and close each side when the other closes."""
        to_upstream = asyncio.create_task(
            self._pump_client(client, upstream, pending_recv, queued, stats)
        )
        to_client = asyncio.create_task(self._pump_upstream(upstream, client, stats))
        reader_of = {"client": to_upstream, "upstream": to_client}
        try:
            done, _ = await asyncio.wait(
                {to_upstream, to_client}, return_when=asyncio.FIRST_COMPLETED
            )
            closed_side = next(iter(done)).result()
            # The pump reading from the closed side drains what that side sent before closing
            # (an upstream's last error event, a client's last frame) before anything is closed.
            reader = reader_of[closed_side]
            if not reader.done():
                await reader
        finally:
            for task in (to_upstream, to_client):
                task.cancel()
            for task in (to_upstream, to_client):
                with contextlib.suppress(BaseException):
                    await task
        source: Connection
        target: Connection
        if closed_side == "client":
            source, target = client, upstream
        else:
            source, target = upstream, client
        stats.closed_by = closed_side
        await source.wait_closed()
        await _forward_close(source, target, closed_side)

    async def _pump_client(
        self,
        client: ServerConnection,
        upstream: ClientConnection,
        pending_recv: asyncio.Task[Data] | None,
        queued: list[Data],
        stats: _Stats,
    ) -> str:
        """Client to upstream: queued frames first, then live ones. Returns the side that closed."""
        try:
            for message in queued:
                await upstream.send(message)
                stats.to_upstream += 1
        except ConnectionClosed:
            return "upstream"
        while True:
            try:
                if pending_recv is not None:
                    message = await pending_recv
                    pending_recv = None
                else:
                    message = await client.recv()
            except ConnectionClosed:
                return "client"
            try:
                await upstream.send(message)
            except ConnectionClosed:
                return "upstream"
            stats.to_upstream += 1

    async def _pump_upstream(
        self, upstream: ClientConnection, client: ServerConnection, stats: _Stats
    ) -> str:
        """Upstream to client, frame for frame. Returns the side that closed."""
        while True:
            try:
                message = await upstream.recv()
            except ConnectionClosed:
                return "upstream"
            try:
                await client.send(message)
            except ConnectionClosed:
                return "client"
            stats.to_client += 1

    def _log_closed(
        self,
        cid: int,
        client: ServerConnection,
        upstream: ClientConnection | None,
        stats: _Stats,
    ) -> None:
        """One line per closed connection: who closed, both close codes, frame counts."""

        def code_of(conn: ServerConnection | ClientConnection | None) -> str:
            if conn is None:
                return "-"
            rcvd, sent = conn.protocol.close_rcvd, conn.protocol.close_sent
            frame = rcvd or sent
            return str(frame.code) if frame else "1006"

        logger.info(
            "connection %d closed by %s: client code %s, upstream code %s; frames "
            "client->upstream %d (%d queued before open), upstream->client %d",
            cid,
            stats.closed_by or "relay",
            code_of(client),
            code_of(upstream),
            stats.to_upstream,
            stats.queued,
            stats.to_client,
        )
