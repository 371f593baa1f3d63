"""Recording, export, loading and replay: real simulator sessions, recorded and replayed."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.inspector.recording import (
    Entry,
    Recorder,
    RecordingError,
    RecordingReader,
    export_jsonl,
    load_recording,
    record_to_json,
    replay_into,
)
from console.inspector.store import EventRecord, EventStore
from console.realtime import RealtimeClient, RealtimeConversation
from console.simulator import SimulatorServer

SECRET = "sk-test-SECRET-4f9d2c7a1b3e5d6f"
TIMEOUT = 5.0

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Retrieves the weather for a given lat, lng coordinate pair.",
    "parameters": {
        "type": "object",
        "properties": {"lat": {"type": "number"}, "lng": {"type": "number"}},
        "required": ["lat", "lng"],
    },
}


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast") as server:
        yield server


def record(seq: int, t: float, source: Any, event: dict[str, Any]) -> EventRecord:
    return EventRecord(seq=seq, time=t, source=source, type=event["type"], event=event)


async def wait_for_records(store: EventStore, event_type: str, n: int) -> None:
    """Wait (with a timeout) until ``store`` has taken ``n`` records of ``event_type``."""
    done = asyncio.get_running_loop().create_future()
    seen = sum(1 for r in store.records if r.type == event_type)

    def listener(rec: EventRecord) -> None:
        nonlocal seen
        if rec.type == event_type:
            seen += 1
            if seen >= n and not done.done():
                done.set_result(None)

    if seen < n:
        store.listen(listener)
        try:
            await asyncio.wait_for(done, TIMEOUT)
        finally:
            store.unlisten(listener)


def item_view(item: dict[str, Any]) -> dict[str, Any]:
    formatted = item["formatted"]
    return {
        "id": item["id"],
        "type": item.get("type"),
        "role": item.get("role"),
        "status": item.get("status"),
        "text": formatted.get("text"),
        "transcript": formatted.get("transcript"),
        "tool": formatted.get("tool"),
        "output": formatted.get("output"),
        "audio": np.asarray(formatted["audio"]).tolist(),
    }


def store_view(store: EventStore) -> tuple[list[Any], list[Any]]:
    records = [(r.seq, r.time, r.source, r.type, r.event) for r in store.records]
    rows = [(r.source, r.type, r.count, r.first.seq, r.last.seq) for r in store.rows]
    return records, rows


async def record_live_session(
    server: SimulatorServer, dialect: str, path: Path, *, tool: bool = False
) -> tuple[EventStore, list[dict[str, Any]], list[dict[str, Any]], Recorder]:
    """Run a text turn (and a tool round trip) while recording; returns the live state."""
    store = EventStore(cap=100_000)
    recorder = Recorder(path)
    store.listen(recorder.write)
    client = RealtimeClient(url=server.url, api_key=SECRET, dialect=dialect)
    client.on("realtime.event", lambda payload: store.add(payload["source"], payload["event"]))
    if tool:
        client.add_tool(WEATHER_TOOL, lambda arguments: {"temperature_c": 18})
    await client.connect()
    assert await client.wait_for_session_created(TIMEOUT)
    client.send_user_message_content([{"type": "input_text", "text": "Hello there, café ☕"}])
    await wait_for_records(store, "response.done", 1)
    if tool:
        client.send_user_message_content(
            [{"type": "input_text", "text": "Please call get_weather for lat 48.8 lng 2.3"}]
        )
        await wait_for_records(store, "response.done", 3)  # the call, then the answer
    items = [item_view(item) for item in client.conversation.get_items()]
    responses = [
        {"id": r.get("id"), "status": r.get("status"), "output": r.get("output")}
        for r in client.conversation.responses
    ]
    recorder.close()
    store.unlisten(recorder.write)
    await client.disconnect()
    return store, items, responses, recorder


# -- the envelope and the recorder ------------------------------------------------------------


def test_record_to_json_is_one_compact_line_with_iso_and_epoch_times() -> None:
    rec = record(0, 1_767_225_600.25, "server", {"type": "response.text.delta", "delta": "é\n☕"})
    line = record_to_json(rec)
    assert "\n" not in line and ", " not in line and "é" in line
    data = json.loads(line)
    assert data == {
        "time": "2026-01-01T00:00:00.250Z",
        "t": 1_767_225_600.25,
        "source": "server",
        "event": {"type": "response.text.delta", "delta": "é\n☕"},
    }


def test_recorder_buffers_until_a_second_passes_and_loses_nothing_on_close(tmp_path: Path) -> None:
    now = [100.0]
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path, clock=lambda: now[0])
    for seq in range(200):
        recorder.write(record(seq, 1.0 + seq, "server", {"type": "response.text.delta"}))
    assert path.read_bytes() == b"", "flushed per event: a syscall per event at 2,000 events/s"
    now[0] += 1.0
    recorder.write(record(200, 201.0, "client", {"type": "response.create"}))
    assert len(path.read_text().splitlines()) == 201
    recorder.write(record(201, 202.0, "client", {"type": "response.cancel"}))
    recorder.close()
    recorder.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert recorder.lines_written == len(lines) == 202
    assert json.loads(lines[-1])["event"] == {"type": "response.cancel"}


async def test_recorder_flushes_on_a_timer_when_events_stop(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path, flush_interval=0.05)
    flushed = asyncio.Event()
    real_flush = recorder.flush

    def flush() -> None:
        real_flush()
        flushed.set()

    recorder.flush = flush  # type: ignore[method-assign]
    recorder.write(record(0, 1.0, "server", {"type": "session.created"}))
    await asyncio.wait_for(flushed.wait(), TIMEOUT)
    assert json.loads(path.read_text())["event"]["type"] == "session.created"
    recorder.close()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_failing_disk_is_reported_not_raised() -> None:
    now = [0.0]
    recorder = Recorder("/dev/full", clock=lambda: now[0])
    recorder.write(record(0, 1.0, "server", {"type": "session.created"}))
    now[0] = 5.0
    recorder.write(record(1, 2.0, "server", {"type": "session.updated"}))
    assert recorder.error is not None and recorder.closed
    recorder.write(record(2, 3.0, "server", {"type": "session.updated"}))  # ignored, no raise


def test_export_writes_every_record(tmp_path: Path) -> None:
    records = [record(i, 10.0 + i, "server", {"type": "x", "i": i}) for i in range(5)]
    assert export_jsonl(records, tmp_path / "out.jsonl") == 5
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(line)["event"]["i"] for line in lines] == [0, 1, 2, 3, 4]
    loaded = load_recording(tmp_path / "out.jsonl")
    assert [e.t for e in loaded.entries] == [10.0, 11.0, 12.0, 13.0, 14.0]


# -- loading -----------------------------------------------------------------------------------


def test_load_reads_bare_events_from_other_tools(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    lines = [
        {"type": "session.update", "session": {"modalities": ["text"]}},
        {"type": "session.created", "time": "2026-01-01T00:00:01.500Z", "session": {}},
        "",
        {"type": "response.create", "timestamp": 1_767_225_602},
        {"type": "response.audio.delta", "timestamp": 1_767_225_603_250, "delta": ""},
        {"type": "conversation.item.created", "time": "not a time"},
    ]
    path.write_text("\n".join(json.dumps(x) if x else "   " for x in lines) + "\n")
    loaded = load_recording(path)
    assert [(e.source, e.event["type"], e.t) for e in loaded.entries] == [
        ("client", "session.update", None),
        ("server", "session.created", 1_767_225_601.5),
        ("client", "response.create", 1_767_225_602.0),
        ("server", "response.audio.delta", 1_767_225_603.25),
        ("server", "conversation.item.created", None),
    ]
    assert loaded.skipped == [] and loaded.dialect_guess == "beta"


def test_load_reports_malformed_lines_with_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"type": "conversation.item.added", "item": {}})
    path.write_bytes(
        b"\n".join(
            [
                good.encode(),
                b"{not json",
                b"[1, 2]",
                b'{"no": "type"}',
                b'{"type": "x", "bad": "\xff"}',
                b'{"source": "martian", "event": {"type": "x"}}',
                b"x" * 300,
                good.encode(),
            ]
        )
    )
    loaded = load_recording(path, max_line_bytes=200)
    assert len(loaded.entries) == 2 and loaded.dialect_guess == "ga"
    assert [line for line, _ in loaded.skipped] == [2, 3, 4, 5, 6, 7]
    reasons = dict(loaded.skipped)
    assert "invalid JSON" in reasons[2] and "not a JSON object" in reasons[3]
    assert "type" in reasons[4] and "UTF-8" in reasons[5] and "martian" in reasons[6]
    assert "longer than 200 bytes" in reasons[7]
    assert loaded.skipped_count == 6


def test_load_refuses_unreadable_empty_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot read"):
        load_recording(tmp_path / "missing.jsonl")
    (tmp_path / "junk.jsonl").write_text("\n{oops\n\n")
    with pytest.raises(RecordingError, match="no event; 1 malformed"):
        load_recording(tmp_path / "junk.jsonl")
    (tmp_path / "many.jsonl").write_text('{"type": "x"}\n' * 11)
    with pytest.raises(RecordingError, match="more than 10 events"):
        load_recording(tmp_path / "many.jsonl", max_events=10)
    assert len(load_recording(tmp_path / "many.jsonl", max_events=11).entries) == 11


def test_a_reader_gives_the_entries_one_at_a_time_and_keeps_none(tmp_path: Path) -> None:
    """What ``report`` reads a file of any length with: the same entries, skips and dialect as
    ``load_recording``, in constant memory (no bound on the events when asked for none)."""
    path = tmp_path / "beta.jsonl"
    lines = ['{"type": "response.audio.delta", "delta": ""}'] * 3 + ["{oops"] + ['{"type": "x"}']
    path.write_text("\n".join(lines) + "\n")
    reader = RecordingReader(path, max_events=None)
    first = next(iter(reader))
    assert first == Entry("server", {"type": "response.audio.delta", "delta": ""}, None)
    reader = RecordingReader(path, max_events=None)
    entries = list(reader)
    loaded = load_recording(path)
    assert entries == loaded.entries and reader.events == 4
    assert (reader.skipped, reader.skipped_count) == (loaded.skipped, 1)
    assert reader.dialect_guess == loaded.dialect_guess == "beta"
    with pytest.raises(RecordingError, match="more than 2 events"):
        list(RecordingReader(path, max_events=2))
    (tmp_path / "empty.jsonl").write_text("\n")
    empty = RecordingReader(tmp_path / "empty.jsonl")
    assert list(empty) == [] and "holds no event" in str(empty.no_event())
    with pytest.raises(RecordingError, match="cannot read"):
        list(RecordingReader(tmp_path / "missing.jsonl"))


def test_replay_counts_conversation_errors_and_fills_missing_times(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    events = [
        {"type": "session.created", "time": 50.0, "session": {}},
        {"type": "response.text.delta", "item_id": "item_nope", "delta": "x"},
        {"type": "conversation.item.created", "time": 52.0},  # no item
        {"type": "response.create"},
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    conversation, store = RealtimeConversation(), EventStore()
    report = replay_into(load_recording(path), conversation, store)
    assert report.events == 4 and report.error_count == 2
    assert [index for index, _ in report.errors] == [1, 2]
    assert [(r.source, r.time) for r in store.records] == [
        ("server", 50.0),
        ("server", 50.0),
        ("server", 52.0),
        ("client", 52.0),
    ]
    assert conversation.get_items() == []


# -- live sessions, recorded and replayed ------------------------------------------------------


@pytest.mark.parametrize("tool", [False, True], ids=["text", "tool"])
async def test_replay_rebuilds_the_live_session(
    simulator: SimulatorServer, dialect: str, tool: bool, tmp_path: Path
) -> None:
    path = tmp_path / "session.jsonl"
    live_store, live_items, live_responses, recorder = await record_live_session(
        simulator, dialect, path, tool=tool
    )
    assert recorder.lines_written == live_store.total and recorder.error is None
    recording = load_recording(path)
    assert recording.skipped == [] and recording.dialect_guess == dialect
    assert len(recording.entries) == live_store.total

    conversation, store = RealtimeConversation(), EventStore(cap=100_000)
    report = replay_into(recording, conversation, store)
    assert report.error_count == 0, report.errors
    assert [item_view(item) for item in conversation.get_items()] == live_items
    assert [
        {"id": r.get("id"), "status": r.get("status"), "output": r.get("output")}
        for r in conversation.responses
    ] == live_responses
    assert store_view(store) == store_view(live_store)

    roles = [(item["type"], item["role"]) for item in live_items]
    assert roles[:2] == [("message", "user"), ("message", "assistant")]
    assert "café ☕" in (live_items[1]["transcript"] or live_items[1]["text"])
    if tool:
        kinds = [item["type"] for item in live_items]
        assert kinds[3:5] == ["function_call", "function_call_output"]
        assert "18" in (live_items[-1]["transcript"] or live_items[-1]["text"])


async def test_a_recording_never_holds_the_api_key(
    simulator: SimulatorServer, dialect: str, tmp_path: Path
) -> None:
    path = tmp_path / "secret.jsonl"
    store, _, _, recorder = await record_live_session(simulator, dialect, path, tool=True)
    text = path.read_text(encoding="utf-8")
    assert recorder.lines_written > 10 and "session.created" in text
    assert SECRET not in text and "SECRET" not in text
    exported = tmp_path / "export.jsonl"
    export_jsonl(store.records, exported)
    assert SECRET not in exported.read_text(encoding="utf-8")


def test_entry_is_a_named_tuple() -> None:
    entry = Entry("server", {"type": "x"}, None)
    source, event, t = entry
    assert (source, event, t) == ("server", {"type": "x"}, None)
