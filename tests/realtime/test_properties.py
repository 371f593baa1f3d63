"""Property tests: any sequence of valid and malformed server frames is survived.

Frames go through ``RealtimeAPI.handle_frame``, the receive loop's own parsing and dispatch
path, into a real ``RealtimeClient`` and its conversation. Nothing may escape, and the
conversation must stay consistent.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from console.realtime import RealtimeClient

ITEM_IDS = st.sampled_from(["item_1", "item_2", "item_3"])
RESPONSE_IDS = st.sampled_from(["resp_1", "resp_2"])
TEXT = st.text(max_size=8)
AUDIO = st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())
ROLES = st.sampled_from(["user", "assistant", "system"])
GARBAGE = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def item(kind: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": ITEM_IDS,
            "type": st.just(kind)
            if kind
            else st.sampled_from(["message", "function_call", "function_call_output"]),
            "role": ROLES,
            "status": st.sampled_from(["in_progress", "completed", "incomplete"]),
            "content": st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(
                            [
                                "input_text",
                                "text",
                                "output_text",
                                "audio",
                                "output_audio",
                                "input_audio",
                            ]
                        ),
                        "text": TEXT,
                        "transcript": st.one_of(st.none(), TEXT),
                    }
                ),
                max_size=2,
            ),
            "name": st.just("tool"),
            "call_id": st.just("call_1"),
            "arguments": st.just(""),
            "output": TEXT,
        }
    )


def event(event_type: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"type": st.just(event_type), "event_id": st.just("event_x"), **fields}
    )


VALID_EVENTS = st.one_of(
    event("conversation.item.created", item=item()),
    event("conversation.item.added", item=item()),
    event("conversation.item.done", item=item()),
    event(
        "conversation.item.truncated",
        item_id=ITEM_IDS,
        content_index=st.just(0),
        audio_end_ms=st.integers(0, 5000),
    ),
    event("conversation.item.deleted", item_id=ITEM_IDS),
    event(
        "conversation.item.input_audio_transcription.completed",
        item_id=ITEM_IDS,
        content_index=st.integers(0, 2),
        transcript=TEXT,
    ),
    event("conversation.item.input_audio_transcription.delta", item_id=ITEM_IDS, delta=TEXT),
    event(
        "input_audio_buffer.speech_started", item_id=ITEM_IDS, audio_start_ms=st.integers(0, 3000)
    ),
    event("input_audio_buffer.speech_stopped", item_id=ITEM_IDS, audio_end_ms=st.integers(0, 3000)),
    event("response.created", response=st.fixed_dictionaries({"id": RESPONSE_IDS})),
    event(
        "response.done",
        response=st.fixed_dictionaries(
            {"id": RESPONSE_IDS, "status": st.sampled_from(["completed", "cancelled"])}
        ),
    ),
    event("response.output_item.added", response_id=RESPONSE_IDS, item=item()),
    event("response.output_item.done", response_id=RESPONSE_IDS, item=item()),
    event(
        "response.content_part.added",
        item_id=ITEM_IDS,
        part=st.fixed_dictionaries({"type": st.sampled_from(["audio", "text"])}),
    ),
    event(
        "response.output_audio_transcript.delta",
        item_id=ITEM_IDS,
        content_index=st.integers(0, 2),
        delta=TEXT,
    ),
    event(
        "response.audio_transcript.delta", item_id=ITEM_IDS, content_index=st.just(0), delta=TEXT
    ),
    event("response.output_audio.delta", item_id=ITEM_IDS, content_index=st.just(0), delta=AUDIO),
    event("response.audio.delta", item_id=ITEM_IDS, delta=AUDIO),
    event("response.output_text.delta", item_id=ITEM_IDS, content_index=st.just(0), delta=TEXT),
    event("response.function_call_arguments.delta", item_id=ITEM_IDS, delta=TEXT),
    event("error", error=st.fixed_dictionaries({"message": TEXT, "code": TEXT})),
    event("session.created", session=st.just({})),
)


@st.composite
def malformed(draw: st.DrawFn) -> str:
    """A frame that is broken in one of the ways a server or relay can break one."""
    valid = draw(VALID_EVENTS)
    how = draw(st.sampled_from(["drop", "garbage", "nested", "type", "text", "array"]))
    keys = [k for k in valid if k != "type"]
    if how == "drop" and keys:
        del valid[draw(st.sampled_from(keys))]
    elif how == "garbage" and keys:
        valid[draw(st.sampled_from(keys))] = draw(GARBAGE)
    elif how == "nested" and isinstance(valid.get("item"), dict):
        valid["item"][draw(st.sampled_from(list(valid["item"])))] = draw(GARBAGE)
    elif how == "type":
        valid["type"] = draw(st.one_of(GARBAGE, st.text(max_size=10)))
    elif how == "text":
        return draw(st.text(max_size=20))
    elif how == "array":
        return json.dumps([valid])
    return json.dumps(valid)


FRAMES = st.lists(st.one_of(VALID_EVENTS.map(json.dumps), malformed()), max_size=40)


def assert_consistent(client: RealtimeClient) -> None:
    conversation = client.conversation
    ids = [i["id"] for i in conversation.items]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(conversation.item_lookup)
    for stored in conversation.items:
        assert conversation.item_lookup[stored["id"]] is stored
        formatted = stored["formatted"]
        assert isinstance(formatted["audio"], np.ndarray) and formatted["audio"].dtype == np.int16
        assert isinstance(formatted["text"], str) and isinstance(formatted["transcript"], str)
    assert len(conversation.responses) == len(conversation.response_lookup)


@settings(max_examples=300, deadline=None)
@given(FRAMES)
def test_no_frame_sequence_escapes_or_corrupts_the_conversation(frames: list[str]) -> None:
    client = RealtimeClient()
    errors: list[dict] = []
    client.on("error", errors.append)
    client.on("conversation.updated", lambda e: None)
    for frame in frames:
        client.realtime.handle_frame(frame)
    assert_consistent(client)
    for error in errors:
        assert error["error"]["message"] is not None and error["error"]["code"]
        # The library's own handlers must classify bad input, never fail on it.
        assert error["error"]["code"] != "handler_error", error["error"]["message"]


def test_a_malformed_frame_is_reported() -> None:
    client = RealtimeClient()
    errors: list[dict] = []
    client.on("error", errors.append)
    client.realtime.handle_frame('{"type": "response.output_audio.delta", "item_id": 3}')
    client.realtime.handle_frame("{")
    assert [e["error"]["code"] for e in errors] == ["conversation_error", "invalid_frame"]
