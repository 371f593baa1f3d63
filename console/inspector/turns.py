"""Turns rebuilt from the event stream: what triggered each response and how long each step took.

A turn is one response and what asked for it. ``TurnModel.observe(source, event, at)`` takes every
event in order, live (from the inspector's store) or from a recording, in either dialect, in
O(1) each; ``at`` is the local wall-clock time in epoch seconds, or ``None`` for a log without
times (then every latency is unknown while counts, usage and cost still add up).

Triggers, in the order the events announce them:

- ``speech``: the server's voice activity detection: ``speech_started``/``speech_stopped``
  (their ``audio_start_ms``/``audio_end_ms``) and the ``committed`` user item; the response the
  server creates for it, or one the client asks for afterwards;
- ``text``: a user message the client created, then ``response.create``;
- ``commit``: a manual ``input_audio_buffer.commit`` (push-to-talk), then ``response.create``;
- ``tool``: a ``function_call_output`` the client created, then ``response.create``;
- ``other``: a bare ``response.create`` (the composer's), or a response nothing here asked for.

Every latency is measured from the turn's **trigger time**: the arrival of ``speech_stopped``
for speech (the end of the user's turn as the server saw it), else the send of
``response.create``; a response nothing asked for starts at its own ``response.created``.
``first_text`` is the first ``output_text`` or audio transcript delta, ``first_audio`` the
first audio delta received (over WebRTC, which sends none: ``output_audio_buffer.started``),
``first_heard`` the first sample the speaker played (local ``local.playback.*`` events, which
the console records beside the wire events).

What is pending until a response claims it (requests, the client's actions, speech, the echoes
that name the client's items) is kept by ``Triggers`` (``triggers``); this module keeps the turns.

A response still open when the connection closes (or a new one opens) can never be done: its
status becomes ``disconnected``, with the close's code and reason as the reason (``1001 session
expired``), and ``done_at`` stays unknown.

Bounded: the latest ``cap`` turns are kept (with their items' index); pending triggers and
requests are few and capped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from console.realtime.dialects import canonical_event_type

from .prices import PriceTable, response_cost, transcription_cost
from .store import PlainEvent, TimedEvent
from .tool_calls import ToolCall, ToolCalls
from .triggers import Triggers
from .turn import (
    BYTES_PER_SECOND,
    DEFAULT_TURNS_CAP,
    DISCONNECTED,
    LOCAL_CONNECTION,
    LOCAL_PLAYBACK_STARTED,
    LOCAL_PLAYBACK_STOPPED,
    MAX_PENDING,
    Request,
    Speech,
    Trigger,
    Turn,
    as_int,
    as_str,
    decoded_size,
    output_rate,
)

__all__ = [
    "DEFAULT_TURNS_CAP",
    "DISCONNECTED",
    "LOCAL_CONNECTION",
    "LOCAL_PLAYBACK_STARTED",
    "LOCAL_PLAYBACK_STOPPED",
    "Trigger",
    "Turn",
    "TurnModel",
]


class TurnModel:
    """The turns of one console session, kept up to date event by event."""

    def __init__(self, prices: PriceTable | None = None, cap: int = DEFAULT_TURNS_CAP) -> None:
        if cap < 1:
            raise ValueError(f"the turns cap must be at least 1, not {cap}")
        self.prices = prices if prices is not None else PriceTable.default()
        self.tool_calls = ToolCalls()
        """Every function call's facts (pending, handler time); turns name theirs by call id."""
        self.cap = cap
        self.timed = True
        """False for a log whose events carry no times: every latency is then unknown."""
        self.version = 0
        """Changes at each milestone of a turn (created, first text and audio, heard, done, a
        tool call, a truncation), not at every delta: panes redraw only then."""
        self._reset()

    def _reset(self) -> None:
        self.turns: OrderedDict[str, Turn] = OrderedDict()
        self.dropped = 0
        self.model: str | None = None
        self.transcription_model: str | None = None
        self.transcription_cost_usd = 0.0
        self.transcription_cost_unknown = 0
        self.rate_limits: list[dict[str, Any]] = []
        self.connection = 0
        self._count = 0
        self._by_item: dict[str, Turn] = {}
        self._triggers = Triggers()
        """What is pending until a response claims it: requests, client actions, speech."""
        self._transcribed: OrderedDict[str, float | None] = OrderedDict()
        self._open: OrderedDict[str, Turn] = OrderedDict()
        """Turns without their ``response.done`` yet (a few; the oldest go past the bound)."""
        self._rate = BYTES_PER_SECOND["pcm16"]
        self._playing: Turn | None = None
        """WebRTC: the turn whose audio the call is playing (its buffer started, not ended)."""

    # -- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.turns)

    def get(self, response_id: str) -> Turn | None:
        return self.turns.get(response_id)

    def for_item(self, item_id: str) -> Turn | None:
        """The turn whose response produced ``item_id`` (or whose trigger it is)."""
        return self._by_item.get(item_id)

    def all(self) -> list[Turn]:
        """The kept turns, oldest first."""
        return list(self.turns.values())

    def calls(self, turn: Turn) -> list[ToolCall]:
        """The function calls ``turn``'s response made (those still kept), in order."""
        found = (self.tool_calls.get(call_id) for call_id in turn.tool_call_ids)
        return [call for call in found if call is not None]

    def clear(self) -> None:
        """Forget every turn, call and everything pending (a replay starts from nothing)."""
        self._reset()
        self.tool_calls.clear()
        self.version += 1

    # -- feeding -----------------------------------------------------------------------------

    def observe(self, record: TimedEvent) -> tuple[ToolCall, ...]:
        """Take one event (client, server or local) into account; most are ignored quickly.

        Returns the tool calls it changed (the conversation pane redraws their lines).
        """
        if not self.timed:  # a replayed log without times: the store's times are made up
            record = PlainEvent(record.source, record.type, record.event, None)
        calls = self.tool_calls.observe(record)
        for call in calls:
            turn = self.turns.get(call.response_id or "")
            if turn is not None and call.call_id not in turn.tool_call_ids:
                turn.tool_call_ids.append(call.call_id)
                self.version += 1
        source, event, at = record.source, record.event, record.time
        kind = event.get("type")
        if not isinstance(kind, str):
            return calls
        if source == "client":
            self._triggers.client(kind, event, at)
        elif source == "server":
            self._server(canonical_event_type(kind), event, at)
        else:
            self._local(kind, event, at)
        if calls:
            self.version += 1  # a call's state shows in its turn
        return calls

    def _server(self, kind: str, event: Mapping[str, Any], at: float | None) -> None:
        self._triggers.server(kind, event, at)
        handler = _SERVER_HANDLERS.get(kind)
        if handler is not None:
            handler(self, event, at)

    def _local(self, kind: str, event: Mapping[str, Any], at: float | None) -> None:
        if kind == LOCAL_CONNECTION and event.get("state") == "failed":
            return  # an attempt that never connected: no session began or ended
        if kind == LOCAL_CONNECTION:
            # A new connection is a new session: nothing pending carries over, and a response
            # still open will never be done.
            code, why = as_int(event.get("code")), as_str(event.get("reason"))
            reason = " ".join(str(part) for part in (code, why) if part) or "connection closed"
            for cut in self._open.values():
                cut.status, cut.reason = DISCONNECTED, reason
                self.version += 1
            self._open.clear()
            self._end_playing(at, cleared=True)  # the call's audio ends with it
            self.connection += 1
            self._triggers.reset()
            return
        turn = self._by_item.get(str(event.get("item_id")))
        if turn is None:
            return
        if kind == LOCAL_PLAYBACK_STARTED and turn.first_heard_at is None:
            turn.first_heard_at = at
        elif kind == LOCAL_PLAYBACK_STOPPED:
            turn.last_heard_at = at
            played = event.get("played_ms")
            if isinstance(played, int | float) and not isinstance(played, bool):
                turn.heard_ms = (turn.heard_ms or 0.0) + float(played)
        else:
            return
        self.version += 1

    # -- server events -------------------------------------------------------------------------

    def _session(self, event: Mapping[str, Any], at: float | None) -> None:
        session = event.get("session")
        if not isinstance(session, Mapping):
            return
        self.model = as_str(session.get("model")) or self.model
        self._rate = output_rate(session) or self._rate
        transcription: Any = session.get("input_audio_transcription")
        audio = session.get("audio")
        if isinstance(audio, Mapping) and isinstance(audio.get("input"), Mapping):
            transcription = audio["input"].get("transcription", transcription)
        if isinstance(transcription, Mapping):
            self.transcription_model = as_str(transcription.get("model"))
        elif transcription is None and (
            "audio" in session or "input_audio_transcription" in session
        ):
            self.transcription_model = None

    def _created(self, event: Mapping[str, Any], at: float | None) -> None:
        response = event.get("response")
        response_id = as_str(response.get("id")) if isinstance(response, Mapping) else None
        if response_id is None or response_id in self.turns:
            return
        turn = self._start_turn(response_id, at)
        turn.created_at = at
        self._add(turn)

    def _start_turn(self, response_id: str, at: float | None) -> Turn:
        """The new turn, with the trigger that asked for it (the earlier of request or speech)."""
        self._count += 1
        claimed = self._triggers.claim()
        base = {"index": self._count, "response_id": response_id, "model": self.model}
        if isinstance(claimed, Request):
            action = claimed.action
            turn = Turn(trigger=action.trigger, trigger_at=claimed.at, **base)  # type: ignore[arg-type]
            turn.requested_at, turn.user_item_id = claimed.at, action.item_id
            turn.client_event_ids = [i for i in (action.event_id, claimed.event_id) if i]
        elif isinstance(claimed, Speech):
            turn = Turn(trigger="speech", trigger_at=claimed.stopped_at, **base)  # type: ignore[arg-type]
            turn.user_item_id = claimed.item_id
            turn.speech_started_at = claimed.started_at
            turn.speech_start_ms, turn.speech_end_ms = claimed.start_ms, claimed.end_ms
        else:
            turn = Turn(trigger="other", trigger_at=at, **base)  # type: ignore[arg-type]
        turn.bytes_per_second = self._rate
        turn.connection = self.connection
        if turn.user_item_id is not None:
            self._by_item[turn.user_item_id] = turn
            if turn.user_item_id in self._transcribed:
                turn.transcribed_at = self._transcribed.pop(turn.user_item_id)
        return turn

    def _item_added(self, event: Mapping[str, Any], at: float | None) -> None:
        turn = self.turns.get(str(event.get("response_id")))
        item = event.get("item")
        item_id = as_str(item.get("id")) if isinstance(item, Mapping) else None
        if turn is not None and item_id is not None and item_id not in turn.item_ids:
            turn.item_ids.append(item_id)
            self._by_item[item_id] = turn

    def _text_delta(self, event: Mapping[str, Any], at: float | None) -> None:
        turn = self.turns.get(str(event.get("response_id")))
        if turn is not None and turn.first_text_at is None:
            turn.first_text_at = at
            self.version += 1

    def _audio_delta(self, event: Mapping[str, Any], at: float | None) -> None:
        turn = self.turns.get(str(event.get("response_id")))
        delta = event.get("delta")
        if turn is None or not isinstance(delta, str):
            return
        if turn.first_audio_at is None:
            turn.first_audio_at = at
            self.version += 1  # not for every delta: panes redraw on milestones
        turn.audio_bytes += decoded_size(delta)

    def _audio_started(self, event: Mapping[str, Any], at: float | None) -> None:
        """WebRTC: no audio deltas come; the response's audio begins when the call starts
        playing it out (``output_audio_buffer.started``)."""
        turn = self.turns.get(str(event.get("response_id")))
        if turn is None or turn.buffer_started_at is not None:
            return
        # The playout is FIFO: one response's audio starting means the one before has ended
        # (for servers that do not say so).
        self._end_playing(at, cleared=False)
        turn.buffer_started_at = at
        self._playing = turn
        if turn.first_audio_at is None:
            turn.first_audio_at = at
        self.version += 1

    def _audio_ended(self, event: Mapping[str, Any], at: float | None) -> None:
        """WebRTC: the response's audio has all played (``stopped``) or was cut (``cleared``)."""
        turn = self.turns.get(str(event.get("response_id")))
        if turn is None or turn.buffer_started_at is None or turn.buffer_ended_at is not None:
            return
        turn.buffer_ended_at = at
        turn.buffer_cleared = event.get("type") == "output_audio_buffer.cleared"
        if self._playing is turn:
            self._playing = None
        self.version += 1

    def _end_playing(self, at: float | None, cleared: bool) -> None:
        """The playing turn's audio ended now (a later one started, or the call closed)."""
        turn, self._playing = self._playing, None
        if turn is not None and turn.buffer_ended_at is None:
            turn.buffer_ended_at, turn.buffer_cleared = at, cleared
            self.version += 1

    def _truncated(self, event: Mapping[str, Any], at: float | None) -> None:
        turn = self._by_item.get(str(event.get("item_id")))
        end_ms = as_int(event.get("audio_end_ms"))
        if turn is not None and end_ms is not None:
            turn.truncated_ms = end_ms
            self.version += 1

    def _transcription(self, event: Mapping[str, Any], at: float | None) -> None:
        item_id = as_str(event.get("item_id"))
        cost = transcription_cost(event.get("usage"), self.prices.lookup(self.transcription_model))
        if cost is None:
            self.transcription_cost_unknown += 1
        else:
            self.transcription_cost_usd += cost
        turn = self._by_item.get(item_id or "")
        if turn is not None and turn.user_item_id == item_id:
            turn.transcribed_at = at
            self.version += 1
        elif item_id is not None:  # before its response was created
            self._transcribed[item_id] = at
            while len(self._transcribed) > MAX_PENDING:
                self._transcribed.popitem(last=False)

    def _done(self, event: Mapping[str, Any], at: float | None) -> None:
        response = event.get("response")
        if not isinstance(response, Mapping) or not isinstance(response.get("id"), str):
            return
        turn = self.turns.get(response["id"])
        if turn is None:  # a log that starts mid-response
            turn = self._start_turn(response["id"], at)
            self._add(turn)
        self._open.pop(turn.response_id, None)
        for item in response.get("output") or ():
            item_id = as_str(item.get("id")) if isinstance(item, Mapping) else None
            if item_id is not None and item_id not in turn.item_ids:
                turn.item_ids.append(item_id)
                self._by_item[item_id] = turn
        turn.done_at = at
        turn.status = as_str(response.get("status")) or "unknown"
        details = response.get("status_details")
        if isinstance(details, Mapping):
            error = details.get("error")
            reason = details.get("reason") or (
                error.get("code") if isinstance(error, Mapping) else None
            )
            turn.reason = as_str(reason) or as_str(details.get("type"))
        usage = response.get("usage")
        turn.usage = dict(usage) if isinstance(usage, Mapping) else None
        turn.cost_usd = response_cost(turn.usage, self.prices.lookup(turn.model or self.model))
        self.version += 1

    def _rate_limits(self, event: Mapping[str, Any], at: float | None) -> None:
        limits = event.get("rate_limits")
        if isinstance(limits, list):
            self.rate_limits = [dict(limit) for limit in limits if isinstance(limit, Mapping)]
            self.version += 1

    # -- the bounded map -----------------------------------------------------------------------

    def _add(self, turn: Turn) -> None:
        self.turns[turn.response_id] = turn
        self._open[turn.response_id] = turn
        if len(self._open) > MAX_PENDING:
            self._open.popitem(last=False)
        self.version += 1
        while len(self.turns) > self.cap:
            _, oldest = self.turns.popitem(last=False)
            self.dropped += 1
            for item_id in (*oldest.item_ids, oldest.user_item_id):
                if item_id is not None and self._by_item.get(item_id) is oldest:
                    del self._by_item[item_id]


_SERVER_HANDLERS = {
    "session.created": TurnModel._session,
    "session.updated": TurnModel._session,
    "response.created": TurnModel._created,
    "response.output_item.added": TurnModel._item_added,
    "response.text.delta": TurnModel._text_delta,
    "response.audio_transcript.delta": TurnModel._text_delta,
    "response.audio.delta": TurnModel._audio_delta,
    "output_audio_buffer.started": TurnModel._audio_started,
    "output_audio_buffer.stopped": TurnModel._audio_ended,
    "output_audio_buffer.cleared": TurnModel._audio_ended,
    "conversation.item.truncated": TurnModel._truncated,
    "conversation.item.input_audio_transcription.completed": TurnModel._transcription,
    "response.done": TurnModel._done,
    "rate_limits.updated": TurnModel._rate_limits,
}
