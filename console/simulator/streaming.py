"""Running one response: the server event sequence for text, audio and function-call outputs.

Order (as the real API): ``response.created`` → (beta: ``rate_limits.updated``) → for each
output: ``response.output_item.added`` → ``conversation.item.added`` (beta: ``.created``) →
``response.content_part.added`` → deltas → ``*.done`` → ``response.content_part.done`` (or the
function call's argument deltas and ``.done``) → ``response.output_item.done`` →
``conversation.item.done`` (GA) → ``response.done`` → (GA: ``rate_limits.updated``, where recorded
GA sessions have it). A tool call the model picked itself comes after a spoken preamble message
(output 0, the calls from output 1). With the connection's ``item_done_first`` the two item
``done`` events swap, so clients can be tested against both. MCP outputs: :mod:`.mcp_calls`.

Audio deltas carry the words whose transcript delta precedes them. On a WebRTC call
(``Host.audio_out`` set) the audio goes to the call's output buffer instead of deltas
(:mod:`.playout`). With ``pace="realtime"``,
generation runs ahead of playback as a real server's does: the first output comes after a short
think, then audio is produced ``generation_speed`` times faster than it plays (default 3), so a
response usually finishes generating long before its audio has played; with ``pace="fast"`` it
is sent as fast as possible. Cancellation (client or turn detection) wakes a paced wait at once;
a response cancelled mid-stream still closes what it opened (audio and transcript ``done`` with
the partial transcript, ``content_part.done``, the item ``incomplete``) before ``response.done``
(``cancelled``); one cancelled before any output has zero usage and no rate-limit update.
:meth:`ResponseRun.announce` sends ``response.created`` from the client-event handler, before
anything else can name the response; :meth:`ResponseRun.run` streams the rest in a task. Item
events stop for an item the client deleted; the response itself still finishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import numpy as np

from . import ids, mcp_calls, responder, voice
from .accounting import RateLimits, usage
from .conversation import Conversation, Item, Part
from .dialect import Dialect
from .input_audio import encode_audio, ms
from .mcp_listing import McpListings
from .peers import PeerClosed
from .playout import Playout
from .session import SessionState

log = logging.getLogger(__name__)

FIRST_OUTPUT_S = 0.2  # realtime pace: time to the first output
TEXT_DELAY_S = 0.03  # realtime pace: per text delta
ARGS_DELAY_S = 0.01  # realtime pace: per function_call_arguments.delta


class Host(Protocol):
    """What a response needs from its connection."""

    dialect: Dialect
    session: SessionState
    conversation: Conversation
    pace: str
    generation_speed: float
    item_done_first: bool
    rate_limits: RateLimits
    audio_out: Playout | None  # a WebRTC call's output buffer: audio goes there, not in deltas
    mcp_timeout_s: float  # bounds each MCP call (:mod:`.mcp_calls`)
    mcp: McpListings  # lists a response's own MCP servers first

    async def emit(self, event_type: str, **fields: Any) -> None: ...


class ResponseRun:
    """One response from ``response.created`` to ``response.done``."""

    def __init__(
        self,
        host: Host,
        params: dict[str, Any],
        context: list[Item],
        on_finish: Callable[[ResponseRun], Awaitable[None] | None] | None = None,
    ) -> None:
        cfg = host.session.config
        self.host = host
        self.in_conversation = params.get("conversation", "auto") != "none"
        self.context = context
        # Input tokens of the whole conversation, as of now, when the response reads it.
        self.context_totals: tuple[int, int] | None = None
        if "input" not in params:
            conv = host.conversation
            self.context_totals = (conv.text_tokens, conv.audio_tokens)
        self.params = params
        self.on_finish = on_finish
        self.id = ids.new_id("resp")
        self.output: list[Item] = []
        self.cancel_reason: str | None = None
        self._cancelled = asyncio.Event()
        self.fields: dict[str, Any] = {
            "id": self.id,
            "status": "in_progress",
            "status_details": None,
            "conversation_id": host.conversation.id if self.in_conversation else None,
            "output_modalities": params.get("output_modalities", cfg["output_modalities"]),
            "voice": params.get("voice", cfg["audio"]["output"]["voice"]),
            "output_format": params.get("output_format", cfg["audio"]["output"]["format"]["type"]),
            "max_output_tokens": params.get("max_output_tokens", cfg["max_output_tokens"]),
            "metadata": params.get("metadata"),
            "temperature": params.get("temperature", cfg["temperature"]),
            "usage": None,
        }
        self.task: asyncio.Task[None] | None = None
        self._done_sent = False

    # control -------------------------------------------------------------------------------
    async def announce(self) -> None:
        """Send ``response.created`` before anything else can refer to the response; :meth:`run`
        streams the rest."""
        await self.host.emit("response.created", response=self._render())

    def cancel(self, reason: str) -> None:
        """Ask the response to stop at the next delta (``client_cancelled``/``turn_detected``)."""
        if self.cancel_reason is None:
            self.cancel_reason = reason
            self._cancelled.set()

    def release(self) -> None:
        """Drop the references back to the connection (it closed)."""
        self.task = None
        self.on_finish = None
        self.context = []
        self.output = []

    @property
    def cancelled(self) -> bool:
        """Whether cancellation was requested."""
        return self.cancel_reason is not None

    async def _pause(self, until: float | None) -> None:
        """Pace: wait until ``until`` (monotonic) or cancellation; just yield in fast mode."""
        if until is None or self.host.pace != "realtime":
            await asyncio.sleep(0)
            return
        delay = until - time.monotonic()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._cancelled.wait(), delay)
        else:
            await asyncio.sleep(0)

    # events --------------------------------------------------------------------------------
    def _render(self) -> dict[str, Any]:
        return self.host.dialect.render_response(self.fields, self.output)

    def _ids(self, item: Item, index: int, content_index: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"response_id": self.id, "item_id": item.id, "output_index": index}
        if content_index is not None:
            out["content_index"] = content_index
        return out

    async def _rate_limits(self) -> None:
        await self.host.emit("rate_limits.updated", rate_limits=self.host.rate_limits.report())

    async def _add_item(self, item: Item) -> int:
        index = len(self.output)
        self.output.append(item)
        d = self.host.dialect
        await self.host.emit(
            "response.output_item.added",
            response_id=self.id,
            output_index=index,
            item=d.render_item(item),
        )
        if self.in_conversation:
            previous = self.host.conversation.insert(item, None, at_end=True)
            await self.host.emit(
                "conversation.item.added", previous_item_id=previous, item=d.render_item(item)
            )
        return index

    async def _finish_item(self, item: Item, index: int, status: str) -> None:
        item.status = status
        self.host.conversation.recount(item)
        if self.host.item_done_first:
            await self._conversation_item_done(item)
            await self._output_item_done(item, index)
        else:
            await self._output_item_done(item, index)
            await self._conversation_item_done(item)

    async def _output_item_done(self, item: Item, index: int) -> None:
        await self.host.emit(
            "response.output_item.done",
            response_id=self.id,
            output_index=index,
            item=self.host.dialect.render_item(item),
        )

    async def _conversation_item_done(self, item: Item) -> None:
        conversation = self.host.conversation
        if self.in_conversation and item in conversation:  # a deleted item: no more events
            previous = conversation.previous_id(item)
            await self.host.emit(
                "conversation.item.done",
                previous_item_id=previous,
                item=self.host.dialect.render_item(item),
            )

    # the run -------------------------------------------------------------------------------
    async def run(self) -> None:
        """Emit the response after :meth:`announce`; always ends with ``response.done`` unless
        the socket closed."""
        try:
            try:
                await self._run()
            except (PeerClosed, asyncio.CancelledError):
                raise
            except Exception:
                log.exception("simulator: response %s failed", self.id)
                await self._fail()
        finally:
            if self.on_finish is not None:
                result = self.on_finish(self)
                if result is not None:
                    await result

    async def _run(self) -> None:
        cfg = self.host.session.config
        instructions = self.params.get("instructions", cfg["instructions"])
        tools = self.params.get("tools", cfg["tools"])
        tool_choice = self.params.get("tool_choice", cfg["tool_choice"])
        if "tools" in self.params:
            await self.host.mcp.list_now(self.host, tools)
        plan = responder.plan(
            self.context,
            self.host.conversation.items,
            instructions,
            tools,
            tool_choice,
            bool(cfg.get("parallel_tool_calls", True)),
        )
        await self._pause(time.monotonic() + FIRST_OUTPUT_S)
        beta_limits = not self.host.dialect.rate_limits_after_done
        if beta_limits and not self.cancelled:  # beta reports the limits before any output
            self.host.rate_limits.take(requests=1)
            await self._rate_limits()
        out_text = out_audio = 0
        incomplete = False
        if plan.text and not self.cancelled:
            out_text, out_audio, incomplete = await self._message(plan.text)
        for call in [c for c in plan.calls if c.server_label is None]:
            if self.cancelled or incomplete:
                break
            out_text += await self._function_call(call)
        mcp = [c for c in plan.calls if c.server_label is not None]
        if mcp and not (self.cancelled or incomplete):  # MCP calls, then a reply using them
            t, a, incomplete = await mcp_calls.run_calls(self, mcp, tools, self.host.mcp_timeout_s)
            out_text, out_audio = out_text + t, out_audio + a
        if self.output:
            if self.context_totals is not None:  # the conversation: its running totals
                in_text, in_audio = self.context_totals
            else:  # a response's own input
                counts = [item.tokens() for item in self.context]
                in_text = sum(text for text, _ in counts)
                in_audio = sum(audio for _, audio in counts)
            in_text += responder.count_tokens(instructions)
            self.fields["usage"] = usage(in_text, in_audio, out_text, out_audio)
        else:  # nothing generated, nothing billed
            self.fields["usage"] = usage(0, 0, 0, 0)
        if self.cancelled:
            self.fields["status"] = "cancelled"
            self.fields["status_details"] = {"type": "cancelled", "reason": self.cancel_reason}
        elif incomplete:
            self.fields["status"] = "incomplete"
            self.fields["status_details"] = {"type": "incomplete", "reason": "max_output_tokens"}
        else:
            self.fields["status"] = "completed"
        if self.output:
            total = int(self.fields["usage"]["total_tokens"])
            self.host.rate_limits.take(requests=0 if beta_limits else 1, tokens=total)
        await self._done()
        if self.output and not beta_limits:
            await self._rate_limits()

    async def _fail(self) -> None:
        """An internal failure: close the items still open (``incomplete``) and end the response
        with ``response.done`` status ``failed`` and ``status_details.error``, as the real server
        does; never a ``server_error`` with no ``response.done``."""
        if self._done_sent:
            return
        for index, item in enumerate(self.output):
            if item.status == "in_progress":
                await self._finish_item(item, index, "incomplete")
        self.fields["status"] = "failed"
        self.fields["status_details"] = {
            "type": "failed",
            "error": {
                "type": "server_error",
                "code": "server_error",
                "message": "The server had an error while generating the response.",
            },
        }
        if self.fields["usage"] is None:
            self.fields["usage"] = usage(0, 0, 0, 0)
        await self._done()

    async def _done(self) -> None:
        self._done_sent = True
        await self.host.emit("response.done", response=self._render())

    async def _function_call(self, call: responder.Call) -> int:
        item = Item(
            "function_call",
            status="in_progress",
            name=call.name,
            call_id=call.call_id,
            arguments="",
        )
        index = await self._add_item(item)
        base = {**self._ids(item, index), "call_id": call.call_id}
        for delta in responder.token_pieces(call.arguments):
            if self.cancelled:
                break
            item.arguments = (item.arguments or "") + delta
            await self.host.emit("response.function_call_arguments.delta", **base, delta=delta)
            await self._pause(time.monotonic() + ARGS_DELAY_S)
        if not self.cancelled:
            await self.host.emit(
                "response.function_call_arguments.done",
                **base,
                arguments=call.arguments,
                name=call.name,  # GA and beta alike, though the SDK's beta model lacks it
            )
        await self._finish_item(item, index, "incomplete" if self.cancelled else "completed")
        return responder.count_tokens(item.arguments or "")

    async def _message(self, text: str) -> tuple[int, int, bool]:
        """Stream an assistant message; returns (text tokens, audio tokens, cut short)."""
        text, cut = responder.limit_words(text, self.fields["max_output_tokens"])
        audio = "audio" in self.fields["output_modalities"]
        item = Item("message", role="assistant", status="in_progress")
        index = await self._add_item(item)
        part = (
            Part("output_audio", transcript="", audio=np.zeros(0, np.int16))
            if audio
            else Part("output_text", text="")
        )
        item.content.append(part)
        ids_ = self._ids(item, index, 0)
        wire_part: dict[str, Any] = (
            {"type": "audio", "transcript": ""} if audio else {"type": "text", "text": ""}
        )
        await self.host.emit("response.content_part.added", **ids_, part=wire_part)
        if audio:
            await self._stream_audio(part, text, ids_)
        else:
            await self._stream_text(part, text, ids_)
        # Cancelled or not, close what was opened (a cancelled part keeps what was generated).
        if audio:
            await self.host.emit("response.output_audio.done", **ids_)
            await self.host.emit(
                "response.output_audio_transcript.done", **ids_, transcript=part.transcript
            )
            done_part = {"type": "audio", "transcript": part.transcript}
        else:
            await self.host.emit("response.output_text.done", **ids_, text=part.text)
            done_part = {"type": "text", "text": part.text}
        await self.host.emit("response.content_part.done", **ids_, part=done_part)
        status = "incomplete" if self.cancelled or cut else "completed"
        await self._finish_item(item, index, status)
        spoken = part.transcript if audio else part.text
        audio_tokens = ms(len(part.audio)) // 50 if part.audio is not None else 0
        return responder.count_tokens(spoken or ""), audio_tokens, cut

    async def _stream_text(self, part: Part, text: str, ids_: dict[str, Any]) -> None:
        for piece in voice.pieces(text):
            if self.cancelled:
                return
            part.text = (part.text or "") + piece
            await self.host.emit("response.output_text.delta", **ids_, delta=piece)
            await self._pause(time.monotonic() + TEXT_DELAY_S)

    async def _stream_audio(self, part: Part, text: str, ids_: dict[str, Any]) -> None:
        fmt = self.fields["output_format"]
        speed = float(self.host.session.config["audio"]["output"]["speed"])
        voice_name = self.fields["voice"]
        name = voice.voice_name(voice_name)
        started = time.monotonic()
        sent = 0
        audio = voice.GrowingAudio()
        out = self.host.audio_out
        for piece, samples in voice.speak(text, name, speed):
            if self.cancelled:
                break
            part.transcript = (part.transcript or "") + piece
            await self.host.emit("response.output_audio_transcript.delta", **ids_, delta=piece)
            if out is not None:  # WebRTC: the audio plays on the call's track
                if self.cancelled:  # cut (and maybe truncated) meanwhile: add nothing more
                    break
                part.audio = audio.add(samples)
                await out.write(self.id, ids_["item_id"], ids_["content_index"], samples)
                sent += len(samples)
            elif len(samples):
                part.audio = audio.add(samples)  # a view: truncation sees what was sent
                await self.host.emit(
                    "response.output_audio.delta", **ids_, delta=encode_audio(samples, fmt)
                )
                sent += len(samples)
            await self._pause(started + sent / 24000 / self.host.generation_speed)
        if part.audio is not None:
            part.audio = part.audio.copy()  # not the growing buffer's spare capacity
