"""The events filter over payloads: a row matches when its type or its event's JSON has the text."""

from __future__ import annotations

import base64

from console.inspector.store import EventFilter, EventStore, EventView

AUDIO = base64.b64encode(bytes(4800)).decode()


def types(view: EventView) -> list[str]:
    return [row.type for row in view.rows]


def sample_store() -> EventStore:
    store = EventStore()
    store.add("client", {"type": "session.update", "session": {"voice": "Marin"}})
    store.add(
        "client",
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Remember the Lighthouse"}],
            },
        },
    )
    store.add("server", {"type": "response.output_audio.delta", "delta": AUDIO})
    store.add("server", {"type": "response.done", "response": {"id": "resp_42", "output": []}})
    store.add("server", {"type": "error", "error": {"code": "café_closed", "event_id": "evt_9"}})
    return store


def test_the_filter_matches_payload_text_as_well_as_types_ignoring_case() -> None:
    view = EventView(sample_store())
    view.set_filter(EventFilter(text="lighthouse"))
    assert types(view) == ["conversation.item.create"]
    view.set_filter(EventFilter(text="MARIN"))
    assert types(view) == ["session.update"]
    view.set_filter(EventFilter(text="resp_42"))
    assert types(view) == ["response.done"]
    view.set_filter(EventFilter(text="CAFÉ"))  # non-ASCII, as the detail screen shows it
    assert types(view) == ["error"]
    view.set_filter(EventFilter(text='"voice": "marin"'))  # the JSON as the detail reads
    assert types(view) == ["session.update"]
    view.set_filter(EventFilter(text="done"))  # types still match
    assert types(view) == ["response.done"]


def test_audio_payloads_are_not_searched() -> None:
    store = sample_store()
    view = EventView(store, EventFilter(text=AUDIO[:40]))
    assert types(view) == []
    view.set_filter(EventFilter(text="bytes of audio"))  # what the detail shows instead
    assert types(view) == ["response.output_audio.delta"]


def test_the_direction_still_applies_with_text() -> None:
    view = EventView(sample_store(), EventFilter(client=False, text="e"))
    assert "session.update" not in types(view) and "response.done" in types(view)


def test_the_searchable_text_is_computed_once_per_event() -> None:
    store = sample_store()
    view = EventView(store, EventFilter(text="lighthouse"))
    record = store.records[1]
    cached = record.search_text
    assert cached is not None and "lighthouse" in cached
    view.set_filter(EventFilter(text="lighthous"))
    assert record.search_text is cached  # the same string object: not dumped again


def test_an_incremental_sync_matches_new_rows_by_payload() -> None:
    store = EventStore()
    view = EventView(store, EventFilter(text="needle"))
    store.add("server", {"type": "response.output_text.delta", "delta": "a needle"})
    store.add("server", {"type": "response.output_text.delta", "delta": "hay"})  # folds
    store.add("server", {"type": "response.output_text.done", "text": "hay only"})
    store.add("server", {"type": "conversation.item.done", "item": {"id": "needle_1"}})
    assert view.sync()
    assert types(view) == ["response.output_text.delta", "conversation.item.done"]


def test_a_folded_burst_matches_on_its_first_event() -> None:
    store = EventStore()
    store.add("server", {"type": "response.output_text.delta", "delta": "first"})
    store.add("server", {"type": "response.output_text.delta", "delta": "second"})
    assert types(EventView(store, EventFilter(text="first"))) == ["response.output_text.delta"]
    assert types(EventView(store, EventFilter(text="second"))) == []
