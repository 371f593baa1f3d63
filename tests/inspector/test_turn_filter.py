"""``EventFilter.turn_ids``: the events pane shows one turn's events."""

from __future__ import annotations

from typing import Any

from console.inspector.store import EventFilter, EventStore, EventView, Source

TURN = frozenset({"resp_1", "item_a", "call_1", "item_user", "evt_create"})


Events = list[tuple[Source, dict[str, Any]]]


def types_shown(events: Events, event_filter: EventFilter) -> list[str]:
    store = EventStore()
    for source, event in events:
        store.add(source, event)
    return [row.type for row in EventView(store, event_filter).rows]


def test_rows_naming_the_turn_match_wherever_they_name_it() -> None:
    events: Events = [
        ("client", {"type": "conversation.item.create", "event_id": "evt_create"}),
        ("client", {"type": "response.create", "event_id": "evt_other"}),
        ("server", {"type": "conversation.item.added", "item": {"id": "item_user"}}),
        ("server", {"type": "response.created", "response": {"id": "resp_1"}}),
        ("server", {"type": "response.output_audio.delta", "response_id": "resp_1"}),
        ("server", {"type": "response.output_audio.delta", "response_id": "resp_1"}),
        ("server", {"type": "conversation.item.done", "item": {"id": "item_a"}}),
        ("server", {"type": "conversation.item.truncated", "item_id": "item_a"}),
        ("server", {"type": "response.function_call_arguments.done", "call_id": "call_1"}),
        ("client", {"type": "x.output", "item": {"call_id": "call_1"}}),
        ("local", {"type": "local.playback.started", "item_id": "item_a"}),
        ("server", {"type": "response.created", "response": {"id": "resp_2"}}),
        ("server", {"type": "response.output_audio.delta", "response_id": "resp_2"}),
        ("server", {"type": "session.updated", "event_id": "evt_create"}),  # a server's id
        ("server", {"type": "rate_limits.updated"}),
    ]
    shown = types_shown(events, EventFilter(turn_ids=TURN))
    assert shown == [
        "conversation.item.create",
        "conversation.item.added",
        "response.created",
        "response.output_audio.delta",  # the two deltas fold into one row
        "conversation.item.done",
        "conversation.item.truncated",
        "response.function_call_arguments.done",
        "x.output",
        "local.playback.started",
    ]


def test_the_turn_filter_goes_with_the_others_and_counts_as_a_filter() -> None:
    events: Events = [
        ("client", {"type": "response.create", "event_id": "evt_create"}),
        ("server", {"type": "response.created", "response": {"id": "resp_1"}}),
        ("server", {"type": "response.done", "response": {"id": "resp_1"}}),
    ]
    assert types_shown(events, EventFilter(server=False, turn_ids=TURN)) == ["response.create"]
    assert types_shown(events, EventFilter(text="done", turn_ids=TURN)) == ["response.done"]
    assert not EventFilter(turn_ids=TURN).is_empty and EventFilter().is_empty


def test_odd_values_where_ids_go_neither_match_nor_raise() -> None:
    events: Events = [
        ("server", {"type": "a", "response_id": ["resp_1"], "item_id": {"id": "item_a"}}),
        ("server", {"type": "b", "item": ["item_a"], "response": "resp_1", "call_id": None}),
        ("client", {"type": "c", "event_id": {"resp_1": 1}, "item": {"id": ["x"]}}),
    ]
    assert types_shown(events, EventFilter(turn_ids=TURN)) == []
    assert types_shown(events, EventFilter()) == ["a", "b", "c"]
