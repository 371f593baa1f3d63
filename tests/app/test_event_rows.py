"""A narrow events pane keeps each row's count: the type's middle gives way first."""

from __future__ import annotations

from console.app.widgets.event_list import elide_middle


def test_elide_middle_keeps_both_ends_within_room() -> None:
    text = "response.output_audio_transcript.delta"
    assert elide_middle(text, 60) == text
    short = elide_middle(text, 24)
    assert len(short) == 24 and short.startswith("respons") and short.endswith(".delta")
    assert "…" in short
    assert elide_middle(text, 5) == "respo"
