"""The websocket server and handshake: paths, model, dialect, authentication, subprotocols.

Handshake rules (as OpenAI's endpoint): paths ``/v1/realtime`` and ``/`` (anything else: HTTP
404); ``?model=``; the key comes from ``Authorization: Bearer`` or from the browser subprotocol
``openai-insecure-api-key.<key>``; the ``realtime`` subprotocol is selected when offered (browsers
abort otherwise); ``OpenAI-Beta: realtime=v1`` or the ``openai-beta.realtime-v1`` subprotocol
selects the beta dialect, anything else GA. With ``require_key`` set, a wrong or missing key is
answered after the upgrade with the real ``invalid_api_key`` error event, then the socket is closed
with code 3000 (``invalid_request_error``), which is what the real endpoint is observed to do. The
key is never logged; error messages show it masked.

Frames up to 16 MiB are accepted (the real API takes ~15 MB events); a larger frame makes the
websocket layer close the connection with 1009 ("message too big"), as a real server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from http import HTTPStatus
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from console.defaults import SIMULATOR_GENERATION_SPEED, SIMULATOR_TRANSCRIPTION_DELAY_S

from . import errors
from .connection import Connection
from .dialect import GA, Dialect
from .dialect_beta import BETA
from .log_redaction import websockets_logger
from .peers import PeerClosed, WebsocketsPeer

log = logging.getLogger(__name__)

PATHS = ("/v1/realtime", "/v1/realtime/", "/")
MAX_FRAME_BYTES = 16 * 1024 * 1024
KEY_PROTOCOL_PREFIX = "openai-insecure-api-key."
BETA_PROTOCOL = "openai-beta.realtime-v1"
AUTH_FAILURE_CLOSE = 3000


def offered_subprotocols(headers: Headers) -> list[str]:
    """The subprotocols a client offered, in order."""
    out: list[str] = []
    for value in headers.get_all("Sec-WebSocket-Protocol"):
        out.extend(p.strip() for p in value.split(",") if p.strip())
    return out


def client_key(headers: Headers) -> str | None:
    """The API key from ``Authorization: Bearer`` or the insecure-key subprotocol."""
    auth = headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    for proto in offered_subprotocols(headers):
        if proto.startswith(KEY_PROTOCOL_PREFIX):
            return proto[len(KEY_PROTOCOL_PREFIX) :] or None
    return None


def client_dialect(headers: Headers) -> Dialect:
    """Beta when the beta header or subprotocol is present, else GA."""
    beta_header = "realtime=v1" in headers.get("OpenAI-Beta", "").replace(" ", "")
    if beta_header or BETA_PROTOCOL in offered_subprotocols(headers):
        return BETA
    return GA


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
    ) -> None:
        if pace not in ("realtime", "fast"):
            raise ValueError(f"pace must be 'realtime' or 'fast', not {pace!r}")
        if not generation_speed > 0:
            raise ValueError(f"generation_speed must be positive, not {generation_speed!r}")
        if not transcription_delay_s >= 0:
            raise ValueError(f"transcription_delay_s must be >= 0, not {transcription_delay_s!r}")
        self.generation_speed = float(generation_speed)
        self.transcription_delay_s = float(transcription_delay_s)
        self.host = host
        self.port = port
        self.pace = pace
        self._require_key = require_key
        self.session_expiry_s = session_expiry_s
        self.item_done_first = item_done_first
        self._server: Server | None = None

    def __repr__(self) -> str:
        return f"SimulatorServer(url={self.url!r}, pace={self.pace!r})"

    @property
    def url(self) -> str:
        """The websocket URL clients connect to."""
        return f"ws://{self.host}:{self.port}/v1/realtime"

    async def start(self) -> None:
        """Bind and start accepting connections; ``port`` is then the bound port."""
        if self._server is not None:
            return
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            max_size=MAX_FRAME_BYTES,
            compression=None,
            logger=websockets_logger,
        )
        sockets = list(self._server.sockets)
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close every connection (code 1001) and stop listening."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        await server.wait_closed()

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

    # handshake hooks -----------------------------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path not in PATHS:
            return connection.respond(HTTPStatus.NOT_FOUND, "Not found: use /v1/realtime\n")
        return None

    def _select_subprotocol(
        self, connection: ServerConnection, subprotocols: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        for wanted in ("realtime", BETA_PROTOCOL):
            if wanted in subprotocols:
                return Subprotocol(wanted)
        return None

    # connections ---------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        headers = request.headers
        dialect = client_dialect(headers)
        query = parse_qs(urlsplit(request.path).query)
        model = (query.get("model") or [dialect.default_model])[0]
        conn = Connection(
            WebsocketsPeer(ws),
            dialect,
            model,
            self.pace,
            self.session_expiry_s,
            item_done_first=self.item_done_first,
            generation_speed=self.generation_speed,
            transcription_delay_s=self.transcription_delay_s,
            intent=query["intent"][0] if "intent" in query else None,
            model_in_url="model" in query,
        )
        try:
            if self._require_key is not None:
                key = client_key(headers)
                if key != self._require_key:
                    await conn.send_error(errors.invalid_api_key(key))
                    await ws.close(AUTH_FAILURE_CLOSE, "invalid_request_error")
                    return
            await conn.run()
        except (ConnectionClosed, PeerClosed):
            pass
        except Exception:
            log.exception("simulator: connection handler failed")
            with contextlib.suppress(Exception):
                await ws.close(1011, "internal error")
