"""Server-event routing of ``RealtimeClient``: conversation updates and high-level events.

``RealtimeClient`` inherits this so that its own module holds only the public API. Every route
is registered on ``client.realtime`` at construction (registration order = execution order, so
a user's ``server.<type>`` handlers see the conversation already updated) and guarded: a
malformed event becomes an ``invalid_event`` error, never an exception in the receive loop.
A completed tool call is tied to its response by ``response.output_item.added`` when the event
completing it (GA's ``conversation.item.done``, which may come first) names no response.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .api import RealtimeAPI
from .audio_buffer import InputAudioBuffer
from .conversation import RealtimeConversation
from .dialects import SERVER_EVENT_ALIASES
from .event_handler import RealtimeEventHandler, make_error
from .mcp_items import MCP_EVENTS, answered_request
from .responses import ResponseRequests
from .session_settings import SessionSettings
from .tools import ToolRunner
from .track_audio import TrackAudio
from .utils import ms_to_samples

_PROCESS_ONLY = ("response.output_item.added", "response.content_part.added")
_UPDATES = (
    "conversation.item.truncated",
    "conversation.item.deleted",
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.completed",
    "response.audio_transcript.delta",
    "response.audio.delta",
    "response.text.delta",
    "response.function_call_arguments.delta",
    *MCP_EVENTS,
)


def _text(value: Any) -> str | None:
    """A server-given error field as text: ``None`` stays, anything else becomes ``str``."""
    if value is None or isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a str() that fails (absurdly deep or large values)
        return f"<{type(value).__name__}>"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


MAX_COMPLETED_IDS = 20_000
"""Item ids already announced as completed that are remembered (twice the default max_items)."""


class ClientEventRouter(RealtimeEventHandler):
    """Turns ``RealtimeAPI`` events into conversation changes and ``RealtimeClient`` events."""

    realtime: RealtimeAPI
    conversation: RealtimeConversation
    input_audio_buffer: InputAudioBuffer
    session_created: bool
    _completed_ids: dict[str, None]
    _responses: ResponseRequests
    _settings: SessionSettings
    _tool_runner: ToolRunner

    def _add_api_event_handlers(self) -> bool:
        self._announced: dict[str, Any] | None = None
        self.track_audio = TrackAudio()
        on = self.realtime.on
        on("track.audio", self._on_track_audio)
        on("client.*", self._on_client_event)
        on("client.response.create", self._on_response_requested)
        on("client.session.update", self._settings.seen)
        on("client.transcription_session.update", self._settings.seen)  # beta transcription
        on("server.*", self._on_server_event)
        on("error", self._forward_error)
        on("close", self._on_close)
        routes: dict[str, Callable[[dict[str, Any]], object]] = {
            "session.created": self._on_session_created,
            "session.updated": self._on_session_updated,
            "transcription_session.created": self._on_session_created,  # beta transcription
            "transcription_session.updated": self._on_session_updated,
            "error": self._on_server_error,
            "input_audio_buffer.committed": self._process,
            "conversation.item.created": self._on_item_appended,
            "conversation.item.done": self._on_item_done,
            "response.output_item.done": self._on_output_item_done,
            "input_audio_buffer.speech_started": self._on_speech_started,
            "input_audio_buffer.speech_stopped": self._on_speech_stopped,
            "response.created": self._on_response_created,
            "response.done": self._on_response_done,
        }
        routes.update(dict.fromkeys(_PROCESS_ONLY, self._process))
        routes.update(dict.fromkeys(_UPDATES, self._on_update))
        aliases = {beta: ga for ga, beta in SERVER_EVENT_ALIASES.items()}
        for event_type, route in routes.items():
            guarded = self._guarded(route)
            on(f"server.{event_type}", guarded)
            if event_type in aliases:
                on(f"server.{aliases[event_type]}", guarded)
        return True

    def _guarded(
        self, route: Callable[[dict[str, Any]], object]
    ) -> Callable[[dict[str, Any]], None]:
        """Report a server event our handling cannot use (a malformed one) as ``invalid_event``."""

        def guarded(event: dict[str, Any]) -> None:
            self._announce(event)  # the cause is seen before the reactions it sends
            try:
                route(event)
            except Exception as exc:
                message = f"{event.get('type')}: malformed event ({type(exc).__name__}: {exc})"
                self.dispatch(
                    "error", make_error("invalid_event", message, event=event, exception=exc)
                )

        return guarded

    # -- events from RealtimeAPI -------------------------------------------------------------

    def _on_client_event(self, event: dict[str, Any]) -> None:
        self.dispatch("realtime.event", {"time": _now(), "source": "client", "event": event})

    def _on_track_audio(self, payload: dict[str, Any]) -> None:
        """A WebRTC call's received audio: the playing item's, as if it came in deltas."""
        samples = payload["audio"]
        item_id = self.track_audio.target(samples)
        if item_id is not None:
            result = self.conversation.add_track_audio(item_id, samples)
            if result["item"] is not None:
                self.dispatch("conversation.updated", result)

    def _on_server_event(self, event: dict[str, Any]) -> None:
        self.track_audio.on_server_event(event)
        if self._announced is event:  # its route announced it already
            self._announced = None
            return
        self._announce(event)
        self._announced = None

    def _announce(self, event: dict[str, Any]) -> None:
        """``realtime.event`` for a server event, before the client reacts to it.

        ``RealtimeAPI`` dispatches ``server.<type>`` before ``server.*``; announcing from
        ``server.*`` alone would log what the client sends in reaction (a truncate on
        ``speech_started``, a tool output) before the event that caused it.
        """
        self._announced = event
        self.dispatch("realtime.event", {"time": _now(), "source": "server", "event": event})

    def _on_session_created(self, event: dict[str, Any]) -> None:
        self.session_created = True
        self._adopt_if_given(event)

    def _on_session_updated(self, event: dict[str, Any]) -> None:
        self._settings.accepted(event.get("session"))  # adopted when the update was not ours
        self._adopt_if_given(event)

    def _adopt_if_given(self, event: dict[str, Any]) -> None:
        """Attached to a call (``attach_call_id``) or connected with an ephemeral secret: the
        session is given, so its configuration is what the server says it is."""
        session = event.get("session")
        if self.realtime.session_is_given and isinstance(session, dict):
            self._settings.adopt(session)

    def _on_response_requested(self, event: dict[str, Any]) -> None:
        self._responses.sent(event)

    def _on_server_error(self, event: dict[str, Any]) -> None:
        error = event.get("error")
        if not isinstance(error, dict):
            error = {"message": f"server sent an error without details: {error!r}"}
        payload = make_error(
            _text(error.get("code")) or "server_error",
            _text(error.get("message")) or "",
            source="server",
            event=event,
            error_type=_text(error.get("type")) or "server_error",
        )
        # Extra fields pass through; the ones handlers read are strings (or None) whatever a
        # hostile or buggy server sent.
        known = payload["error"]
        known["param"] = _text(error.get("param"))
        known["event_id"] = _text(error.get("event_id"))
        payload["error"] = {**error, **known}
        rejected = known["event_id"]
        if isinstance(rejected, str):
            if self._responses.rejected(rejected, known["code"]):
                payload["retrying"] = True  # our response.create goes again after the active one
            self._settings.rejected(rejected)
        self.dispatch("error", payload)

    def _forward_error(self, payload: dict[str, Any]) -> None:
        self.dispatch("error", payload)

    def _on_close(self, payload: dict[str, Any]) -> None:
        self.session_created = False
        self.track_audio.reset()
        self._tool_runner.cancel_all()  # a late handler must not answer into the next session
        self._responses.clear()
        self._settings.forget_pending()
        self.dispatch("close", payload)

    def _error(self, code: str, message: str, exception: BaseException | None = None) -> None:
        self.dispatch("error", make_error(code, message, exception=exception))

    def _process(self, event: dict[str, Any], *args: Any) -> dict[str, Any] | None:
        """Apply an event to the conversation; a failure becomes an ``error`` event."""
        try:
            result: dict[str, Any] = self.conversation.process_event(event, *args)
            return result
        except Exception as exc:  # ConversationError, or a malformed event's TypeError & co
            self.dispatch(
                "error",
                make_error("conversation_error", str(exc), event=event, exception=exc),
            )
            return None

    def _on_update(self, event: dict[str, Any]) -> None:
        result = self._process(event)
        if result and result["item"] is not None:
            self.dispatch("conversation.updated", result)

    def _on_item_appended(self, event: dict[str, Any]) -> None:
        item_id = (event.get("item") or {}).get("id")
        known = item_id in self.conversation.item_lookup
        result = self._process(event)
        if not result or result["item"] is None:
            return
        self.dispatch("conversation.updated", result)
        if not known:
            self.dispatch("conversation.item.appended", {"item": result["item"]})
            request = answered_request(self.conversation.item_lookup, result["item"])
            if request is not None:  # the request it answers now reads "approved" or "denied"
                answer = request["formatted"]["mcp"]["answer"]
                self.dispatch("conversation.updated", {"item": request, "delta": {"mcp": answer}})
        self._announce_if_completed(result["item"], None)

    def _on_item_done(self, event: dict[str, Any]) -> None:
        item_id = (event.get("item") or {}).get("id")
        if item_id not in self.conversation.item_lookup:
            self._on_item_appended(event)
            return
        self._on_output_item_done(event)

    def _on_output_item_done(self, event: dict[str, Any]) -> None:
        result = self._process(event)
        if not result or result["item"] is None:
            return
        self.dispatch("conversation.updated", result)
        self._announce_if_completed(result["item"], event.get("response_id"))

    def _announce_if_completed(self, item: dict[str, Any], response_id: str | None) -> None:
        """Dispatch ``conversation.item.completed`` once per item; run its tool if registered."""
        if item.get("status") != "completed" or item["id"] in self._completed_ids:
            return
        self._completed_ids[item["id"]] = None
        if len(self._completed_ids) > MAX_COMPLETED_IDS:  # items that old were let go anyway
            for old in list(itertools.islice(self._completed_ids, MAX_COMPLETED_IDS // 2)):
                del self._completed_ids[old]
        self.dispatch("conversation.item.completed", {"item": item})
        tool = item["formatted"].get("tool")
        if tool is not None and tool.get("name") in self._settings.tools:
            if response_id is None:  # conversation.item.done names no response: look it up
                response_id = self._response_of(item["id"])
            if not self._responses.tracker.is_active(response_id):
                response_id = None  # its response is over: continue as soon as the tool is
            handler = self._settings.tools[tool["name"]]["handler"]
            self._tool_runner.start(dict(tool), handler, response_id)

    def _response_of(self, item_id: str) -> str | None:
        """The id of the response that produced an item (by ``response.output_item.added``)."""
        for response in reversed(self.conversation.responses):
            if item_id in response.get("output", ()):
                response_id = response.get("id")
                return response_id if isinstance(response_id, str) else None
        return None

    def _on_speech_started(self, event: dict[str, Any]) -> None:
        self._process(event)
        turn_detection = self._settings.config.get("turn_detection")
        if (
            isinstance(turn_detection, dict)
            and turn_detection.get("interrupt_response") is not False
        ):
            self._responses.tracker.interrupted()  # the server cancels what it was saying
        self.dispatch(
            "conversation.interrupted",
            {"item_id": event.get("item_id"), "audio_start_ms": event.get("audio_start_ms")},
        )

    def _on_speech_stopped(self, event: dict[str, Any]) -> None:
        self._process(event, self.input_audio_buffer)
        end_ms = event.get("audio_end_ms")
        if isinstance(end_ms, int | float):
            self.input_audio_buffer.discard_before(ms_to_samples(end_ms))

    def _on_response_created(self, event: dict[str, Any]) -> None:
        self._process(event)
        self._responses.created(event.get("response") or {})

    def _on_response_done(self, event: dict[str, Any]) -> None:
        self._process(event)
        response = event.get("response") or {}
        response_id = response.get("id")
        if response_id:
            self._responses.done(response_id)
            self._tool_runner.response_done(response_id, response.get("status"))
