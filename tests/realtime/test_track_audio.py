"""Which item a WebRTC call's track audio belongs to (``TrackAudio``): pure event logic."""

from __future__ import annotations

import numpy as np

from console.realtime.track_audio import SILENT_FRAMES_TO_END, TrackAudio

TONE = (np.sin(np.arange(480) / 3) * 8000).astype(np.int16)
SILENCE = np.zeros(480, dtype=np.int16)


def _part(kind: str, item_id: str = "item_1", response_id: str = "resp_1") -> dict[str, object]:
    return {
        "type": "response.content_part.added",
        "response_id": response_id,
        "item_id": item_id,
        "part": {"type": kind},
    }


def test_audio_before_any_reply_and_of_a_text_reply_is_dropped() -> None:
    track = TrackAudio()
    assert track.target(SILENCE) is None
    track.on_server_event(_part("output_text"))
    assert track.target(TONE) is None
    assert track.dropped_samples == 2 * 480


def test_an_audio_part_takes_the_track_until_the_buffer_stops() -> None:
    track = TrackAudio()
    track.on_server_event(_part("output_audio"))
    assert track.target(TONE) == "item_1"
    track.on_server_event({"type": "response.done", "response": {"id": "resp_1"}})
    assert track.target(TONE) == "item_1"  # still playing after the response is generated
    track.on_server_event({"type": "output_audio_buffer.stopped", "response_id": "resp_1"})
    assert track.target(TONE) is None


def test_without_buffer_events_silence_after_the_response_ends_it() -> None:
    track = TrackAudio()
    track.on_server_event(_part("output_audio"))
    for _ in range(SILENT_FRAMES_TO_END * 2):  # pauses inside a reply stay the reply's
        assert track.target(SILENCE) == "item_1"
    track.on_server_event({"type": "response.done", "response": {"id": "resp_1"}})
    targets = [track.target(SILENCE) for _ in range(SILENT_FRAMES_TO_END + 1)]
    assert targets[: SILENT_FRAMES_TO_END - 1] == ["item_1"] * (SILENT_FRAMES_TO_END - 1)
    assert targets[-1] is None


def _buffer(kind: str, response_id: str | None) -> dict[str, object]:
    event: dict[str, object] = {"type": f"output_audio_buffer.{kind}"}
    if response_id is not None:
        event["response_id"] = response_id
    return event


def test_a_cleared_buffer_ends_the_item_and_the_next_started_takes_over() -> None:
    track = TrackAudio()
    track.on_server_event(_part("output_audio"))
    track.on_server_event(_buffer("started", "resp_1"))
    track.on_server_event(_buffer("cleared", "resp_1"))
    assert track.target(TONE) is None
    track.on_server_event(_part("output_audio", "item_2", "resp_2"))
    assert track.target(TONE) is None  # queued, not playing yet
    track.on_server_event(_buffer("started", "resp_2"))
    assert track.target(TONE) == "item_2"


def test_malformed_events_are_ignored() -> None:
    """A peer's bad frame never breaks the receive loop (found by test_properties)."""
    track = TrackAudio()
    for event in (
        {"type": "response.content_part.added", "item_id": "item_1", "part": 1},
        {"type": "response.content_part.added", "item_id": 5, "part": {"type": "audio"}},
        {"type": "response.done", "response": "done"},
        {"type": "output_audio_buffer.started", "response_id": ["x"]},
        {"type": "output_audio_buffer.stopped", "response_id": None},
    ):
        track.on_server_event(event)
    assert track.item_id is None


def test_a_response_queued_behind_a_playing_one_waits_for_its_own_started() -> None:
    """A tool call's follow-up is created while the preamble still plays (FIFO playout)."""
    track = TrackAudio()
    track.on_server_event(_part("output_audio", "preamble", "resp_1"))
    track.on_server_event(_buffer("started", "resp_1"))
    track.on_server_event({"type": "response.done", "response": {"id": "resp_1"}})
    track.on_server_event(_part("output_audio", "follow_up", "resp_2"))
    assert [track.target(TONE) for _ in range(3)] == ["preamble"] * 3
    track.on_server_event(_buffer("stopped", "resp_1"))
    assert track.target(SILENCE) is None
    track.on_server_event(_buffer("started", "resp_2"))
    assert track.target(TONE) == "follow_up"
    track.on_server_event({"type": "response.done", "response": {"id": "resp_2"}})
    assert [track.target(SILENCE) for _ in range(SILENT_FRAMES_TO_END + 1)][-1] == "follow_up"
    track.on_server_event(_buffer("stopped", "resp_2"))
    assert track.target(TONE) is None


def test_buffer_events_without_a_response_id_mean_the_oldest_waiting_response() -> None:
    track = TrackAudio()
    track.on_server_event(_part("output_audio", "first", "resp_1"))
    track.on_server_event(_part("output_audio", "second", "resp_2"))
    track.on_server_event(_buffer("started", None))
    assert track.target(TONE) == "first"
    track.on_server_event(_buffer("stopped", None))
    assert track.target(TONE) is None
    track.on_server_event(_buffer("started", None))
    assert track.target(TONE) == "second"
    track.reset()
    assert track.target(TONE) is None
