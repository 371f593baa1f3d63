"""The timeline's geometry: lanes in ms from each turn's trigger, one scale for all rows."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import pytest

from console.inspector.store import PlainEvent
from console.inspector.timeline import (
    Scale,
    Span,
    TurnLanes,
    choose_scale,
    nice,
    tick_label,
    turn_ids,
    turn_lanes,
)
from console.inspector.turns import TurnModel


class Feed:
    def __init__(self, turns: TurnModel) -> None:
        self.turns = turns

    def __call__(self, t: float | None, source: Any, event_type: str, **fields: Any) -> None:
        self.turns.observe(PlainEvent(source, event_type, {"type": event_type, **fields}, t))


def at(span: Span | None) -> tuple[float, float, bool] | None:
    """A span rounded to the microsecond (float times are not exact)."""
    return None if span is None else (round(span.start, 3), round(span.end, 3), span.open)


AUDIO_1S = base64.b64encode(bytes(48_000)).decode()  # one second of PCM16 at 24 kHz


def speech_turn_with_a_cut_and_a_call() -> TurnModel:
    turns = TurnModel()
    feed = Feed(turns)
    feed(9.0, "server", "input_audio_buffer.speech_started", item_id="u1", audio_start_ms=1000)
    feed(10.0, "server", "input_audio_buffer.speech_stopped", item_id="u1", audio_end_ms=2200)
    feed(10.05, "server", "input_audio_buffer.committed", item_id="u1")
    feed(10.1, "server", "response.created", response={"id": "r1"})
    feed(10.25, "server", "response.output_item.added", response_id="r1", item={"id": "a1"})
    feed(10.4, "server", "response.output_audio.delta", response_id="r1", delta=AUDIO_1S)
    call = {"response_id": "r1", "item_id": "fc", "call_id": "call_1", "name": "get_weather"}
    feed(10.6, "server", "response.function_call_arguments.done", **call)
    done = {"id": "r1", "status": "completed", "output": [{"id": "a1"}, {"id": "fc"}]}
    feed(10.7, "server", "response.done", response=done)
    feed(10.9, "server", "conversation.item.input_audio_transcription.completed", item_id="u1")
    feed(11.0, "server", "conversation.item.truncated", item_id="a1", audio_end_ms=250)
    output = {"type": "function_call_output", "call_id": "call_1", "output": "{}"}
    feed(11.1, "client", "conversation.item.create", event_id="evt_out", item=output)
    return turns


def test_the_lanes_of_a_speech_turn_in_ms_from_speech_stopped() -> None:
    turns = speech_turn_with_a_cut_and_a_call()
    (turn,) = turns.all()
    lanes = turn_lanes(turn, turns.calls(turn), now=12.0)
    assert lanes is not None
    assert lanes.speech == Span(-1200.0, 0.0)  # audio_end_ms - audio_start_ms, left of 0
    assert at(lanes.transcription) == (0.0, 900.0, False)
    assert at(lanes.generation) == (100.0, 700.0, False)
    assert at(lanes.audio) == (400.0, 1400.0, False) and not lanes.heard
    assert lanes.audio_cut_ms == pytest.approx(650.0)
    (tool,) = lanes.tools
    assert tool.name == "get_weather" and at(tool.span) == (600.0, 1100.0, False)
    assert not lanes.running
    assert (lanes.left, lanes.right) == pytest.approx((-1200.0, 1400.0))


def test_a_running_turn_and_a_waiting_call_end_at_now() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "client", "response.create", event_id="evt_1")
    feed(1.2, "server", "response.created", response={"id": "r1"})
    (turn,) = turns.all()
    lanes = turn_lanes(turn, [], now=3.0)
    assert lanes is not None and lanes.running
    assert at(lanes.generation) == (200.0, 2000.0, True)
    call = {"response_id": "r1", "item_id": "fc", "call_id": "c", "name": "lookup"}
    feed(1.5, "server", "response.function_call_arguments.done", **call)
    feed(1.6, "server", "response.done", response={"id": "r1", "status": "completed"})
    lanes = turn_lanes(turn, turns.calls(turn), now=4.0)
    assert lanes is not None and lanes.running  # the call waits for its output
    assert at(lanes.generation) == (200.0, 600.0, False)
    assert at(lanes.tools[0].span) == (500.0, 3000.0, True)


def test_played_audio_when_the_console_played_it() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "client", "response.create")
    feed(1.1, "server", "response.created", response={"id": "r1"})
    feed(1.2, "server", "response.output_item.added", response_id="r1", item={"id": "a1"})
    feed(1.3, "server", "response.output_audio.delta", response_id="r1", delta=AUDIO_1S)
    feed(1.5, "local", "local.playback.started", item_id="a1")
    (turn,) = turns.all()
    playing = turn_lanes(turn, [], now=2.0)
    assert playing is not None and playing.heard
    assert at(playing.audio) == (500.0, 1000.0, True)
    feed(2.1, "local", "local.playback.stopped", item_id="a1", played_ms=600)
    played = turn_lanes(turn, [], now=3.0)
    assert played is not None and at(played.audio) == (500.0, 1100.0, False)


def test_webrtc_audio_is_the_output_buffer_from_started_to_stopped_or_cleared() -> None:
    """No audio deltas over WebRTC: the lane is the call's playout of the response."""
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "client", "response.create")
    feed(1.1, "server", "response.created", response={"id": "r1"})
    feed(1.2, "server", "response.output_item.added", response_id="r1", item={"id": "a1"})
    feed(1.3, "server", "output_audio_buffer.started", response_id="r1")
    (turn,) = turns.all()
    playing = turn_lanes(turn, [], now=2.0)
    assert playing is not None and playing.running and not playing.heard
    assert at(playing.audio) == (300.0, 1000.0, True)
    feed(1.5, "server", "response.done", response={"id": "r1", "status": "completed"})
    feed(3.7, "server", "output_audio_buffer.stopped", response_id="r1")
    played = turn_lanes(turn, [], now=5.0)
    assert played is not None and at(played.audio) == (300.0, 2700.0, False)
    assert played.audio_cut_ms is None and not played.running
    # Another response, cut by the user's speech: the lane ends at the cut.
    feed(6.0, "client", "response.create")
    feed(6.1, "server", "response.created", response={"id": "r2"})
    feed(6.2, "server", "output_audio_buffer.started", response_id="r2")
    feed(6.9, "server", "output_audio_buffer.cleared", response_id="r2")
    cut = turn_lanes(turns.all()[1], [], now=8.0)
    assert cut is not None and at(cut.audio) == (200.0, 900.0, False)
    assert cut.audio_cut_ms == pytest.approx(900.0)
    # A server that never says stopped: the next response's start ends it (FIFO playout), and
    # a closed connection ends (cuts) the last.
    feed(10.0, "client", "response.create")
    feed(10.1, "server", "response.created", response={"id": "r3"})
    feed(10.2, "server", "output_audio_buffer.started", response_id="r3")
    feed(11.0, "client", "response.create")
    feed(11.1, "server", "response.created", response={"id": "r4"})
    feed(11.5, "server", "output_audio_buffer.started", response_id="r4")
    feed(12.0, "local", "local.connection", state="closed", code=1000)
    third, fourth = (turn_lanes(t, [], now=20.0) for t in turns.all()[2:])
    assert third is not None and at(third.audio) == (200.0, 1500.0, False)
    assert third.audio_cut_ms is None
    assert fourth is not None and at(fourth.audio) == (500.0, 1000.0, False)
    assert fourth.audio_cut_ms == pytest.approx(1000.0)


def test_a_log_without_times_has_no_lanes() -> None:
    turns = TurnModel()
    Feed(turns)(None, "server", "response.created", response={"id": "r1"})
    (turn,) = turns.all()
    assert turn_lanes(turn, [], now=None) is None


def test_nice_numbers_and_tick_labels() -> None:
    assert [nice(v) for v in (0.3, 1, 3, 7, 11, 24, 26, 60, 101, 4000)] == [
        1,
        1,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        5000,
    ]
    assert [tick_label(v) for v in (0, 250, -500, 1000, 1500, -2000)] == [
        "0",
        "250ms",
        "-500ms",
        "1s",
        "1.5s",
        "-2s",
    ]


def lanes(right: float, left: float = 0.0) -> TurnLanes:
    speech = Span(left, 0.0) if left else None
    return TurnLanes(speech=speech, generation=Span(10.0, right))


def test_the_scale_fits_the_p95_of_the_finished_turns() -> None:
    rows = [lanes(1000.0)] * 19 + [lanes(30_000.0)]  # one outlier of twenty
    scale = choose_scale(rows, 50)
    assert scale == Scale(ms_per_column=20.0, zero=0, columns=50)  # 1 s in 50 columns
    assert scale.cells(Span(0.0, 1000.0)) == (0, 49)
    assert scale.cells(Span(30.0, 30.0)) == (1, 1)  # a point still takes a column
    assert scale.cells(Span(0.0, 30_000.0))[1] > 49  # past the chart: the widget marks it


def test_speech_gets_columns_left_of_zero_up_to_a_third() -> None:
    scale = choose_scale([lanes(2000.0, left=-1000.0)] * 3, 60)
    assert scale.zero > 0 and scale.zero * scale.ms_per_column >= 1000.0
    assert (scale.columns - scale.zero) * scale.ms_per_column >= 2000.0
    long_speech = choose_scale([lanes(500.0, left=-60_000.0)], 60)
    assert long_speech.zero == 20  # capped: the responses keep two thirds
    assert (long_speech.columns - long_speech.zero) * long_speech.ms_per_column >= 500.0


def test_instant_turns_get_the_narrowest_axis_and_ticks_are_round() -> None:
    scale = choose_scale([lanes(2.0)], 40)
    assert scale.ms_per_column * scale.columns >= 100.0
    ticks = choose_scale([lanes(2000.0, left=-1000.0)], 60).ticks()
    labels = [label for _, label in ticks]
    assert "0" in labels and "1s" in labels and labels[0].startswith("-")
    columns = [column for column, _ in ticks]
    assert all(b - a >= 9 for a, b in itertools.pairwise(columns))


def test_the_ids_that_name_a_turn() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    text = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    feed(1.0, "client", "conversation.item.create", event_id="evt_item", item=text)
    feed(1.0, "client", "response.create", event_id="evt_resp")
    feed(1.1, "server", "conversation.item.added", item={**text, "id": "item_user"})
    feed(1.2, "server", "response.created", response={"id": "r1"})
    call = {"response_id": "r1", "item_id": "fc", "call_id": "call_1", "name": "x"}
    feed(1.3, "server", "response.function_call_arguments.done", **call)
    done = {"id": "r1", "status": "completed", "output": [{"id": "fc"}]}
    feed(1.4, "server", "response.done", response=done)
    (turn,) = turns.all()
    assert turn_ids(turn) == {"r1", "fc", "call_1", "item_user", "evt_item", "evt_resp"}
