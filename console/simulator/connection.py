"""One client connection: reads client events, validates them, and drives the session.

Every client frame is handled inside a guard: a :class:`RealtimeError` becomes an ``error``
event carrying the client's ``event_id``; anything unexpected becomes a ``server_error`` event.
Nothing a client sends ends the connection. Responses run as background tasks so that
``response.cancel`` and barge-in (server VAD) can interrupt them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from . import errors, ids
from . import validation as v
from .accounting import RateLimits
from .conversation import Conversation, Item
from .dialect import Dialect
from .input_audio import InputAudioBuffer
from .json_frames import parse_json
from .mcp_client import DEFAULT_TIMEOUT_S as MCP_TIMEOUT_S
from .mcp_items import check as check_mcp_item
from .mcp_listing import McpListings
from .peers import Peer, PeerClosed
from .playout import Playout
from .session import SessionState
from .session_updates import SessionUpdates, handshake_refusal
from .sideband import Sidebands
from .streaming import ResponseRun
from .turn_taking import InputAudioHandlers
from .turns import TurnQueue
from .vad import EnergyVad

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
REFUSAL_CLOSE = 3000  # after a refused handshake's error event, as for a wrong key (see server)


class Connection(InputAudioHandlers, SessionUpdates):
    """State and behaviour of one realtime session over one peer (see :mod:`.peers`).

    ``intent`` is the URL's ``?intent=`` (``"transcription"`` opens a transcription session);
    ``model_in_url`` says whether the URL named a model, which a transcription session refuses.
    """

    def __init__(
        self,
        ws: Peer,
        dialect: Dialect,
        model: str,
        pace: str,
        expiry_s: float | None,
        *,
        item_done_first: bool = False,
        generation_speed: float = 3.0,
        transcription_delay_s: float = 0.3,
        intent: str | None = None,
        model_in_url: bool = False,
        session_patch: dict[str, Any] | None = None,
        mcp_timeout_s: float = MCP_TIMEOUT_S,
    ) -> None:
        """``session_patch``: a validated canonical config the session starts with (an
        ephemeral secret's), so ``session.created`` already shows it. ``mcp_timeout_s`` bounds
        each operation on an MCP server (:mod:`.mcp_listing`, :mod:`.mcp_calls`)."""
        self.ws = ws
        self.refusal = handshake_refusal(intent, model_in_url)
        self.sidebands = Sidebands()
        """Servers attached to this session (``?call_id=``): they see every event from then on."""
        self.ended = False
        """The session is over (its transport closed): a sideband can no longer join."""
        self.dialect = dialect
        self.pace = pace
        self.item_done_first = item_done_first  # see SimulatorServer
        self.generation_speed = generation_speed  # see SimulatorServer
        self.transcription_delay_s = transcription_delay_s  # see SimulatorServer
        self.rate_limits = RateLimits(dialect.rate_limit_names)
        self.expiry_s = expiry_s
        kind = "transcription" if intent == "transcription" else "realtime"
        self.session = SessionState(model, dialect.default_voice, expiry_s, kind)
        if session_patch:
            self.session.update(session_patch)
        self.conversation = Conversation()
        self.buffer = InputAudioBuffer()
        self.vad: EnergyVad | None = None
        self._vad_item_id: str | None = None
        self._vad_start = 0
        self._idle_from: int | None = None  # audio position where idle_timeout_ms starts counting
        self.active: ResponseRun | None = None  # the in-conversation response
        self.runs: dict[str, ResponseRun] = {}  # every running response, out-of-band included
        self._tasks: set[asyncio.Task[Any]] = set()
        # turn events wait while an interrupted (cancelled) response is still finishing
        self.turns = TurnQueue(lambda: self.active is not None and self.active.cancelled)
        self._owed_response = False  # a turn ended while a response ran (interrupt_response off)
        self.audio_out: Playout | None = None  # a WebRTC call's output buffer (see .playout)
        self.mcp_timeout_s = mcp_timeout_s
        self.mcp = McpListings()  # lists MCP servers' tools as the session's tools change
        self._configure_vad()
        self.handlers: dict[str, Handler] = {
            "session.update": self._session_update,
            "input_audio_buffer.append": self._append,
            "input_audio_buffer.commit": self._commit,
            "input_audio_buffer.clear": self._clear,
            "conversation.item.create": self._item_create,
            "conversation.item.retrieve": self._item_retrieve,
            "conversation.item.truncate": self._item_truncate,
            "conversation.item.delete": self._item_delete,
            "response.create": self._response_create,
            "response.cancel": self._response_cancel,
            "output_audio_buffer.clear": self._output_audio_clear,
            "transcription_session.update": self._transcription_session_update,
        }

    # sending -------------------------------------------------------------------------------
    async def emit(self, event_type: str, **fields: Any) -> None:
        """Send one canonical server event, shaped for this connection's dialect."""
        event = self.dialect.shape_event({"type": event_type, "event_id": ids.event_id(), **fields})
        if event is not None:
            text = json.dumps(event)
            await self.ws.send(text)
            if self.sidebands:
                await self.sidebands.send(text)

    async def send_error(self, error: errors.RealtimeError) -> None:
        """Send an ``error`` event."""
        await self.emit("error", error=error.payload())

    # lifecycle -----------------------------------------------------------------------------
    async def run(self) -> None:
        """Greet with ``session.created``, then handle client frames until the socket closes."""
        expiry: asyncio.Task[None] | None = None
        try:
            if self.refusal is not None:
                await self.send_error(self.refusal)
                await self.ws.close(REFUSAL_CLOSE, "invalid_request_error")
                return
            await self._announce_session("created")
            if self.expiry_s is not None:
                expiry = asyncio.get_running_loop().create_task(self._expire(self.expiry_s))
            async for message in self.ws:
                await self.handle(message)
        except PeerClosed:
            pass
        finally:
            self.ended = True
            if expiry is not None:
                expiry.cancel()
            await self._release()
            await self.sidebands.close_all()

    async def _release(self) -> None:
        """The socket closed: stop every task, wait for them, then break the reference cycles
        (bound-method handlers, the turn queue's closure, runs and tasks pointing back here) so
        the connection, its audio and its conversation are freed at once, not by the cycle
        collector."""
        self.turns.clear()
        for run in list(self.runs.values()):
            run.cancel("client_cancelled")
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        del tasks
        for run in list(self.runs.values()):
            run.release()
        self._tasks.clear()
        self.runs.clear()
        self.active = None
        self.handlers = {}
        self.turns = TurnQueue(lambda: False)
        self.buffer = InputAudioBuffer()
        self.conversation = Conversation()

    async def _expire(self, seconds: float) -> None:
        """Session expiry: the real error, then close code 1001."""
        await asyncio.sleep(seconds)
        with contextlib.suppress(PeerClosed):
            await self.send_error(errors.session_expired(seconds))
            await self.ws.close(1001, "session expired")

    async def handle(self, message: str | bytes) -> None:
        """Parse, validate and dispatch one client frame; report failures as ``error`` events."""
        event_id: str | None = None
        try:
            if isinstance(message, bytes):
                try:
                    message = message.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise errors.RealtimeError(
                        "Invalid client event: binary frames must be UTF-8 encoded JSON.",
                        code="invalid_json",
                    ) from exc
            event = parse_json(message)
            if not isinstance(event, dict):
                raise errors.invalid_type("event", "an object", event)
            if isinstance(event.get("event_id"), str):
                event_id = event["event_id"]
            elif event.get("event_id") is not None:
                raise errors.invalid_type("event_id", "a string", event["event_id"])
            kind = v.require_key(event, "type", "")
            kind = v.enum(kind, "type", self.client_events)
            await self.handlers[kind](event)
        except errors.RealtimeError as error:
            error.event_id = event_id
            await self.send_error(error)
        except PeerClosed:
            raise
        except Exception:
            log.exception("simulator: unexpected failure handling a client event")
            await self.send_error(
                errors.RealtimeError(
                    "The server had an error while processing your request. Sorry about that!",
                    type=errors.SERVER_ERROR,
                    event_id=event_id,
                )
            )

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # session -------------------------------------------------------------------------------
    def preset_session(self, raw: Any) -> None:
        """Start from a session config given before the session opens (a WebRTC call's
        ``session``): validated as ``session.update``'s, announced by ``session.created``."""
        self.session.update(self.dialect.parse_session_update(raw, self.session))
        self._configure_vad()

    async def _output_audio_clear(self, event: dict[str, Any]) -> None:
        if self.audio_out is None:
            raise errors.RealtimeError(
                "output_audio_buffer.clear is only supported for WebRTC and SIP connections.",
                code="invalid_value",
                param="type",
            )
        v.check_keys(event, ["type", "event_id"], "")
        await self.interrupt_output("client_cancelled")

    async def interrupt_output(self, reason: str) -> None:
        """WebRTC: cut the audio playing on the call (``cleared``, the server's truncation) and
        stop the responses still generating it. Nothing without a call or audio."""
        if self.audio_out is None:
            return
        for run in list(self.runs.values()):
            if self.audio_out.holds(run.id):
                run.cancel(reason)
        await self.audio_out.interrupt()

    # conversation --------------------------------------------------------------------------
    async def _announce_item(self, item: Item, previous: str | None) -> None:
        rendered = self.dialect.render_item(item)
        await self.emit("conversation.item.added", previous_item_id=previous, item=rendered)
        await self.emit("conversation.item.done", previous_item_id=previous, item=rendered)

    async def _item_create(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "item", "previous_item_id"], "")
        item = self.dialect.parse_item(
            v.require_key(event, "item", ""), "item", self.session.input_format
        )
        check_mcp_item(item, self.conversation)
        previous_id = event.get("previous_item_id")
        if previous_id is None:
            previous = self.conversation.insert(item, None, at_end=True)
        else:
            previous_id = v.string(previous_id, "previous_item_id")
            target = None if previous_id == "root" else previous_id
            previous = self.conversation.insert(item, target, at_end=False)
        await self._announce_item(item, previous)

    async def _item_retrieve(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "item_id"], "")
        item_id = v.string(v.require_key(event, "item_id", ""), "item_id")
        item = self.conversation.retrieve(item_id)
        formats = (self.session.input_format, self.session.output_format)
        await self.emit("conversation.item.retrieved", item=self.dialect.render_item(item, formats))

    async def _item_truncate(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "item_id", "content_index", "audio_end_ms"], "")
        item_id = v.string(v.require_key(event, "item_id", ""), "item_id")
        index = v.integer(v.require_key(event, "content_index", ""), "content_index", 0)
        end = v.integer(v.require_key(event, "audio_end_ms", ""), "audio_end_ms", 0)
        self.conversation.truncate(item_id, index, end)
        for run in list(self.runs.values()):  # a still-streaming item: its response stops here
            if any(item.id == item_id and item.status == "in_progress" for item in run.output):
                run.cancel("client_cancelled")
        await self.emit(
            "conversation.item.truncated", item_id=item_id, content_index=index, audio_end_ms=end
        )

    async def _item_delete(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "item_id"], "")
        item_id = v.string(v.require_key(event, "item_id", ""), "item_id")
        self.conversation.delete(item_id)
        await self.emit("conversation.item.deleted", item_id=item_id)

    # responses -----------------------------------------------------------------------------
    def _resolve_input(self, raw: list[Any]) -> list[Item]:
        """A response's own ``input``: items, or references to conversation items."""
        out = []
        for index, entry in enumerate(raw):
            param = f"response.input[{index}]"
            if isinstance(entry, dict) and entry.get("type") == "item_reference":
                v.check_keys(entry, ["type", "id"], param)
                ref = v.string(v.require_key(entry, "id", param), f"{param}.id")
                item = self.conversation.get(ref)
                if item is None:
                    raise errors.invalid_value(f"{param}.id", f"Item with id '{ref}' not found.")
                out.append(item)
            else:
                out.append(self.dialect.parse_item(entry, param, self.session.input_format))
        return out

    async def _response_create(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "response"], "")
        raw = event.get("response")
        params = {} if raw is None else self.dialect.parse_response_params(raw, self.session)
        out_of_band = params.get("conversation") == "none"
        if "input" in params:
            context = self._resolve_input(params["input"])
        else:
            context = list(self.conversation.items)
        if not out_of_band and self.active is not None:
            raise errors.RealtimeError(
                "Conversation already has an active response in progress: "
                f"{self.active.id}. Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        await self._start_response(params, context)

    async def _start_response(self, params: dict[str, Any], context: list[Item]) -> None:
        """Announce the response (``response.created`` first), then stream it in a task."""
        run = ResponseRun(self, params, context, on_finish=self._finished)
        self.runs[run.id] = run
        if run.in_conversation:
            self.active = run
        try:
            await run.announce()
        except BaseException:  # the socket closed: forget the run without sending anything
            self.runs.pop(run.id, None)
            if self.active is run:
                self.active = None
            raise
        run.task = asyncio.ensure_future(self._guarded(run))
        self._tasks.add(run.task)
        run.task.add_done_callback(self._tasks.discard)

    async def _guarded(self, run: ResponseRun) -> None:
        """Run a response; a closed socket ends it quietly, a bug becomes a server_error."""
        try:
            await run.run()
        except PeerClosed:
            pass
        except Exception:
            log.exception("simulator: response %s failed", run.id)
            with contextlib.suppress(PeerClosed):
                await self.send_error(
                    errors.RealtimeError(
                        "The server had an error while generating the response.",
                        type=errors.SERVER_ERROR,
                    )
                )

    async def _finished(self, run: ResponseRun) -> None:
        """A response ended: run the turn events it held back, then any response owed."""
        self.runs.pop(run.id, None)
        if self.audio_out is not None:
            await self.audio_out.end(run.id)
        if self.active is not run:
            return
        self.active = None
        played = sum(len(p.audio) for i in run.output for p in i.content if p.audio is not None)
        self._idle_from = self.buffer.total + played
        await self.turns.flush()
        if self._owed_response and self.active is None and not self.turns:
            self._owed_response = False
            await self._start_response({}, list(self.conversation.items))

    async def _response_cancel(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "response_id"], "")
        wanted = event.get("response_id")
        if wanted is not None:
            wanted = v.string(wanted, "response_id")
        run = self.runs.get(wanted) if wanted else self.active
        if run is None and not wanted and len(self.runs) == 1:  # the only (out-of-band) one
            run = next(iter(self.runs.values()))
        if run is None or run.cancelled:
            raise errors.RealtimeError(
                "Cancellation failed: no active response found",
                code="response_cancel_not_active",
            )
        run.cancel("client_cancelled")
        if self.audio_out is not None and self.audio_out.holds(run.id):
            await self.audio_out.interrupt()
