"""RealtimeConversation fed directly with server events of both dialects."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from console.realtime import ConversationError, InputAudioBuffer, RealtimeConversation


def ev(event_type: str, **fields: Any) -> dict[str, Any]:
    return {"event_id": "event_1", "type": event_type, **fields}


def audio_b64(samples: np.ndarray) -> str:
    return base64.b64encode(samples.astype("<i2").tobytes()).decode()


def assistant_turn(conv: RealtimeConversation, ga: bool, item_id: str = "item_a") -> None:
    conv.process_event(ev("response.created", response={"id": "resp_1", "output": []}))
    item = {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": "in_progress",
        "content": [],
    }
    conv.process_event(ev("response.output_item.added", response_id="resp_1", item=item))
    conv.process_event(
        ev("conversation.item.added" if ga else "conversation.item.created", item=item)
    )
    conv.process_event(
        ev("response.content_part.added", item_id=item_id, part={"type": "audio", "transcript": ""})
    )


@pytest.mark.parametrize("ga", [True, False], ids=["ga", "beta"])
def test_assistant_audio_and_transcript_accumulate(ga: bool) -> None:
    conv = RealtimeConversation()
    assistant_turn(conv, ga)
    prefix = "response.output_audio" if ga else "response.audio"
    chunks = [np.full(2400, i, dtype=np.int16) for i in range(3)]
    for i, chunk in enumerate(chunks):
        result = conv.process_event(
            ev(f"{prefix}_transcript.delta", item_id="item_a", content_index=0, delta=f"w{i} ")
        )
        assert result["delta"] == {"transcript": f"w{i} "}
        result = conv.process_event(
            ev(f"{prefix}.delta", item_id="item_a", content_index=0, delta=audio_b64(chunk))
        )
        assert result["delta"]["audio"].tolist() == chunk.tolist()
    item = conv.get_item("item_a")
    assert item is not None
    assert item["formatted"]["transcript"] == "w0 w1 w2 "
    assert item["content"][0]["transcript"] == "w0 w1 w2 "
    assert np.array_equal(item["formatted"]["audio"], np.concatenate(chunks))
    assert item["status"] == "in_progress"
    done = conv.process_event(
        ev(
            "response.output_item.done",
            response_id="resp_1",
            item={"id": "item_a", "status": "completed"},
        )
    )
    assert done["item"]["status"] == "completed"
    conv.process_event(
        ev("conversation.item.truncated", item_id="item_a", content_index=0, audio_end_ms=150)
    )
    assert len(item["formatted"]["audio"]) == 3600 and item["formatted"]["transcript"] == ""


def test_text_deltas_and_ga_part_types() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("response.created", response={"id": "resp_1"}))
    item = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "status": "in_progress",
        "content": [{"type": "output_text", "text": "He"}],
    }
    conv.process_event(ev("conversation.item.added", item=item))
    conv.process_event(ev("response.output_text.delta", item_id="m", content_index=0, delta="y"))
    stored = conv.get_item("m")
    assert stored is not None and stored["formatted"]["text"] == "Hey"
    assert stored["content"][0]["text"] == "Hey"


def test_user_items_complete_and_a_repeated_creation_returns_the_stored_item() -> None:
    conv = RealtimeConversation()
    item = {
        "id": "u",
        "type": "message",
        "role": "user",
        "status": "in_progress",
        "content": [
            {"type": "input_text", "text": "How "},
            {"type": "input_text", "text": "are you?"},
        ],
    }
    first = conv.process_event(ev("conversation.item.created", item=item))["item"]
    assert first["status"] == "completed" and first["formatted"]["text"] == "How are you?"
    again = conv.process_event(ev("conversation.item.created", item=item))["item"]
    assert again is first and len(conv.get_items()) == 1
    done = conv.process_event(ev("conversation.item.done", item=item))["item"]
    assert done is first and done["status"] == "completed"


def test_system_messages_keep_the_server_status() -> None:
    conv = RealtimeConversation()
    item = {
        "id": "s",
        "type": "message",
        "role": "system",
        "status": "completed",
        "content": [{"type": "input_text", "text": "be brief"}],
    }
    assert conv.process_event(ev("conversation.item.created", item=item))["item"]["status"] == (
        "completed"
    )


def test_an_early_input_transcript_is_kept() -> None:
    conv = RealtimeConversation()
    early = conv.process_event(
        ev(
            "conversation.item.input_audio_transcription.completed",
            item_id="u",
            content_index=0,
            transcript="hello there",
        )
    )
    assert early == {"item": None, "delta": None}
    item = {
        "id": "u",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_audio", "transcript": None}],
    }
    created = conv.process_event(ev("conversation.item.created", item=item))["item"]
    assert created["formatted"]["transcript"] == "hello there"
    assert created["content"][0]["transcript"] == "hello there"


def test_empty_transcript_is_a_single_space_as_in_the_reference() -> None:
    conv = RealtimeConversation()
    conv.process_event(
        ev(
            "conversation.item.created",
            item={
                "id": "u",
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio"}],
            },
        )
    )
    result = conv.process_event(
        ev(
            "conversation.item.input_audio_transcription.completed",
            item_id="u",
            content_index=0,
            transcript="",
        )
    )
    assert result["item"]["formatted"]["transcript"] == " "
    assert result["delta"] == {"transcript": ""}


def test_vad_speech_slices_come_from_the_input_buffer() -> None:
    conv = RealtimeConversation()
    buffer = InputAudioBuffer()
    audio = np.arange(24000, dtype=np.int16)
    buffer.append(audio)
    conv.process_event(ev("input_audio_buffer.speech_started", item_id="u", audio_start_ms=200))
    conv.process_event(
        ev("input_audio_buffer.speech_stopped", item_id="u", audio_end_ms=700), buffer
    )
    created = conv.process_event(
        ev(
            "conversation.item.created",
            item={
                "id": "u",
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio"}],
            },
        )
    )
    assert np.array_equal(created["item"]["formatted"]["audio"], audio[4800:16800])


def test_function_call_arguments_and_outputs() -> None:
    conv = RealtimeConversation()
    conv.process_event(
        ev(
            "conversation.item.created",
            item={
                "id": "f",
                "type": "function_call",
                "name": "get_weather",
                "call_id": "call_1",
                "arguments": "",
                "status": "in_progress",
            },
        )
    )
    for piece in ('{"lat"', ": 1}"):
        conv.process_event(ev("response.function_call_arguments.delta", item_id="f", delta=piece))
    item = conv.get_item("f")
    assert item is not None
    assert item["formatted"]["tool"] == {
        "type": "function",
        "name": "get_weather",
        "call_id": "call_1",
        "arguments": '{"lat": 1}',
    }
    output = conv.process_event(
        ev(
            "conversation.item.created",
            item={"id": "o", "type": "function_call_output", "call_id": "call_1", "output": "{}"},
        )
    )
    assert output["item"]["status"] == "completed" and output["item"]["formatted"]["output"] == "{}"


def test_responses_are_updated_on_done() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("response.created", response={"id": "r", "status": "in_progress"}))
    conv.process_event(
        ev(
            "response.done",
            response={"id": "r", "status": "completed", "usage": {"total_tokens": 5}},
        )
    )
    assert conv.response_lookup["r"]["status"] == "completed"
    assert conv.response_lookup["r"]["usage"] == {"total_tokens": 5}


def test_out_of_band_response_items_are_ignored_not_errors() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("response.created", response={"id": "r"}))
    conv.process_event(ev("response.output_item.added", response_id="r", item={"id": "oob"}))
    result = conv.process_event(ev("response.output_text.delta", item_id="oob", delta="x"))
    assert result == {"item": None, "delta": None} and conv.get_items() == []


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"event_id": "e"}, 'Missing "type"'),
        (ev("session.created"), "Missing conversation event processor"),
        (ev("response.audio.delta", item_id="nope", delta=""), 'Item "nope" not found'),
        (ev("conversation.item.deleted", item_id="nope"), 'Item "nope" not found'),
        (ev("response.output_item.done"), 'Missing "item"'),
        (
            ev("response.output_item.added", response_id="x", item={"id": "i"}),
            'Response "x" not found',
        ),
        (ev("conversation.item.created"), 'missing "item"'),
    ],
)
def test_bad_events_raise_conversation_errors(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ConversationError, match=message):
        RealtimeConversation().process_event(event)


def test_long_responses_do_not_copy_all_earlier_audio_per_delta() -> None:
    conv = RealtimeConversation()
    assistant_turn(conv, ga=True)
    chunk = audio_b64(np.ones(2400, dtype=np.int16))
    reallocations = 0
    previous = None
    for _ in range(50):
        result = conv.process_event(
            ev("response.output_audio.delta", item_id="item_a", delta=chunk)
        )
        audio = result["item"]["formatted"]["audio"]
        if previous is not None and not np.shares_memory(previous, audio):
            reallocations += 1
        previous = audio
    # Storage grows geometrically: a handful of copies, not one per delta as in the reference.
    assert reallocations < 8
    assert len(previous) == 50 * 2400 and previous.sum() == 50 * 2400
