"""The timeline's geometry, without Textual: each turn's lanes on a shared axis, and the scale.

Every span is in milliseconds from the turn's trigger (0), so turns line up as a waterfall and
their latencies compare at a glance; the user's speech ends at the trigger and so lies left of 0.
Lanes:

- ``speech``: the user's speech (``audio_start_ms`` → ``audio_end_ms``, else its arrival times);
- ``transcription``: from the trigger to the input transcription's completion;
- ``generation``: ``response.created`` → ``response.done``;
- ``audio``: what the speaker played (``local.playback.*``) when the console played it, else the
  audio's length from its first delta (when it would have played), else (WebRTC, no deltas) the
  call's playout: ``output_audio_buffer.started`` → ``.stopped``/``.cleared`` for the response;
  ``audio_cut_ms`` marks where it was truncated (or cleared);
- ``tools``: each function call, from its arguments being done to its output being sent.

A span still running (``open``) ends at ``now``. ``choose_scale`` picks one scale for all rows:
the p95 of the finished turns' right ends (and of their speech, left of 0) fits the columns, in
a round number of milliseconds per column; longer rows run past it and are marked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .tool_calls import ToolCall
from .turns import Turn, TurnModel

MIN_SPAN_MS = 100.0
"""The narrowest axis: a few instant turns still get a readable scale."""
LEFT_SHARE = 1 / 3
"""At most this share of the columns goes to speech, left of 0."""
TICK_GAP = 9
"""Columns at least between two tick labels."""


@dataclass(frozen=True, slots=True)
class Span:
    """``start``..``end`` in ms from the trigger; ``open``: still running (ends at now)."""

    start: float
    end: float
    open: bool = False


@dataclass(frozen=True, slots=True)
class ToolSpan:
    """One function call: arguments done → output sent (``open`` while it waits)."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class TurnLanes:
    """One turn's spans; ``None`` where the turn has nothing for that lane."""

    speech: Span | None = None
    transcription: Span | None = None
    generation: Span | None = None
    audio: Span | None = None
    audio_cut_ms: float | None = None
    """Where the audio was truncated (ms from the trigger): the rest was not heard."""
    heard: bool = False
    """The audio lane is what the speaker played (else its length from the first delta)."""
    tools: tuple[ToolSpan, ...] = ()

    running: bool = field(init=False)
    """Something in it still grows with the clock."""
    left: float = field(init=False)
    """How far it reaches left of 0 (0 or less)."""
    right: float = field(init=False)
    """How far it reaches right of 0."""

    def __post_init__(self) -> None:
        # Read for every row at each milestone (the scale): computed once, here.
        spans = self.spans()
        object.__setattr__(self, "running", any(span.open for span in spans))
        left = min((span.start for span in spans), default=0.0) if self.speech else 0.0
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", max((span.end for span in spans), default=0.0))

    def spans(self) -> list[Span]:
        found = [self.speech, self.transcription, self.generation, self.audio]
        return [span for span in found if span is not None] + [t.span for t in self.tools]


def turn_lanes(turn: Turn, calls: Sequence[ToolCall], now: float | None) -> TurnLanes | None:
    """The lanes of ``turn`` (its ``calls`` from ``TurnModel.calls``); ``None`` without times."""
    if turn.trigger_at is None:
        return None
    since = turn.since_trigger
    now_ms = since(now)
    speech = None
    if turn.speech_start_ms is not None and turn.speech_end_ms is not None:
        speech = Span(float(min(0, turn.speech_start_ms - turn.speech_end_ms)), 0.0)
    elif turn.speech_started_at is not None:
        speech = _span(since(turn.speech_started_at), 0.0, None)
    transcribed = since(turn.transcribed_at)
    transcription = None if transcribed is None else Span(min(0.0, transcribed), transcribed)
    running = None if turn.is_done else now_ms
    generation = _span(since(turn.created_at), since(turn.done_at), running)
    tools = tuple(
        ToolSpan(
            call.name,
            _span(
                since(call.arguments_done or call.seen),
                since(call.output_sent),
                now_ms if call.pending else None,
            )
            or Span(0.0, 0.0),
        )
        for call in calls
        if (call.arguments_done or call.seen) is not None
    )
    audio, cut = _audio(turn, now_ms)
    return TurnLanes(
        speech, transcription, generation, audio, cut, turn.first_heard_at is not None, tools
    )


def _span(start: float | None, end: float | None, now_ms: float | None) -> Span | None:
    """``start``..``end``; with no end, open up to ``now_ms`` when given, else a point."""
    if start is None:
        return None
    if end is None:
        if now_ms is None:
            return Span(start, start)
        return Span(start, max(start, now_ms), open=True)
    return Span(min(start, end), end)


def _audio(turn: Turn, now_ms: float | None) -> tuple[Span | None, float | None]:
    """The audio lane (played when known, else the audio's length from its first delta) and
    where it was cut."""
    since = turn.since_trigger
    audio: Span | None = None
    if turn.first_heard_at is not None:
        start = since(turn.first_heard_at)
        end = since(turn.last_heard_at)
        if end is None and start is not None and turn.heard_ms is not None:
            end = start + turn.heard_ms
        audio = _span(start, end, now_ms)  # no end yet: still playing
    elif turn.first_audio_at is not None and turn.audio_ms > 0:
        start = since(turn.first_audio_at)
        audio = None if start is None else Span(start, start + turn.audio_ms)
    elif turn.buffer_started_at is not None:
        # WebRTC: the call played it; open while it plays, cut where it was cleared.
        audio = _span(since(turn.buffer_started_at), since(turn.buffer_ended_at), now_ms)
        if audio is not None and turn.buffer_cleared:
            return audio, audio.end
    cut = None
    if audio is not None and turn.truncated_ms is not None:
        cut = audio.start + turn.truncated_ms
    return audio, cut


@dataclass(frozen=True, slots=True)
class Scale:
    """``ms_per_column`` milliseconds per column; 0 is at column ``zero`` of ``columns``."""

    ms_per_column: float
    zero: int
    columns: int

    def cells(self, span: Span) -> tuple[int, int]:
        """The first and last column ``span`` covers (unclipped: may fall outside the chart).

        Every span covers at least one column, so a 2 ms step still shows.
        """
        first = self.zero + math.floor(span.start / self.ms_per_column)
        last = self.zero + math.ceil(span.end / self.ms_per_column) - 1
        return first, max(first, last)

    def ticks(self) -> list[tuple[int, str]]:
        """(column, label) of round times, at least ``TICK_GAP`` columns apart, 0 included."""
        step = nice(self.ms_per_column * TICK_GAP)
        first = -math.floor(self.zero * self.ms_per_column / step)
        out = []
        for k in range(first, first + self.columns):
            column = self.zero + round(k * step / self.ms_per_column)
            if column >= self.columns:
                break
            if column >= 0:
                out.append((column, tick_label(k * step)))
        return out


def nice(value: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten (at least 1) not below ``value``."""
    power = 10.0 ** max(0, math.floor(math.log10(max(value, 1.0))))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= value:
            return factor * power
    return 10.0 * power  # pragma: no cover (ten times the power always is)


def tick_label(ms: float) -> str:
    """``0``, ``250ms``, ``1s``, ``1.5s``, ``-2s``."""
    if ms == 0:
        return "0"
    if abs(ms) < 1000:
        return f"{ms:g}ms"
    return f"{ms / 1000:g}s"


def _p95(values: list[float]) -> float:
    known = sorted(values)
    return known[max(0, math.ceil(0.95 * len(known)) - 1)]


def choose_scale(lanes: Sequence[TurnLanes], columns: int) -> Scale:
    """One scale for every row: the p95 of the finished turns (all of them if none finished)."""
    columns = max(columns, 4)
    finished = [lane for lane in lanes if not lane.running] or list(lanes)
    right = max(MIN_SPAN_MS, _p95([lane.right for lane in finished]) if finished else 0.0)
    speech = [-lane.left for lane in finished if lane.left < 0]
    left = _p95(speech) if speech else 0.0
    left_columns = 0
    ms = nice(right / columns)
    if left:
        ms = nice((left + right) / columns)
        left_columns = min(math.ceil(left / ms), int(columns * LEFT_SHARE))
        ms = nice(right / (columns - left_columns))
    return Scale(ms, left_columns, columns)


def turn_ids(turn: Turn) -> frozenset[str]:
    """What names ``turn`` in the event stream: its response, its output items, its tool calls,
    its trigger's item and the client events that asked for it (``EventFilter.turn_ids``)."""
    ids = {turn.response_id, *turn.item_ids, *turn.tool_call_ids, *turn.client_event_ids}
    if turn.user_item_id is not None:
        ids.add(turn.user_item_id)
    return frozenset(ids)


def live_turn_ids(turns: TurnModel, turn: Turn) -> Callable[[], frozenset[str]]:
    """``turn_ids`` of ``turn`` as the model knows it now (a running turn gains items, calls)."""
    response_id = turn.response_id

    def ids() -> frozenset[str]:
        current = turns.get(response_id)
        return turn_ids(current if current is not None else turn)

    return ids
