"""Hostile events never raise out of the retrieve audits or the context window (both run inside
the client's receive loop): any JSON in any field of the events they read."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from console.inspector.context_window import ContextWindow
from console.inspector.retrieve import RetrieveAudits
from console.realtime.utils import base64_to_pcm16

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
TYPES = st.sampled_from(
    [
        "conversation.item.retrieve",
        "conversation.item.retrieved",
        "conversation.item.added",
        "conversation.item.created",
        "conversation.item.done",
        "conversation.item.deleted",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "session.created",
        "session.updated",
        "response.create",
        "response.created",
        "response.done",
        "error",
    ]
)
FIELDS = st.sampled_from(
    ["item", "item_id", "event_id", "error", "response", "session", "audio_start_ms",
     "audio_end_ms", "previous_item_id"]
)  # fmt: skip
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["client", "server"]),
        TYPES,
        st.dictionaries(FIELDS, JSON | st.just("item_1"), max_size=4),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(EVENTS)
@example(
    [
        ("server", "conversation.item.added", {"item": {"id": "item_1", "content": 5}}),
        ("server", "response.created", {"response": {"id": "resp_1"}}),
        ("server", "response.done", {"response": {"id": "resp_1", "output": 5, "usage": {}}}),
        ("client", "conversation.item.retrieve", {"item_id": "item_1"}),
        ("server", "conversation.item.retrieved", {"item": {"id": "item_1", "role": "user",
                                                           "content": 5}}),
    ]
)  # fmt: skip
def test_any_events_are_taken_without_raising(
    events: list[tuple[str, str, dict[str, Any]]],
) -> None:
    audits = RetrieveAudits(base64_to_pcm16, lambda _item_id: None)
    window = ContextWindow()
    for at, (source, kind, fields) in enumerate(events):
        event = {**fields, "type": kind}
        audits.observe(source, event, float(at))
        window.observe(source, event)
    audits.get("item_1", 1e9)
    window.is_dropped("item_1")
