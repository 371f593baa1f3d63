"""``RealtimeAPI``: the websocket to a Realtime server, as named events.

Dispatches ``server.<type>`` then ``server.*`` for every frame received, ``client.<type>`` then
``client.*`` for every event sent (before it is written), ``close`` when the socket closes and
``error`` for problems found on this side (unparseable frames, failing handlers, a connection
lost without a clean close: ``connection_lost`` with ``close: {code, reason}``, 1006 when the
network or the server vanished without a close frame; a frame over ``MAX_FRAME_BYTES``:
``frame_too_large``, and ``close`` says 1009, the code the client itself closed with).

Fixes over the reference: ``url`` and ``model`` are always honoured (its defect 1), a URL that
has a query gets ``model`` merged into it (defect 16), and ``http(s)://`` relay URLs are mapped
to ``ws(s)://``; the key goes in an ``Authorization`` header and is never logged, printed or
put in an exception; frames are written in order by one writer task, so ``send`` stays
synchronous; nothing raised while handling a frame escapes the receive loop (defect 5); a late
``close`` of an old socket is never dispatched after a reconnect (defect 14). The outgoing queue
is bounded in bytes (``send_queue``): while the link stalls, audio appends past
``max_queued_audio_bytes`` are dropped and counted (one ``send_queue_full`` error per stall) and
``send`` raises ``SendQueueFull`` past ``max_queued_bytes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from .. import __version__
from ..defaults import OPENAI_REALTIME_URL
from .dialects import DEFAULT_MODELS, Dialect, check_dialect, handshake_headers
from .event_handler import RealtimeEventHandler, make_error
from .redaction import RedactSecrets, mask_tool_secrets, safe_url
from .secrets import EPHEMERAL_PREFIX
from .send_queue import MAX_QUEUED_AUDIO_BYTES, MAX_QUEUED_BYTES, SendQueue
from .utils import Int16Array, generate_id

logger = logging.getLogger("console.realtime")

MAX_FRAME_BYTES = 64 * 1024 * 1024
"""Largest frame accepted from the server (a retrieved item can carry minutes of audio)."""

_websocket_logger = logging.getLogger("console.realtime.websocket")
"""websockets' own logger for our connections: quiet unless lowered below INFO (it logs every
frame at DEBUG), and credentials masked even then."""
_websocket_logger.setLevel(logging.INFO)
_websocket_logger.addFilter(RedactSecrets())


TRANSPORTS = ("websocket", "webrtc")
"""The ways to reach a server: a WebSocket (default) or a WebRTC call (``webrtc``)."""


class RealtimeNotConnectedError(ConnectionError):
    """Raised by ``send`` when there is no open connection."""


class RealtimeAPI(RealtimeEventHandler):
    """A websocket to a Realtime server (OpenAI, a relay or the embedded simulator)."""

    default_url = OPENAI_REALTIME_URL
    transport = "websocket"
    """How events travel: ``"websocket"`` here, ``"webrtc"`` for ``RealtimeWebRTC``."""

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        model: str | None = None,
        dialect: str = "ga",
        debug: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        dangerously_allow_api_key_in_browser: bool = False,
        max_queued_audio_bytes: int = MAX_QUEUED_AUDIO_BYTES,
        max_queued_bytes: int = MAX_QUEUED_BYTES,
        intent: str | None = None,
        attach_call_id: str | None = None,
    ) -> None:
        """``model`` defaults to the dialect's current model; ``debug`` logs every event.
        ``intent="transcription"`` opens transcription sessions (``?intent=transcription`` and
        no model in the URL, which such a session refuses).

        ``max_queued_audio_bytes`` (1 MiB, about 16 s of PCM16 audio) and ``max_queued_bytes``
        (64 MiB) bound what waits to be sent while the link stalls (``send``); both are read at
        each ``connect``. ``attach_call_id`` attaches to a live WebRTC or SIP call (OpenAI's
        "sideband" connection, ``?call_id=``; the standard key is needed) instead of opening a
        session.
        ``dangerously_allow_api_key_in_browser`` exists for parity and has no
        effect: Python does not run in a browser.
        """
        super().__init__()
        self.url = url or self.default_url
        self._api_key = api_key or None
        self.model = model
        if intent not in (None, "transcription"):
            raise ValueError(f"intent must be None or 'transcription', not {intent!r}")
        self.intent = intent
        self.attach_call_id = attach_call_id or None
        self.dialect: Dialect = check_dialect(dialect)
        self.debug = debug
        self.extra_headers = dict(extra_headers or {})
        self.max_queued_audio_bytes = max_queued_audio_bytes
        self.max_queued_bytes = max_queued_bytes
        self.dropped_audio_frames = 0
        """``input_audio_buffer.append`` events dropped because the link stalled (all sessions)."""
        self._ws: ClientConnection | None = None
        self._outgoing: SendQueue | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._sender: asyncio.Task[None] | None = None
        if debug:
            _ensure_debug_output()

    @property
    def api_key(self) -> str | None:
        """The key used for the handshake (read-only; never shown in logs or reprs)."""
        return self._api_key

    @property
    def session_is_given(self) -> bool:
        """True when the session is not ours to set on connect: attached to a call
        (``attach_call_id``), or the key is an ephemeral secret (``ek_…``), which carries the
        session it was minted with. The client then adopts the server's session."""
        key = self._api_key
        return self.attach_call_id is not None or bool(key and key.startswith(EPHEMERAL_PREFIX))

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"<RealtimeAPI url={safe_url(self.url)!r} dialect={self.dialect} key={key}>"

    def is_connected(self) -> bool:
        """True from the socket's opening until ``disconnect`` or its closing."""
        return self._ws is not None

    def log(self, *args: Any) -> bool:
        """Log ``args`` (events with audio elided, MCP secrets masked) when ``debug`` is on."""
        if self.debug:
            stamp = datetime.now(UTC).isoformat()
            parts = [
                json.dumps(_elide_audio(mask_tool_secrets(a))) if isinstance(a, dict) else str(a)
                for a in args
            ]
            logger.debug("[Websocket/%s] %s", stamp, " ".join(parts))
        return True

    def connection_url(self, model: str | None = None) -> str:
        """The URL ``connect`` opens: ``ws(s)``, with ``model`` (or the call id) in the query."""
        parts = urlsplit(self.url)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if self.attach_call_id is not None:  # the call's session has its model already
            query = [(k, v) for k, v in query if k not in ("call_id", "model")]
            query.append(("call_id", self.attach_call_id))
            return urlunsplit(parts._replace(scheme=scheme, query=urlencode(query)))
        chosen = model or self.model
        if self.intent is not None:
            query = [(k, v) for k, v in query if k not in ("model", "intent")]
            query.append(("intent", self.intent))
        elif chosen:
            query = [(k, v) for k, v in query if k != "model"] + [("model", chosen)]
        elif not any(k == "model" for k, _ in query):
            query.append(("model", DEFAULT_MODELS[self.dialect]))
        return urlunsplit(parts._replace(scheme=scheme, query=urlencode(query)))

    async def connect(self, model: str | None = None, *, timeout: float = 10.0) -> bool:
        """Open the websocket; raises ``ConnectionError`` with a readable reason on failure."""
        if self.is_connected():
            raise RuntimeError("Already connected")
        url = self.connection_url(model)
        if not self._api_key and self.url == self.default_url:
            logger.warning('No api_key provided for connection to "%s"', self.url)
        headers = handshake_headers(self.dialect)
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        headers.update(self.extra_headers)
        try:
            ws = await connect(
                url,
                additional_headers=headers,
                user_agent_header=f"realtime-console/{__version__}",
                max_size=MAX_FRAME_BYTES,
                compression=None,
                open_timeout=timeout,
                logger=_websocket_logger,
            )
        except InvalidURI:  # its message repeats the URL, secrets included
            raise ConnectionError(f'Could not connect to "{safe_url(url)}": invalid URL') from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            reason = str(exc) or type(exc).__name__
            raise ConnectionError(f'Could not connect to "{safe_url(url)}": {reason}') from None
        self._ws = ws
        self._outgoing = SendQueue(self.max_queued_audio_bytes, self.max_queued_bytes)
        self._receiver = asyncio.create_task(self._receive_loop(ws), name="realtime-receive")
        self._sender = asyncio.create_task(
            self._send_loop(ws, self._outgoing), name="realtime-send"
        )
        self.log(f'Connected to "{safe_url(url)}"')
        return True

    async def disconnect(self) -> bool:
        """Flush queued frames (up to 2 s), close the socket and dispatch ``close``."""
        ws, queue = self._ws, self._outgoing
        if ws is None:
            return True
        self._ws = None
        if queue is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(queue.join(), 2.0)
        if self._sender is not None:
            self._sender.cancel()
        await ws.close()
        receiver = self._receiver
        if receiver is not None and receiver is not asyncio.current_task():
            with contextlib.suppress(asyncio.CancelledError):
                await receiver
        self.log(f'Disconnected from "{safe_url(self.url)}"')
        self.dispatch("close", {"error": False, "code": 1000, "reason": "client disconnect"})
        return True

    def send(self, event_name: str, data: Mapping[str, Any] | None = None) -> bool:
        """Queue one client event; ``data`` keys (even ``event_id``/``type``) win over defaults.

        Returns False for an ``input_audio_buffer.append`` dropped because the link has stalled
        with ``max_queued_audio_bytes`` waiting (counted in ``dropped_audio_frames``; the first
        of a stall dispatches a ``send_queue_full`` error). Raises ``RealtimeNotConnectedError``
        when not connected, ``SendQueueFull`` past ``max_queued_bytes`` waiting, and
        ``TypeError`` for data that is not a mapping or not JSON-serialisable; nothing is
        dispatched or sent then.
        """
        queue = self._outgoing
        if not self.is_connected() or queue is None:
            raise RealtimeNotConnectedError("RealtimeAPI is not connected")
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise TypeError("data must be a mapping")
        event = {"event_id": generate_id("evt_"), "type": event_name, **data}
        frame = json.dumps(event)
        if not queue.admit(len(frame), audio=event_name == "input_audio_buffer.append"):
            self.dropped_audio_frames += 1
            if queue.dropped():
                self.dispatch("error", _send_queue_full(queue.bytes))
            return False
        self.dispatch(f"client.{event_name}", event)
        self.dispatch("client.*", event)
        if self.debug:
            self.log("sent:", event_name, event)
        queue.put(frame)
        return True

    def send_audio(self, samples: Int16Array) -> bool | None:
        """Send 24 kHz input audio outside events: ``None`` here, where it travels in
        ``input_audio_buffer.append`` events (the client's job); ``RealtimeWebRTC`` puts it on
        the call's audio track and returns True."""
        del samples
        return None

    @property
    def queued_bytes(self) -> int:
        """Bytes of the events queued or being written (0 when not connected)."""
        return self._outgoing.bytes if self._outgoing is not None else 0

    def receive(self, event_name: str, event: dict[str, Any]) -> bool:
        """Dispatch one server event as ``server.<type>`` then ``server.*``."""
        if self.debug:
            self.log("received:", event_name, event)
        self.dispatch(f"server.{event_name}", event)
        self.dispatch("server.*", event)
        return True

    def handle_frame(self, frame: str | bytes) -> None:
        """Parse one websocket frame and dispatch it; bad frames become ``error`` events."""
        try:
            event = json.loads(frame)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
            excerpt = frame[:200]
            self.dispatch(
                "error",
                make_error(
                    "invalid_frame",
                    f"server sent a frame that is not JSON: {exc}",
                    event=excerpt,
                    exception=exc,
                ),
            )
            return
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self.dispatch(
                "error",
                make_error(
                    "invalid_event", "server sent JSON without a string 'type'", event=event
                ),
            )
            return
        self.receive(event["type"], event)

    async def _receive_loop(self, ws: ClientConnection) -> None:
        failed = False
        try:
            async for frame in ws:
                self.handle_frame(frame)
                # One loop iteration per frame, as a browser's message events get: whoever a
                # frame woke (a wait_* caller) runs before the next frame is handled.
                await asyncio.sleep(0)
        except ConnectionClosed:
            pass
        except Exception as exc:  # a bug of ours: report it, close, never let it escape
            failed = True
            message = f"the receive loop failed and closed the connection: {exc!r}"
            self.dispatch("error", make_error("receive_failed", message, exception=exc))
            with contextlib.suppress(Exception):
                await ws.close(1011, "client receive loop failed")
        if self._ws is not ws:
            return  # closed by disconnect(), which reports it, or a stale socket
        self._ws = None
        if self._sender is not None:
            self._sender.cancel()
        code, reason = ws.close_code, ws.close_reason or ""
        sent = ws.protocol.close_sent
        if not failed and sent is not None and sent.code == 1009:
            # websockets failed the connection itself (close 1009); the server's side of the
            # closing is at most an echo, often nothing (1006): say what really happened.
            code, reason = 1009, "frame_too_large"
            mib = MAX_FRAME_BYTES // (1024 * 1024)
            message = f"a frame over {mib} MiB arrived; the client closed the connection (1009)"
            self.dispatch("error", make_error("frame_too_large", message))
            failed = True
        clean = code == 1000 and not failed
        if not clean and not failed:
            self.dispatch("error", _connection_lost(code, reason))
        self.log(f'Disconnected from "{safe_url(self.url)}" (code {code})')
        self.dispatch("close", {"error": not clean, "code": code, "reason": reason})

    @staticmethod
    async def _send_loop(ws: ClientConnection, queue: SendQueue) -> None:
        try:
            while True:
                frame = await queue.get()
                try:
                    await ws.send(frame)
                finally:
                    queue.done(frame)
        except ConnectionClosed:
            pass  # the receive loop reports the closing
        finally:
            queue.discard_all()  # let disconnect()'s flush finish


def _connection_lost(code: int | None, reason: str) -> dict[str, Any]:
    """The ``error`` payload of a connection the server (or the network) ended."""
    if code == 1006:
        message = "connection lost without a close frame (code 1006): network or server gone"
    else:
        message = f"connection closed by the server: code {code}"
    if reason:
        message += f" ({reason})"
    payload = make_error("connection_lost", message)
    payload["close"] = {"code": code, "reason": reason}
    return payload


def _send_queue_full(queued: int) -> dict[str, Any]:
    """The ``error`` payload of the first audio append dropped in a stall."""
    message = (
        f"the link has stalled with {queued:,} bytes waiting to be sent: input audio appends"
        " are dropped (the newest) until it catches up; other events still queue"
    )
    return make_error("send_queue_full", message)


def _elide_audio(value: Any, key: str | None = None, audio_delta: bool = False) -> Any:
    """A copy of an event for logs, with base64 audio replaced by its length."""
    if isinstance(value, dict):
        is_audio_delta = str(value.get("type", "")).endswith("audio.delta")
        return {k: _elide_audio(v, k, is_audio_delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_elide_audio(v, key, audio_delta) for v in value]
    if isinstance(value, str) and (key == "audio" or (key == "delta" and audio_delta)):
        return f"<audio: {len(value)} base64 chars>"
    return value


def _ensure_debug_output() -> None:
    """Make ``debug=True`` visible even when the application configured no logging."""
    if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
        logger.setLevel(logging.DEBUG)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def open_transport(transport: str, *args: Any, **kwargs: Any) -> RealtimeAPI:
    """A ``RealtimeAPI`` for ``transport`` (``TRANSPORTS``) with ``RealtimeAPI``'s arguments.

    WebRTC is imported only when asked for: aiortc and PyAV are heavy to load.
    """
    if transport == "websocket":
        return RealtimeAPI(*args, **kwargs)
    if transport == "webrtc":
        from .webrtc import RealtimeWebRTC

        return RealtimeWebRTC(*args, **kwargs)
    raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
