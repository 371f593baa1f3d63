"""``Inspector``: everything the console knows about one ``RealtimeClient``, without Textual.

The client's listeners only append here (O(1) per event, no rendering); the app's widgets read
on a ~30 Hz timer what changed since their last frame: store rows, conversation item ids, the
session state, the turns (latency, usage, cost), audio levels, the connection and the last error.
What the console itself notices (the connection opening or closing, audio starting or stopping
to play) goes into the same stream as ``local.*`` events (``note_local``), so recordings and
replays keep it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from console.audio.levels import LevelMeter, pcm16_from_base64
from console.realtime import RealtimeClient
from console.realtime.utils import Int16Array

from .connection import NO_RECONNECT_HINT, Target, explain_close, sideband_refusal
from .context_window import ContextWindow
from .memory import rebuild_memory
from .out_of_band import OutOfBand
from .prices import PriceTable
from .recording import Recording, ReplayReport, replay_into
from .retrieve import RetrieveAudits
from .session_state import ACKNOWLEDGEMENTS, SETTLES, SessionState
from .store import DEFAULT_EVENT_CAP, EventStore, Source
from .tool_calls import describe_call
from .transcripts import PREFIX as TRANSCRIPTION_EVENTS
from .transcripts import Transcripts
from .turn_summary import format_cost, format_ms
from .turns import Turn, TurnModel

MAX_TRUNCATIONS = 10_000
MAX_RECENT_ERRORS = 20


@dataclass
class ConnectionStatus:
    """``state`` is one of disconnected, connecting, connected, replay; ``detail`` says why."""

    state: str = "disconnected"
    detail: str = ""
    session_id: str = ""
    model: str = ""
    lost: bool = False
    """The connection was lost (not closed by you): the status bar offers to reconnect."""


class Inspector:
    """Feeds the event store and the other views from one client's events."""

    def __init__(
        self,
        client: RealtimeClient,
        target: Target,
        *,
        event_cap: int = DEFAULT_EVENT_CAP,
        clock: Callable[[], float] = time.time,
        prices: PriceTable | None = None,
    ) -> None:
        self.client = client
        self.target = target
        self.clock = clock
        self.store = EventStore(cap=event_cap, clock=clock)
        self.session = SessionState(client.realtime.dialect)
        self.turns = TurnModel(prices)
        self.tool_calls = self.turns.tool_calls
        self.input_levels = LevelMeter()
        self.output_levels = LevelMeter()
        self.meter_from_events = True
        """Meter the audio the events carry; off when real devices feed the meters."""
        self.truncations: dict[str, int] = {}
        """``audio_end_ms`` of each truncated item (the conversation pane marks them)."""
        self.transcripts = Transcripts()
        """Each user item's transcription logprobs and failure (the conversation pane shows)."""
        self.retrieves = RetrieveAudits(self._decode_input, self._sent_audio)
        """What the server kept of user audio items (``conversation.item.retrieve``)."""
        self.context = ContextWindow()
        """Which items the model no longer reads (truncation), estimated from usage."""
        self.out_of_band = OutOfBand()
        """Out-of-band responses' metadata and output (shown apart from the conversation)."""
        self.connection = ConnectionStatus()
        self.last_error = ""
        """The status bar's last error; a new connection starts it over."""
        self._error_refused_update = False
        """The last error refused a session update: the next acknowledged update clears it."""
        self.errors = 0
        self.recent_errors: deque[str] = deque(maxlen=MAX_RECENT_ERRORS)
        """The latest errors' text, kept across connections (the app's toasts read it)."""
        self.version = 0
        """Changes whenever the connection, the last error or the session id changes."""
        self.memory: dict[str, Any] = {}
        """What the demo ``set_memory`` tool saved."""
        self._changed_items: set[str] = set()
        self._closed_in: int | None = None
        """The store generation in which a connection last closed: the next one reconnects."""
        self._items_reset = False
        self._released_seen = 0
        self._error_before_close: dict[str, Any] | None = None
        """The server's ``error`` if it is the latest server event (a close's explanation)."""
        self.attach()

    def attach(self) -> None:
        """Listen to the client (again after ``client.reset()``, which drops every handler)."""
        client = self.client
        client.on("realtime.event", self._on_realtime_event)
        client.on("conversation.updated", self._on_conversation_updated)
        client.on("conversation.item.appended", self._on_item)
        client.on("conversation.item.completed", self._on_item)
        client.on("error", self._on_error)
        client.on("close", self._on_close)

    # -- feeding ---------------------------------------------------------------------------

    def _on_realtime_event(self, payload: dict[str, Any]) -> None:
        event = payload.get("event")
        if not isinstance(event, dict):
            return
        source: Source = "client" if payload.get("source") == "client" else "server"
        self.add(source, event)

    def add(self, source: Source, event: dict[str, Any], at: float | None = None) -> None:
        """Store one event and tell the observers (replays pass the recorded time)."""
        record = self.store.add(source, event, at)
        if source == "server":
            error = event.get("error") if record.type == "error" else None
            self._error_before_close = error if isinstance(error, dict) else None
            self.out_of_band.observe(event)
        self.session.observe(source, event)
        for call in self.turns.observe(record):  # its line says pending / answered
            if call.item_id is not None:
                self._changed_items.add(call.item_id)
        self._changed_items |= self.context.observe(source, event)
        self.retrieves.observe(source, event, record.time)  # the item detail reads it
        kind = record.type
        if kind in ACKNOWLEDGEMENTS:
            self._note_session(event)
            if kind in SETTLES and self._error_refused_update:  # it no longer holds
                self._error_refused_update = False
                self.last_error = ""
                self.version += 1
        elif kind.startswith(TRANSCRIPTION_EVENTS) and source == "server":
            item_id = self.transcripts.observe(event)
            if item_id is not None:
                self._changed_items.add(item_id)
        elif (
            kind == "input_audio_buffer.append"
            and self.meter_from_events
            and isinstance(event.get("audio"), str)
        ):
            self.input_levels.push(pcm16_from_base64(event["audio"]), record.time)
        elif kind == "conversation.item.truncated":
            self._note_truncation(event)

    def _note_session(self, event: dict[str, Any]) -> None:
        session = event.get("session")
        if isinstance(session, dict):
            self.connection.session_id = str(session.get("id") or "")
            self.connection.model = str(session.get("model") or "")
            self.version += 1

    def _note_truncation(self, event: dict[str, Any]) -> None:
        item_id, end_ms = event.get("item_id"), event.get("audio_end_ms")
        if isinstance(item_id, str) and isinstance(end_ms, int):
            if len(self.truncations) >= MAX_TRUNCATIONS:
                self.truncations.pop(next(iter(self.truncations)))
            self.truncations[item_id] = end_ms
            self._changed_items.add(item_id)

    def _on_conversation_updated(self, payload: dict[str, Any]) -> None:
        item = payload.get("item")
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            self._changed_items.add(item["id"])
        released = self.client.conversation.retention.released_items
        if released != self._released_seen:  # older items let their audio go: redraw them
            self._released_seen = released
            self._items_reset = True
        delta = payload.get("delta")
        if self.meter_from_events and isinstance(delta, dict) and delta.get("audio") is not None:
            self.output_levels.push(delta["audio"], self.clock())

    def _decode_input(self, encoded: str) -> Int16Array:
        """A user item's audio as the session's input format has it, as 24 kHz PCM16."""
        return self.client.conversation.audio.decode_input(encoded)

    def _sent_audio(self, item_id: str) -> Int16Array | None:
        """The audio the library kept for an item: what the microphone sent for it."""
        item = self.client.conversation.get_item(item_id)
        audio = None if item is None else item["formatted"].get("audio")
        return audio if isinstance(audio, np.ndarray) else None

    def figures_for(self, item_id: str) -> str:
        """``first audio 480 ms · done 1.82 s · 120 in / 45 out · $0.0031`` for an output item;
        a function call's says first whether it is answered (``pending — no handler``)."""
        turn = self.turns.for_item(item_id)
        figures = describe_turn(turn) if turn is not None and item_id in turn.item_ids else ""
        call = self.tool_calls.for_item(item_id)
        if call is None:
            return figures
        live = self.connection.state != "replay"
        state = describe_call(call, has_handler=call.name in self.client.tools, live=live)
        return " · ".join(part for part in (state, figures) if part)

    def note_local(self, kind: str, at: float | None = None, **fields: Any) -> None:
        """Record something the console itself noticed, as a ``local.<kind>`` event."""
        self.add("local", {"type": f"local.{kind}", **fields}, at)

    def transcribing(self) -> bool:
        """Whether the user's audio gets a transcript: as the server acknowledged the session,
        else as the client configured it (nothing acknowledged yet)."""
        acknowledged = self.session.acknowledged_fields
        if "input_audio_transcription" in acknowledged:
            return bool(acknowledged["input_audio_transcription"])
        return bool(self.client.session_config.get("input_audio_transcription"))

    def _on_item(self, payload: dict[str, Any]) -> None:
        self._on_conversation_updated(payload)

    def _on_error(self, payload: dict[str, Any]) -> None:
        if payload.get("retrying"):  # the library sends the request again: nothing to tell
            return
        error = payload.get("error")
        call_id, refusal = self.target.call_id, self._error_before_close
        lost = isinstance(error, dict) and error.get("code") == "connection_lost"
        if lost and call_id is not None and refusal is not None:
            # The sideband was refused: its own error says why, the lost socket does not.
            self.note_error(sideband_refusal(call_id, refusal))
            return
        if isinstance(error, dict):
            code = str(error.get("code") or error.get("type") or "error")
            message = str(error.get("message") or "")
            self.note_error(f"{code}: {message}" if message else code)
            refused = error.get("event_id")
            self._error_refused_update = refused is not None and any(
                request.get("event_id") == refused for request in self.session.requests
            )

    def _on_close(self, payload: dict[str, Any]) -> None:
        code = payload.get("code")
        reason = str(payload.get("reason") or "")
        detail = explain_close(
            code if isinstance(code, int) else None,
            reason,
            call_id=self.target.call_id,
            error=self._error_before_close,
        )
        self._error_before_close = None
        lost = bool(payload.get("error"))
        self.note_local(
            "connection", state="closed", code=code, reason=reason, detail=detail, lost=lost
        )
        self._closed_in = self.store.generation
        self.set_connection("disconnected", detail)
        # Lost, not closed by you: what was shown stays and a reconnect may help (not for 4000).
        self.connection.lost = lost and code not in NO_RECONNECT_HINT

    # -- state the app changes ------------------------------------------------------------

    def clear(self) -> None:
        """Forget the events, the session seen and the timings (a replay starts from nothing)."""
        self.store.clear()
        self.session.clear()
        self.turns.clear()
        self.truncations.clear()
        self.transcripts.clear()
        self.retrieves.clear()
        self.context.clear()
        self.out_of_band.clear()
        self.reset_conversation()
        self.version += 1

    def replay(self, recording: Recording) -> ReplayReport:
        """Rebuild everything from a recording, as if its events had just happened.

        A log without times (one bare event per line) gets the replay clock's times in the
        store, for ordering only: its turns say their latencies are unknown.
        """
        self.turns.timed = any(entry.t is not None for entry in recording.entries)
        self.session.dialect = None  # the recording's own: both spellings are read
        report = replay_into(recording, self.client.conversation, self)
        self.reset_conversation()
        self.memory.clear()  # what the recording's set_memory calls saved, not what came before
        rebuild_memory(self.memory, (entry.event for entry in recording.entries))
        detail = f"{report.events} events"
        if recording.skipped_count or report.error_count:
            detail += (
                f" ({recording.skipped_count} lines skipped, "
                f"{report.error_count} not applied to the conversation)"
            )
        self.set_connection("replay", detail)
        return report

    @property
    def call_id(self) -> str | None:
        """The call this session belongs to: the WebRTC call placed (while it lasts), else the
        live call attached to (``--call-id``); ``None`` over a plain WebSocket."""
        placed = getattr(self.client.realtime, "call_id", None)
        return placed if isinstance(placed, str) and placed else self.target.call_id

    def touch(self) -> None:
        """Something the status bar shows changed outside the events (turn detection)."""
        self.version += 1

    def note_error(self, text: str) -> None:
        """Remember ``text`` as the last error (the status bar shows it)."""
        self.errors += 1
        self.last_error = text
        self._error_refused_update = False
        self.recent_errors.append(text)
        self.version += 1

    def set_connection(self, state: str, detail: str = "") -> None:
        """Record the connection state (the app does, around ``connect``/``disconnect``).

        A new connection is a new session: the last error starts over and the conversation
        pane redraws from the client's (cleared by a disconnect you asked for, kept after a
        lost connection).
        """
        if state == "connecting":
            self.last_error = ""
            self.reset_conversation()
        if state == "connected":
            # After a close the same store still shows, it reads "reconnected".
            again: dict[str, Any] = {}
            if self._closed_in == self.store.generation:
                again["reconnect"] = True
            call_id = self.call_id
            if call_id is not None:
                again["call_id"] = call_id
                if call_id == self.target.call_id:  # attached to someone's call (sideband)
                    again["attached"] = True
                else:  # a WebRTC call placed
                    again["transport"] = "webrtc"
            self.note_local("connection", state="connected", endpoint=self.target.endpoint, **again)
        self.connection.state = state
        self.connection.detail = detail
        self.connection.lost = False
        if state != "connected":
            self.connection.session_id = ""
        self.version += 1

    def reset_conversation(self) -> None:
        """The conversation was cleared: the pane redraws from nothing."""
        self._items_reset = True
        self._changed_items.clear()

    def take_item_changes(self) -> tuple[bool, set[str]]:
        """``(reset, ids)`` changed since the last call; the conversation pane drains this."""
        reset, changed = self._items_reset, self._changed_items
        self._items_reset = False
        self._changed_items = set()
        return reset, changed


def describe_turn(turn: Turn) -> str:
    """The figures a voice-agent developer debugs with, in one short line: the latency a user
    feels (first audio, else first text), the whole response, tokens and cost."""
    parts = []
    if turn.first_audio_ms is not None:
        parts.append(f"first audio {format_ms(turn.first_audio_ms)}")
    elif turn.first_text_ms is not None:
        parts.append(f"first text {format_ms(turn.first_text_ms)}")
    if turn.done_ms is not None:
        parts.append(f"done {format_ms(turn.done_ms)}")
    usage = turn.usage or {}
    if isinstance(usage.get("input_tokens"), int):
        parts.append(f"{usage['input_tokens']} in / {usage.get('output_tokens')} out")
    if turn.is_done:
        parts.append(format_cost(turn.cost_usd))
    if turn.status and turn.status != "completed":
        parts.append(turn.status + (f" ({turn.reason})" if turn.reason else ""))
    return " · ".join(parts)
