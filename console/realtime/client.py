"""``RealtimeClient``: the high-level client of the seed README, in Python.

It owns a ``RealtimeAPI`` (``client.realtime``) and a ``RealtimeConversation``
(``client.conversation``) and dispatches ``conversation.updated`` ``{item, delta}``,
``conversation.item.appended``, ``conversation.item.completed``, ``conversation.interrupted``,
``realtime.event`` ``{time, source, event}``, ``error`` and ``close``.

Differences from the reference, all fixes (numbers are its defects): ``error`` is dispatched for
server errors, bad frames, conversation failures, failing handlers and tools, and lost
connections (3, 5); ``model``, ``url`` and the dialect are honoured (1); only completed calls to
registered tools run, and the follow-up response waits for the calling response to finish (6);
``remove_tool`` updates the server and tools passed to ``update_session`` persist (7); the input
audio buffer is bounded and reset per session (8); every ``wait_*`` takes a timeout in seconds,
returns ``None`` on timeout and unregisters (9); ``cancel_response`` validates before sending,
cancels only an active response and clamps the truncation to the audio received (10,
``truncation``); ``conversation.interrupted`` carries ``{item_id, audio_start_ms}``; ``reset``
and ``disconnect`` are coroutines.

Additions: ``response_state`` says whether a response is requested, active or deferred, and which,
so an app polls the client instead of keeping a copy; every ``create_response`` gets its reply:
while a response of the default conversation is requested or active, a new request is deferred and
sent once it is done, and one the server still refuses for an active response is sent again (its
``error`` marked ``retrying``; ``responses``); tool handlers never block the loop and are bounded
by ``tool_timeout``, and their follow-up ignores the order of the item ``done`` events (``tools``);
``append_input_audio_threadsafe`` feeds input audio from any thread (a sound card's callback),
bounded: past ``max_queued_input_chunks`` waiting for the loop, the oldest chunk is dropped and
counted in ``dropped_input_audio_chunks`` (``audio_feed``); G.711 sessions work through the
same 24 kHz PCM16 API, converted at the edges (``audio_codec``; ``resampler`` to inject one);
MCP servers and their approvals (``add_mcp_tool``, ``respond_mcp_approval``: ``mcp_client``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from .api import open_transport
from .audio_buffer import InputAudioBuffer
from .audio_codec import ResamplerFactory, SessionAudio
from .audio_feed import ThreadsafeAudioFeed
from .client_events import ClientEventRouter
from .conversation import RealtimeConversation
from .dialect_payloads import response_create_payload, session_event
from .dialects import DEFAULT_SERVER_VAD_CONFIG, TRANSCRIPTION_MODELS, default_session_config
from .event_handler import RealtimeEventHandler, wait_unless_closed
from .images import check_image_dialect
from .mcp_client import McpMethods
from .responses import ResponseRequests
from .retention import DEFAULT_MAX_AUDIO_SECONDS
from .session_settings import SessionSettings
from .tools import ToolHandler, ToolRunner
from .tracking import ResponseState, request_in_conversation
from .truncation import audio_part, truncate_fields
from .utils import AudioLike, to_pcm16


class RealtimeClient(McpMethods, ClientEventRouter):
    """Conversation-level client for the Realtime API (GA by default, beta on request)."""

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        model: str | None = None,
        dialect: str = "ga",
        debug: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        max_input_audio_seconds: float = 300.0,
        tool_timeout: float | None = 30.0,
        max_queued_input_chunks: int = 50,
        dangerously_allow_api_key_in_browser: bool = False,
        resampler: ResamplerFactory | None = None,
        max_audio_seconds: float | None = DEFAULT_MAX_AUDIO_SECONDS,
        max_items: int | None = 10_000,
        max_tool_threads: int = 16,
        transport: str = "websocket",
        intent: str | None = None,
        attach_call_id: str | None = None,
    ) -> None:
        """See ``RealtimeAPI`` for the connection arguments (``intent`` among them: a
        transcription session gets only the transcription fields of ``update_session``).

        ``max_input_audio_seconds`` bounds the local copy of appended input audio used to give
        user items their ``formatted.audio``. ``tool_timeout`` bounds each tool handler, sync or
        async, in seconds (``None``: no limit); past it the model gets an error output.
        ``max_queued_input_chunks`` bounds ``append_input_audio_threadsafe``'s queue.
        ``resampler`` makes the 8 kHz ↔ 24 kHz converter of each G.711 stream (default
        ``audio_codec.FirResampler``, numpy only). ``max_audio_seconds`` bounds the audio the
        conversation keeps in all (``None``: everything); past it the oldest items' audio goes.
        ``max_items`` bounds the items it keeps (the oldest are let go locally).
        ``max_tool_threads`` bounds the plain-function tool handlers running at once, threads
        abandoned after ``tool_timeout`` included; past it a call is answered at once with an
        error output and a ``tool_error`` event. ``transport="webrtc"`` places a WebRTC call
        (``RealtimeWebRTC``) instead of opening a WebSocket; the client works the same.
        """
        super().__init__()
        self.realtime = open_transport(
            transport,
            url,
            api_key,
            model=model,
            dialect=dialect,
            debug=debug,
            extra_headers=extra_headers,
            dangerously_allow_api_key_in_browser=dangerously_allow_api_key_in_browser,
            intent=intent,
            attach_call_id=attach_call_id,
        )
        self._settings = SessionSettings(self.realtime)
        self._session_audio = SessionAudio(lambda key: self._settings.config.get(key), resampler)
        self.conversation = RealtimeConversation(
            self._session_audio, max_audio_seconds=max_audio_seconds, max_items=max_items
        )
        self.input_audio_buffer = InputAudioBuffer(max_seconds=max_input_audio_seconds)
        self.session_created = False
        self._completed_ids: dict[str, None] = {}  # insertion-ordered, trimmed (client_events)
        self._responses = ResponseRequests(self.realtime.send)
        self._tool_runner = ToolRunner(
            self._send_tool_output,
            self._request_response,
            self._error,
            timeout=tool_timeout,
            max_threads=max_tool_threads,
        )
        self._audio_feed = ThreadsafeAudioFeed(
            self.append_input_audio, self.is_connected, max_queued_input_chunks
        )
        self._reset_config()
        self._add_api_event_handlers()

    @property
    def session_config(self) -> dict[str, Any]:
        """The session configuration, flat (the reference's keys); change it with
        ``update_session``."""
        return self._settings.config

    @property
    def session_known(self) -> bool:
        """Whether ``session_config`` describes the session. Always, except attached to a call
        (``attach_call_id``) before its session was seen: the sideband gets no
        ``session.created``, so the configuration is empty until a ``session.updated``."""
        return self._settings.known

    def is_foreign_update(self, event_id: str | None) -> bool:
        """Whether this ``session.update`` went out on the socket without ``update_session``
        (a raw event): its ``session.updated`` was adopted into ``session_config`` (the latest
        64 are remembered)."""
        return event_id in self._settings.foreign_updates

    @property
    def tools(self) -> dict[str, dict[str, Any]]:
        """Tools the client runs itself: ``{name: {"definition", "handler"}}`` (``add_tool``)."""
        return self._settings.tools

    @property
    def transcription(self) -> bool:
        """True for a transcription session (``intent="transcription"``): no responses."""
        return self.realtime.intent == "transcription"

    @property
    def dialect(self) -> str:
        """``"ga"`` or ``"beta"``: the wire dialect of ``realtime``."""
        return self.realtime.dialect

    # The reference's informational attributes (no method reads them), derived from the single
    # definitions in ``dialects``; each read returns a fresh copy.

    @property
    def default_session_config(self) -> dict[str, Any]:
        """The configuration a new session starts from (the reference's flat shape)."""
        return default_session_config()

    @property
    def transcription_models(self) -> list[dict[str, str]]:
        """The reference's ``transcriptionModels``: ``[{"model": "whisper-1"}]``."""
        return [dict(model) for model in TRANSCRIPTION_MODELS]

    @property
    def default_server_vad_config(self) -> dict[str, Any]:
        """The server-VAD preset ``turn_detection="server_vad"`` stands for."""
        return dict(DEFAULT_SERVER_VAD_CONFIG)

    @property
    def response_state(self) -> ResponseState:
        """A frozen snapshot, cheap to poll: ``requested`` (``response.create`` not yet answered),
        ``active_ids`` (created, not done, oldest first), ``deferred`` (``create_response`` calls
        waiting for the conversation's response), ``in_flight`` (any), ``active_id`` (latest).
        """
        return self._responses.state()

    # -- set-up ------------------------------------------------------------------------------

    def _reset_config(self) -> bool:
        self.session_created = False
        self._settings.reset()
        self.input_audio_buffer.reset()
        self._session_audio.reset()
        return True

    # -- connection --------------------------------------------------------------------------

    def is_connected(self) -> bool:
        """True while the socket is open (says nothing about ``session.created``)."""
        return self.realtime.is_connected()

    async def connect(self, model: str | None = None, *, timeout: float = 10.0) -> bool:
        """Connect, then send the whole session configuration at once (before any reply).

        With an ``attach_call_id`` (attached to a live call through its sideband connection) it
        sends nothing: the configuration follows the call's ``session.created``/``session.updated``.
        With an ephemeral secret (``ek_…`` key), which carries the session it was minted with, it
        sends only the fields set with ``update_session`` and the tools (none: nothing), and the
        configuration follows the server's session likewise.
        """
        if self.is_connected():
            raise RuntimeError("Already connected, use .disconnect() first")
        self.input_audio_buffer.reset()
        self._session_audio.reset()
        self._completed_ids.clear()
        await self.realtime.connect(model, timeout=timeout)
        self._audio_feed.bind(asyncio.get_running_loop())
        if self.realtime.attach_call_id is None:  # attached to a call: its session is not ours
            self._settings.send_on_connect(given=self.realtime.session_is_given)
        return True

    async def disconnect(self) -> None:
        """Close the socket, clear the conversation and the input audio of this session."""
        self.session_created = False
        self._tool_runner.cancel_all()
        if self.realtime.is_connected():
            await self.realtime.disconnect()
        self.conversation.clear()
        self.input_audio_buffer.reset()
        self._completed_ids.clear()
        self._responses.clear()
        self._settings.forget_pending()

    async def reset(self) -> bool:
        """Disconnect, drop every handler (yours too), tool and setting: a fresh client."""
        await self.disconnect()
        self.clear_event_handlers()
        self.realtime.clear_event_handlers()
        self._reset_config()
        self._add_api_event_handlers()
        return True

    async def wait_for_session_created(self, timeout: float | None = None) -> bool | None:
        """Wait for ``session.created``: ``True``, or ``None`` after ``timeout`` seconds.

        Raises ``ConnectionError`` if not connected or if the connection closes first.
        """
        if self.session_created and self.is_connected():
            return True
        created = session_event(self.realtime.dialect, self.transcription, "created")
        event = await self._wait(self.realtime, f"server.{created}", timeout)
        return None if event is None else True

    async def wait_for_next_item(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next ``{"item"}`` appended to the conversation, or ``None`` on timeout."""
        return await self._wait(self, "conversation.item.appended", timeout)

    async def wait_for_next_completed_item(
        self, timeout: float | None = None
    ) -> dict[str, Any] | None:
        """The next ``{"item"}`` that completes, or ``None`` on timeout."""
        return await self._wait(self, "conversation.item.completed", timeout)

    async def _wait(
        self, emitter: RealtimeEventHandler, name: str, timeout: float | None
    ) -> dict[str, Any] | None:
        """Wait for an event; ``None`` on timeout; ``ConnectionError`` if the socket closes."""
        if not self.is_connected():
            raise ConnectionError(f"Not connected: {name!r} cannot come; connect first")
        payload: dict[str, Any] | None = await wait_unless_closed(
            emitter, name, self.realtime, timeout
        )
        return payload

    # -- session and tools -------------------------------------------------------------------

    def get_turn_detection_type(self) -> str | None:
        """``server_vad``, ``semantic_vad`` or ``None`` (manual, push-to-talk)."""
        return self._settings.turn_detection_type()

    def update_session(self, session: Mapping[str, Any] | None = None, **fields: Any) -> bool:
        """Change the session configuration, and the server's when connected.

        Accepts the seed's flat keys (``modalities``, ``voice``, ``turn_detection``, ...) and GA
        keys (``output_modalities``, ``audio={"input": ..., "output": ...}``,
        ``max_output_tokens``, ``type``), as keywords or one mapping; ``None`` values apply.
        Raises ``SessionConfigError`` (a ``ValueError``) for unknown keys or malformed values,
        changing nothing.

        Differences from the reference, which always sent the whole configuration: with
        fields, only those fields are sent (the server merges them), so one value the server
        rejects cannot poison later updates, and a rejected value is undone locally when the
        server's ``error`` names this update; without fields, the whole configuration is sent
        (as ``connect`` does). Tools passed here persist across updates (the reference dropped
        them) and ``add_tool`` tools are added to them.
        """
        self._settings.update(session, fields)
        return True

    def add_tool(self, definition: Mapping[str, Any], handler: ToolHandler) -> dict[str, Any]:
        """Register a tool the client runs itself: ``handler(arguments_dict)``, sync or async.

        Its return value is sent as JSON and a response follows automatically.
        """
        return self._settings.add_tool(definition, handler)

    def remove_tool(self, name: str) -> bool:
        """Unregister a tool and tell the server (the reference left it on the server)."""
        self._settings.remove_tool(name)
        return True

    # -- conversation ------------------------------------------------------------------------

    def delete_item(self, item_id: str) -> bool:
        """Ask the server to delete an item (it leaves when ``conversation.item.deleted`` comes)."""
        self.realtime.send("conversation.item.delete", {"item_id": item_id})
        return True

    def send_user_message_content(self, content: Iterable[Mapping[str, Any]] = ()) -> bool:
        """Send a user message (if ``content`` is not empty), then ask for a response.

        ``input_audio`` parts may carry 24 kHz audio as numpy int16/float arrays, PCM16 bytes or
        base64 of PCM16; they are sent as base64 in the session's input format without changing
        the caller's objects. ``ValueError`` before anything is sent for an ``input_image`` part
        in the beta dialect, which has no image input.
        """
        parts = [dict(part) for part in content]
        check_image_dialect(self.realtime.dialect, parts)
        for part in parts:
            if part.get("type") == "input_audio" and part.get("audio") is not None:
                part["audio"] = self._session_audio.encode_clip(part["audio"])
        if parts:
            self._responses.check_room()  # a refused request must not leave its message behind
            item = {"type": "message", "role": "user", "content": parts}
            self.realtime.send("conversation.item.create", {"item": item})
        self.create_response()
        return True

    def append_input_audio(self, audio: AudioLike) -> bool:
        """Stream 24 kHz PCM16 audio to the server's input buffer, in the session's input format
        (G.711 is resampled to 8 kHz as one stream), and keep a bounded local copy at 24 kHz.

        False when the chunk was dropped because the link has stalled (``RealtimeAPI.send``);
        it is counted in ``dropped_input_audio_chunks``.
        """
        samples = to_pcm16(audio)
        if len(samples) and self.realtime.send_audio(samples):  # on a WebRTC call's track
            self.input_audio_buffer.append(samples)
        elif len(samples):
            encoded = self._session_audio.encode_input(samples)
            # Under 3 samples at 8 kHz nothing is encoded: they leave with the next chunk.
            if encoded and not self.realtime.send("input_audio_buffer.append", {"audio": encoded}):
                return False  # the link stalled: dropped, and not kept (positions stay aligned)
            self.input_audio_buffer.append(samples)
        return True

    def append_input_audio_threadsafe(self, audio: AudioLike) -> bool:
        """``append_input_audio`` from any thread: copies ``audio`` and queues it for the loop.

        Never blocks. Past ``max_queued_input_chunks`` chunks waiting, the oldest is dropped;
        chunks arriving while not connected are dropped too (False when dropped at once).
        """
        return self._audio_feed.put(audio)

    @property
    def dropped_input_audio_chunks(self) -> int:
        """Input audio chunks dropped: by ``append_input_audio_threadsafe`` (the loop behind, or
        no socket) and by ``append_input_audio`` (the link stalled, ``RealtimeAPI.send``)."""
        return self._audio_feed.dropped + self.realtime.dropped_audio_frames

    def create_response(self, response: Mapping[str, Any] | None = None) -> bool:
        """Ask for a response; in manual mode first commit the audio appended since last time.

        ``response`` holds per-response overrides (``instructions``, ``tools``, ``tool_choice``,
        ``conversation``, ``input``, ``metadata``, modalities, voice...), in either dialect's
        spelling; they are sent in the connection's dialect. Raises ``SessionConfigError`` for
        unknown keys, sending nothing.

        Never lost (the reference sent at once, and the server refused a request made while a
        response was active): while a response of the default conversation is requested or
        active, the request is deferred (``response_state.deferred``) and sent when that one is
        done; out-of-band ones (``conversation: "none"``) go at once. ``cancel_response``
        withdraws deferred requests. Raises ``DeferredResponsesFull`` when ``MAX_DEFERRED`` are
        already waiting, committing and sending nothing.
        """
        payload = response_create_payload(response, self.realtime.dialect) if response else None
        if request_in_conversation(payload):
            self._responses.check_room()
        self.commit_input_audio()
        self._responses.request(payload)
        return True

    def commit_input_audio(self) -> bool:
        """In manual mode, commit the audio appended since the last commit, without asking for
        a response (push-to-talk in a transcription session, which never creates one). True
        when a commit was sent; with voice activity detection the server commits itself."""
        if (
            self.get_turn_detection_type() is not None
            or not self.input_audio_buffer.pending_samples
        ):
            return False
        self.realtime.send("input_audio_buffer.commit")
        self.conversation.queue_input_audio(self.input_audio_buffer.take_pending())
        return True

    def _request_response(self) -> None:
        """The follow-up after tool outputs: like ``create_response`` but never commits input
        audio (a tool finishing during push-to-talk must not send half an utterance)."""
        self._responses.request(None)

    def cancel_response(self, item_id: str | None = None, sample_count: int = 0) -> dict[str, Any]:
        """Stop the response; with ``item_id``, also cut its audio at ``sample_count`` samples.

        Validates before sending anything. Withdraws the deferred ``create_response`` requests
        (the request that follows a new message answers the newest messages). Sends
        ``response.cancel`` only while a response is requested or active: with ``item_id``, for
        that item's response if it is known (by ``response_id``); a response requested but not
        yet created counts, so a cancel right after ``create_response`` works. The truncation
        is clamped to the audio received.
        """
        if not item_id:
            self._responses.withdraw()
            if self._responses.tracker.needs_cancel():
                self.realtime.send("response.cancel")
            return {"item": None}
        item, audio_index = audio_part(item_id, self.conversation.get_item(item_id))
        self._responses.withdraw()
        response_id = self._response_of(item_id)
        if response_id is not None:
            if self._responses.tracker.cancellable(response_id):
                self.realtime.send("response.cancel", {"response_id": response_id})
        elif self._responses.tracker.needs_cancel():
            self.realtime.send("response.cancel")
        truncate = truncate_fields(item_id, audio_index, item, sample_count)
        self.realtime.send("conversation.item.truncate", truncate)
        return {"item": item}

    def _send_tool_output(self, call_id: str, output: str) -> None:
        item = {"type": "function_call_output", "call_id": call_id, "output": output}
        self.realtime.send("conversation.item.create", {"item": item})
