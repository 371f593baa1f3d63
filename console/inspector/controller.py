"""``ConnectionController``: connect, reconnect, disconnect and reset, one at a time, to the end.

The app's keys and palette entries ask for these; they used to run as Textual workers that
cancelled one another (F2 pressed during a disconnect cut it halfway: no ``close`` event, the
client's trackers not cleared). Here every action waits its turn on one lock and, once started,
finishes; F2's "toggle" decides between connect and disconnect when its turn comes, so two quick
presses disconnect and then connect again. No Textual: the app passes a ``tell`` callback for
what the user is told, and tests drive the controller directly against the simulator.

- A lost connection keeps the conversation and the events on screen; ``connect`` opens a new
  session with the same session configuration and tools (the client's ``connect`` sends its whole
  configuration).
- "Reconnect with history" gives the new session the earlier user and assistant text as
  conversation items, as livekit and pipecat do (audio is not carried: the server cannot take
  assistant audio back). The conversation is replaced only once the new connection is open: a
  failed reconnect loses nothing.
- ``disconnect`` is the close you asked for: the conversation starts over next time.
- ``reset`` forgets the conversation, the session and every handler (``RealtimeClient.reset``),
  then attaches the inspector, the voice session and the tools again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

from console.realtime import RealtimeClient, text_message_item

from .connection import (
    carried_history,
    explain_connect_failure,
    failure_status,
    failure_text,
)
from .model import Inspector
from .tools import Tool

Severity = Literal["information", "warning", "error"]
Tell = Callable[[str, Severity], None]


class VoiceControl(Protocol):
    """What the controller needs of the audio (``console.audio.voice.VoiceSession``)."""

    @property
    def streaming(self) -> bool: ...

    def attach(self) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class ConnectionController:
    """Runs the console's connection actions in order; each one completes."""

    def __init__(
        self,
        client: RealtimeClient,
        inspector: Inspector,
        *,
        tools: Sequence[Tool] = (),
        voice: VoiceControl | None = None,
        tell: Tell | None = None,
        voice_changed: Callable[[], None] | None = None,
        session: Mapping[str, Any] | None = None,
    ) -> None:
        """``session``: the configuration the console starts from (``configure`` sets it, and
        a reset sets it again), e.g. a transcription session's model, VAD and logprobs."""
        self.client = client
        self.session = dict(session or {})
        self.inspector = inspector
        self.tools = list(tools)
        self.voice = voice
        self._tell: Tell = tell or (lambda _message, _severity: None)
        self._voice_changed = voice_changed or (lambda: None)
        self._lock = asyncio.Lock()
        self._running: set[asyncio.Future[None]] = set()
        self.actions_run = 0
        """How many actions have finished (tests wait on it)."""
        # The ``begin_*`` methods queue an action and return its future at once; the
        # coroutines of the same names wait for it.

    @property
    def busy(self) -> bool:
        """Whether an action is running or waiting its turn."""
        return bool(self._running)

    # -- the actions ----------------------------------------------------------------------

    def begin_toggle(self) -> asyncio.Future[None]:
        """Disconnect when connected, else connect: decided when its turn comes."""
        return self._in_turn(self._toggle)

    def begin_connect(self, *, with_history: bool = False) -> asyncio.Future[None]:
        """Connect (or reconnect); a failure is told, never raised."""
        return self._in_turn(lambda: self._connect(with_history=with_history))

    def begin_disconnect(self) -> asyncio.Future[None]:
        """Close the connection you asked to close."""
        return self._in_turn(self._disconnect)

    def begin_reset(self) -> asyncio.Future[None]:
        """Disconnect and forget the conversation, the session and every handler."""
        return self._in_turn(self._reset)

    async def toggle(self) -> None:
        await asyncio.shield(self.begin_toggle())

    async def connect(self, *, with_history: bool = False) -> None:
        await asyncio.shield(self.begin_connect(with_history=with_history))

    async def disconnect(self) -> None:
        await asyncio.shield(self.begin_disconnect())

    async def reset(self) -> None:
        await asyncio.shield(self.begin_reset())

    def configure(self) -> None:
        """Set the starting session configuration, then register the tools (on start, and
        after a reset, which forgets both)."""
        if self.session:
            try:
                self.client.update_session(**self.session)
            except ValueError as exc:  # SessionConfigError: the library refused a value
                self.inspector.note_error(f"session not configured: {exc}")
        self.register_tools()

    def register_tools(self) -> None:
        """Register the tools with the client; a malformed definition is told, not raised."""
        for definition, handler in self.tools:
            try:
                self.client.add_tool(definition, handler)
            except (ValueError, TypeError) as exc:  # the library refuses a malformed tool
                self.inspector.note_error(f"tool {definition.get('name')!r} not added: {exc}")

    # -- in turn ----------------------------------------------------------------------------

    def _in_turn(self, action: Callable[[], Awaitable[None]]) -> asyncio.Future[None]:
        """Queue ``action`` after the actions asked for before it; it runs to its end.

        It runs in a task of its own, queued at once (so ``busy`` says so before it starts): a
        caller that stops waiting (the app closing a worker) does not cut it halfway, which
        would leave the client and the inspector disagreeing, and the next action still waits.
        """
        task = asyncio.ensure_future(self._locked(action))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _locked(self, action: Callable[[], Awaitable[None]]) -> None:
        async with self._lock:
            try:
                await action()
            finally:
                self.actions_run += 1

    async def idle(self) -> None:
        """Wait until every action asked for so far has finished."""
        while self._running:
            await asyncio.wait(set(self._running))

    async def _toggle(self) -> None:
        await (self._disconnect() if self.client.is_connected() else self._connect())

    async def _connect(self, *, with_history: bool = False) -> None:
        client, inspector = self.client, self.inspector
        carried = carried_history(client.conversation.get_items()) if with_history else []
        if client.is_connected() and with_history:
            # Close the socket only: the conversation stays until the new session is open.
            await client.realtime.disconnect()
        elif client.is_connected():
            await client.disconnect()  # a plain reconnect starts the conversation afresh
        inspector.set_connection("connecting", inspector.target.endpoint)
        try:
            await client.connect()
        except (TimeoutError, ConnectionError, OSError, RuntimeError) as exc:
            detail = explain_connect_failure(exc, inspector.target)
            # The events pane and --record keep the attempt, as a refused WebSocket's
            # connected/error/closed rows do (a refused WebRTC call has no events of its own).
            message = failure_text(exc, inspector.target)
            target = inspector.target
            inspector.note_local(
                "connection",
                state="failed",
                endpoint=target.endpoint,
                transport=target.transport,
                status=failure_status(message),
                message=message,
                detail=detail,
            )
            inspector.set_connection("disconnected", detail)
            self._tell(f"Could not connect: {detail}", "error")
            return
        if with_history:
            # The carried turns come back as the new session's items: no doubles.
            client.conversation.clear()
            inspector.reset_conversation()
            for role, text in carried:
                item = text_message_item(role, text, client.realtime.dialect)
                client.realtime.send("conversation.item.create", {"item": item})
            self._tell(f"Carried {len(carried)} messages into the new session.", "information")
        inspector.set_connection("connected")
        await self._start_voice()

    async def _disconnect(self) -> None:
        await self._stop_voice()
        await self.client.disconnect()
        self.inspector.reset_conversation()  # the client forgot its conversation
        self.inspector.set_connection("disconnected", "disconnected by you")

    async def _reset(self) -> None:
        await self._stop_voice()
        await self.client.reset()
        # reset() dropped every handler: the inspector's, the voice session's and the tools.
        self.inspector.attach()
        if self.voice is not None:
            self.voice.attach()
        self.configure()
        self.inspector.session.clear()
        self.inspector.reset_conversation()
        self.inspector.set_connection("disconnected", "reset")

    async def _start_voice(self) -> None:
        voice = self.voice
        if voice is None:
            return
        await voice.start()
        # Devices that opened feed the meters; without any, the events still do.
        self.inspector.meter_from_events = not voice.streaming
        self._voice_changed()

    async def _stop_voice(self) -> None:
        if self.voice is not None:
            await self.voice.stop()
            self._voice_changed()
