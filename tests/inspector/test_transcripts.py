"""``Transcripts``: logprobs (streamed, then completed) and failures per user item, bounded."""

from __future__ import annotations

from typing import Any

from console.inspector.transcripts import PREFIX, Transcripts


def event(stage: str, item_id: str = "item_1", **fields: Any) -> dict[str, Any]:
    return {"type": PREFIX + stage, "item_id": item_id, "content_index": 0, **fields}


def probs(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"token": t, "logprob": p, "bytes": list(t.encode())} for t, p in pairs]


def test_deltas_stream_tokens_then_completed_replaces_them() -> None:
    notes = Transcripts()
    assert notes.observe(event("delta", delta="Hi", logprobs=probs(("Hi", -0.1)))) == "item_1"
    note = notes.note("item_1")
    assert note is not None and [t.text for t in note.tokens] == ["Hi"]
    done = probs(("Hi", -0.1), (" there", -2.0))
    notes.observe(event("completed", transcript="Hi there", logprobs=done))
    assert [t.text for t in note.tokens] == ["Hi", " there"]
    assert note.summary() == "logprob mean -1.05 · min -2.00 · 1 low"
    assert [t.low for t in note.tokens] == [False, True]


def test_without_logprobs_there_is_no_summary_and_a_failure_says_why() -> None:
    notes = Transcripts()
    assert notes.observe(event("delta", delta="Hi")) is None  # nothing to keep
    error = {"type": "transcription_error", "code": "audio_unintelligible", "message": "noise"}
    assert notes.observe(event("failed", "item_2", error=error)) == "item_2"
    note = notes.note("item_2")
    assert note is not None and note.failure == "audio_unintelligible: noise"
    assert note.summary() == ""
    notes.observe(event("failed", "item_3", error="not an object"))
    assert notes.note("item_3").failure == "error: no reason given"  # type: ignore[union-attr]


def test_malformed_logprobs_are_ignored_and_the_notes_are_bounded() -> None:
    notes = Transcripts(cap=3)
    notes.observe(event("completed", transcript="x", logprobs=[{"token": 1}]))
    assert notes.note("item_1").tokens == []  # type: ignore[union-attr]
    for n in range(5):
        notes.observe(event("completed", f"item_{n + 10}", transcript="x"))
    assert notes.note("item_1") is None and notes.note("item_14") is not None
    assert notes.observe({"type": "response.done"}) is None
