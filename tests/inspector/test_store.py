"""The event store: folding, the cap, filtered views, without Textual."""

from __future__ import annotations

import itertools

import pytest

from console.inspector.store import EventFilter, EventStore, EventView


def clock_from(start: float = 100.0, step: float = 0.001):
    counter = itertools.count()
    return lambda: start + next(counter) * step


def delta(kind: str = "response.output_audio.delta") -> dict[str, str]:
    return {"type": kind, "delta": "AAAA"}


def test_a_burst_folds_per_type_with_true_counts_and_times() -> None:
    store = EventStore(clock=clock_from())
    store.add("client", {"type": "response.create"})
    for _ in range(3):
        store.add("server", delta())
        store.add("server", delta("response.output_audio_transcript.delta"))
    store.add("server", {"type": "response.done"})
    store.add("server", delta())  # a new burst: a new row
    rows = [(r.type, r.count) for r in store.rows]
    assert rows == [
        ("response.create", 1),
        ("response.output_audio.delta", 3),
        ("response.output_audio_transcript.delta", 3),
        ("response.done", 1),
        ("response.output_audio.delta", 1),
    ]
    audio = store.rows[1]
    assert (audio.first.seq, audio.last.seq) == (1, 5)
    assert audio.last.time > audio.first.time
    assert [r.seq for r in store.records_of(audio)] == [1, 3, 5]
    assert store.total == len(store.records) == 9


def test_the_cap_drops_oldest_records_and_rows_and_counts_them() -> None:
    store = EventStore(cap=5, clock=clock_from())
    for index in range(4):
        store.add("server", {"type": f"t{index}"})
    for _ in range(4):
        store.add("server", delta())
    assert (store.total, len(store.records), store.dropped) == (8, 5, 3)
    assert [r.type for r in store.rows] == ["t3", "response.output_audio.delta"]
    for _ in range(3):
        store.add("server", {"type": "after"})
    folded = store.rows[0]
    assert folded.type == "response.output_audio.delta" and folded.count == 2
    assert folded.first is store.records[0]


def test_a_view_follows_the_store_incrementally_and_by_filter() -> None:
    store = EventStore(cap=100, clock=clock_from())
    view = EventView(store, EventFilter(client=False))
    assert not view.sync()  # nothing yet
    store.add("client", {"type": "response.create"})
    store.add("server", {"type": "response.created"})
    store.add("server", delta())
    assert view.sync() and [r.type for r in view.rows] == ["response.created", delta()["type"]]
    store.add("server", delta())  # the folded row grows in place
    assert view.sync() and view.rows[-1].count == 2 and len(view.rows) == 2
    assert not view.sync()
    view.set_filter(EventFilter(text="CREATE"))
    assert [r.type for r in view.rows] == ["response.create", "response.created"]
    store.clear()
    assert view.sync() and list(view.rows) == []
    store.add("server", {"type": "response.created"})
    assert view.sync() and [r.type for r in view.rows] == ["response.created"]


def test_a_view_loses_rows_the_store_dropped() -> None:
    store = EventStore(cap=3, clock=clock_from())
    view = EventView(store)
    for index in range(10):
        store.add("server", {"type": f"t{index}"})
        view.sync()
    assert [r.type for r in view.rows] == ["t7", "t8", "t9"]


def test_events_without_a_string_type_are_kept_and_named() -> None:
    store = EventStore(clock=clock_from())
    store.add("server", {"no": "type"})
    store.add("server", {"type": 7})
    assert [r.type for r in store.rows] == ["(no type)", "(no type)"]


def test_listeners_see_every_record_cap_or_not() -> None:
    store = EventStore(cap=2, clock=clock_from())
    seen: list[int] = []
    store.listen(lambda record: seen.append(record.seq))
    for index in range(5):
        store.add("server", {"type": f"t{index}"})
    assert seen == [0, 1, 2, 3, 4]


def test_a_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        EventStore(cap=0)


def test_counts_stay_true_when_interleaved_deltas_are_dropped() -> None:
    store = EventStore(cap=4, clock=clock_from())
    store.add("server", {"type": "response.created"})
    for _ in range(3):
        store.add("server", delta())
        store.add("server", delta("response.output_audio_transcript.delta"))
    # kept: audio(4) transcript(5) audio(6)... the last 4 of seq 1..6 are seq 3..6
    kept = {(r.type, r.seq) for r in store.records}
    for row in store.rows:
        records = list(store.records_of(row))
        assert row.count == len(records), row.type
        assert row.first is records[0] and row.last is records[-1]
        assert {(r.type, r.seq) for r in records} <= kept
    assert [r.type for r in store.rows] == [
        delta()["type"],
        "response.output_audio_transcript.delta",
    ]


def test_the_byte_cap_drops_big_events_first_in_first_out() -> None:
    store = EventStore(cap=1000, cap_bytes=50_000, clock=clock_from())
    for _ in range(20):
        store.add("server", {"type": "response.output_audio.delta", "delta": "A" * 10_000})
    assert store.kept_bytes <= 50_000 and len(store.records) == 4
    assert store.dropped == 16 and store.rows[0].count == 4
    store.add("server", {"type": "huge", "delta": "B" * 200_000})  # alone over the cap: kept
    assert [r.type for r in store.records] == ["huge"]
