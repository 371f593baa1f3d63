"""``RetrieveAudits``: a user audio item's retrieve, from events shaped as the server sends them."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from console.inspector import retrieve
from console.inspector.retrieve import RetrieveAudits
from console.realtime.utils import base64_to_pcm16
from tests.simulator.helpers import silence, tone


def b64(samples: np.ndarray) -> str:
    return base64.b64encode(samples.astype("<i2").tobytes()).decode("ascii")


def retrieved(item_id: str, audio: str | None, role: str = "user") -> dict[str, Any]:
    part: dict[str, Any] = {"type": "input_audio", "transcript": None}
    if audio is not None:
        part["audio"] = audio
    item = {"id": item_id, "type": "message", "object": "realtime.item", "status": "completed"}
    return {
        "type": "conversation.item.retrieved",
        "event_id": "event_9",
        "item": {**item, "role": role, "content": [part]},
    }


def request(item_id: str, event_id: str = "evt_1") -> dict[str, Any]:
    return {"type": "conversation.item.retrieve", "item_id": item_id, "event_id": event_id}


SENT = np.concatenate([silence(0.2), tone(1.0), silence(0.3)])


def audits(sent: dict[str, np.ndarray] | None = None) -> RetrieveAudits:
    kept = {"item_1": SENT} if sent is None else sent
    return RetrieveAudits(base64_to_pcm16, kept.get)


def test_a_retrieve_compares_what_was_sent_with_what_the_server_kept() -> None:
    model = audits()
    started = {"type": "input_audio_buffer.speech_started", "item_id": "item_1"}
    model.observe("server", {**started, "audio_start_ms": 1200}, 0.0)
    stopped = {"type": "input_audio_buffer.speech_stopped", "item_id": "item_1"}
    model.observe("server", {**stopped, "audio_end_ms": 2700}, 0.0)
    assert model.observe("client", request("item_1"), 1.0) == "item_1"
    audit = model.get("item_1")
    assert audit is not None and audit.state == "pending"
    assert audit.lines() == ["Retrieving what the server heard…"]
    heard = (SENT[4800:] // 4).astype(np.int16)  # trimmed start, 12 dB quieter
    assert model.observe("server", retrieved("item_1", b64(heard)), 1.1) == "item_1"
    assert audit.state == "done" and audit.heard is not None and len(audit.heard) == len(heard)
    assert audit.sent_levels is not None and audit.heard_levels is not None
    assert audit.sent_levels.samples == len(SENT)
    assert audit.sent_levels.rms_dbfs - audit.heard_levels.rms_dbfs > 11.0
    assert audit.alignment is not None and audit.alignment.offset_ms == 200
    sent_line, heard_line = audit.lines()
    assert sent_line.startswith("sent   1.50 s · RMS ")
    assert "VAD window 1.20 to 2.70 s of the input stream" in sent_line
    assert heard_line.startswith("heard  1.30 s · RMS ")
    assert "starts 200 ms into what was sent" in heard_line
    sent_row, heard_row = audit.strip
    assert len(sent_row) == len(heard_row) == retrieve.STRIP_COLUMNS
    assert heard_row[0] is None and sent_row[0] is not None  # the trimmed start is a gap


def test_errors_are_told_in_words() -> None:
    model = audits()
    model.observe("client", request("item_x", "evt_7"), 0.0)
    error = {
        "type": "invalid_request_error",
        "code": "item_retrieve_invalid_item_id",
        "message": "Error retrieving item: the item with id 'item_x' does not exist.",
        "param": "item_id",
        "event_id": "evt_7",
    }
    assert model.observe("server", {"type": "error", "error": error}, 0.1) == "item_x"
    audit = model.get("item_x")
    assert audit is not None and audit.state == "failed"
    assert audit.lines() == [f"Retrieve failed: item_retrieve_invalid_item_id: {error['message']}"]
    model.observe("client", request("item_1", "evt_8"), 0.0)
    model.observe("server", retrieved("item_1", None), 0.1)
    assert "has no audio" in model.get("item_1").reason  # type: ignore[union-attr]
    model.observe("client", request("item_1", "evt_9"), 0.0)
    model.observe("server", retrieved("item_1", "not base64!"), 0.1)
    assert "could not be decoded" in model.get("item_1").reason  # type: ignore[union-attr]
    model.observe("client", request("item_2", "evt_10"), 0.0)
    assert model.get("item_2", now=5.0).state == "pending"  # type: ignore[union-attr]
    late = model.get("item_2", now=retrieve.ANSWER_TIMEOUT_S + 1)
    assert late is not None and late.state == "failed" and "no answer" in late.reason


def test_audio_the_console_did_not_keep_is_said_and_a_mismatch_gives_no_offset() -> None:
    model = audits({"item_2": np.random.default_rng(3).normal(0, 2000, 24000).astype(np.int16)})
    model.observe("client", request("item_1"), 0.0)
    model.observe("server", retrieved("item_1", b64(SENT)), 0.1)
    assert model.get("item_1").lines()[0] == "sent   not kept by the console"  # type: ignore[union-attr]
    model.observe("client", request("item_2"), 0.0)
    model.observe("server", retrieved("item_2", b64(tone(0.5))), 0.1)
    audit = model.get("item_2")
    assert audit is not None and audit.alignment is None
    assert audit.lines()[1].endswith("does not match what was sent")


def test_audio_is_bounded_per_item_and_in_all(monkeypatch: Any) -> None:
    monkeypatch.setattr(retrieve, "MAX_ITEM_SECONDS", 1.0)
    monkeypatch.setattr(retrieve, "MAX_TOTAL_SECONDS", 2.5)
    model = audits({})
    for n in range(4):
        model.observe("client", request(f"item_{n}"), 0.0)
        model.observe("server", retrieved(f"item_{n}", b64(tone(1.5))), 0.1)
    kept = [model.get(f"item_{n}") for n in range(4)]
    assert all(audit is not None and audit.cut for audit in kept)
    assert "(cut at 1 s)" in kept[3].lines()[1]  # type: ignore[union-attr]
    assert [audit.heard is not None for audit in kept] == [False, False, True, True]  # type: ignore[union-attr]
    assert all(audit.heard_levels.samples == 24000 for audit in kept)  # type: ignore[union-attr]
