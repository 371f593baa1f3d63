"""Which item a WebRTC call's track audio belongs to (``TrackAudio``): pure event logic."""

from __future__ import annotations

import numpy as np

from console.realtime.track_audio import SILENT_FRAMES_TO_END, TrackAudio

TONE = (np.sin(np.arange(480) / 3) * 8000).astype(np.int16)
SILENCE = np.zeros(480, dtype=np.int16)


def _part(kind: str, item_id: str = "item_1") -> dict[str, object]:
    return {
        "type": "response.content_part.added",
        "response_id": "resp_1",
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


def test_a_cleared_buffer_ends_the_item_and_a_new_part_takes_over() -> None:
    track = TrackAudio()
    track.on_server_event(_part("output_audio"))
    track.on_server_event({"type": "output_audio_buffer.cleared", "response_id": "resp_1"})
    assert track.target(TONE) is None
    track.on_server_event(_part("output_audio", "item_2"))
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
