"""``OutOfBand``: which responses are out-of-band, their metadata and what they said, in both
dialects' event names; a response whose item joins the conversation is not one; bounded."""

from __future__ import annotations

from typing import Any

from console.inspector.out_of_band import MAX_RESPONSES, MAX_TEXT, OutOfBand


def created(response_id: str, conversation_id: str | None, **fields: Any) -> dict[str, Any]:
    response = {"id": response_id, "conversation_id": conversation_id, **fields}
    return {"type": "response.created", "response": response}


def added(response_id: str, item_id: str, **item: Any) -> dict[str, Any]:
    return {
        "type": "response.output_item.added",
        "response_id": response_id,
        "item": {"id": item_id, "type": "message", **item},
    }


def delta(kind: str, response_id: str, item_id: str, text: str) -> dict[str, Any]:
    return {"type": kind, "response_id": response_id, "item_id": item_id, "delta": text}


def test_an_out_of_band_response_streams_then_settles_with_its_metadata() -> None:
    model = OutOfBand()
    model.observe(created("r1", None, metadata={"topic": "summary"}))
    model.observe(added("r1", "i1"))
    model.observe(delta("response.output_text.delta", "r1", "i1", "You said"))
    model.observe(delta("response.output_audio_transcript.delta", "r1", "i1", ": hi"))
    entry = model.responses["r1"]
    assert entry.outputs["i1"].text == "You said: hi" and entry.status == "in_progress"
    assert entry.summary() == "topic=summary"
    call = {"id": "i2", "type": "function_call", "name": "lookup", "arguments": '{"n":1}'}
    done_message = {"id": "i1", "type": "message", "content": [{"type": "text", "text": "Hi."}]}
    model.observe(
        {
            "type": "response.done",
            "response": {
                "id": "r1",
                "status": "incomplete",
                "status_details": {"type": "incomplete", "reason": "max_output_tokens"},
                "output": [done_message, call],
            },
        }
    )
    assert entry.status == "incomplete" and entry.reason == "max_output_tokens"
    assert [o.text for o in entry.outputs.values()] == ["Hi.", 'lookup({"n":1})']


def test_beta_names_and_responses_of_the_conversation() -> None:
    model = OutOfBand()
    model.observe(created("r_conv", "conv_1"))
    model.observe(added("r_conv", "i_conv"))
    model.observe(delta("response.text.delta", "r_conv", "i_conv", "in the conversation"))
    assert not model.responses
    model.observe(created("r_oob", None))
    model.observe(added("r_oob", "i_oob"))
    model.observe(delta("response.text.delta", "r_oob", "i_oob", "apart"))
    model.observe(delta("response.audio_transcript.delta", "r_oob", "i_oob", "!"))
    assert model.responses["r_oob"].outputs["i_oob"].text == "apart!"
    assert model.is_out_of_band("r_oob") and not model.is_out_of_band("r_conv")


def test_a_response_whose_item_joins_the_conversation_is_not_out_of_band() -> None:
    for joined in ("conversation.item.added", "conversation.item.created"):
        model = OutOfBand()
        model.observe(created("r1", None))
        model.observe(added("r1", "i1"))
        version = model.version
        model.observe({"type": joined, "item": {"id": "i1", "type": "message"}})
        assert not model.responses and model.version > version
        model.observe(delta("response.output_text.delta", "r1", "i1", "x"))  # ignored now
        assert not model.responses


def test_bounded_in_responses_and_text() -> None:
    model = OutOfBand()
    for n in range(MAX_RESPONSES + 5):
        model.observe(created(f"r{n}", None))
        model.observe(added(f"r{n}", f"i{n}"))
    assert len(model.responses) == MAX_RESPONSES and "r0" not in model.responses
    model.observe(delta("response.output_text.delta", "r0", "i0", "forgotten"))  # no error
    last = f"r{MAX_RESPONSES + 4}"
    for _ in range(3):
        model.observe(
            delta("response.output_text.delta", last, f"i{MAX_RESPONSES + 4}", "x" * MAX_TEXT)
        )
    assert len(model.responses[last].outputs[f"i{MAX_RESPONSES + 4}"].text) == MAX_TEXT


def test_malformed_events_are_ignored() -> None:
    model = OutOfBand()
    for event in (
        {"type": "response.created"},
        {"type": "response.created", "response": {"conversation_id": None}},
        {"type": "response.output_item.added", "response_id": "x", "item": None},
        {"type": "response.done", "response": "nope"},
        {"type": "response.done", "response": {"id": "x", "output": 3}},
        {"type": 3},
        {"type": "response.text.delta", "item_id": "nope", "delta": 1},
    ):
        model.observe(event)
    assert not model.responses


def test_hostile_shapes_of_an_out_of_band_response_are_bounded_or_ignored() -> None:
    model = OutOfBand()
    metadata = {f"k{i}" * 40: "v" * 1000 for i in range(100)}
    model.observe(created("r1", None, metadata=metadata))
    entry = model.responses["r1"]
    assert len(entry.metadata) == 16
    assert all(len(k) <= 64 and len(v) == 512 for k, v in entry.metadata.items())
    model.observe(added("r1", "i1", content=[3, {"text": "ok"}]))
    model.observe({"type": "response.done", "response": {"id": "r1", "output": 3}})
    model.observe({"type": "response.done", "response": {"id": "r1", "output": [None, 3]}})
    assert entry.outputs["i1"].text == "ok" and entry.status == "unknown"
