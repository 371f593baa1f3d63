"""Schema fidelity: every server event of a broad scripted session validates against the
openai SDK's server-event union for the dialect (GA: ``openai.types.realtime``, beta:
``openai.types.beta.realtime``). The :class:`Client` validates each event as it arrives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "days"],
    },
}


def names(dialect: str) -> dict[str, str]:
    """Event names that differ between dialects."""
    if dialect == "ga":
        return {
            "added": "conversation.item.added",
            "text_delta": "response.output_text.delta",
            "audio_delta": "response.output_audio.delta",
            "transcript_done": "response.output_audio_transcript.done",
            "audio_part": "output_audio",
            "text_part": "output_text",
        }
    return {
        "added": "conversation.item.created",
        "text_delta": "response.text.delta",
        "audio_delta": "response.audio.delta",
        "transcript_done": "response.audio_transcript.done",
        "audio_part": "audio",
        "text_part": "text",
    }


def session_patch(dialect: str, **ga: Any) -> dict[str, Any]:
    """Build a session.update payload from GA-style keywords for either dialect."""
    if dialect == "ga":
        out: dict[str, Any] = {"type": "realtime"}
        audio_in: dict[str, Any] = {}
        for key, value in ga.items():
            if key in ("turn_detection", "transcription"):
                audio_in[key] = value
            elif key == "modalities":
                out["output_modalities"] = value
            else:
                out[key] = value
        if audio_in:
            out["audio"] = {"input": audio_in}
        return out
    out = {}
    for key, value in ga.items():
        if key == "transcription":
            out["input_audio_transcription"] = value
        elif key == "modalities":
            out["modalities"] = ["text"] if value == ["text"] else ["text", "audio"]
        else:
            out[key] = value
    return out


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def scripted_session(client: Client) -> None:
    """Text, audio, VAD, tools, truncation, retrieval, deletion, out-of-band and errors."""
    d = client.dialect
    n = names(d)
    await client.recv_until("session.created")

    # Session: manual turns, transcription, tools.
    await client.send(
        "session.update",
        session=session_patch(
            d,
            turn_detection=None,
            transcription={"model": "whisper-1"},
            tools=[WEATHER],
            instructions="Be terse.",
        ),
    )
    updated = await client.recv_until("session.updated")
    assert updated["session"]["tools"][0]["name"] == "get_weather"

    # Text in, audio + transcript out (default modalities).
    await client.send("conversation.item.create", item=user_text("hello simulator"))
    added = await client.recv_until(n["added"])
    first_id = added["item"]["id"]
    await client.send("response.create")
    events = await client.collect_until("response.done")
    kinds = [e["type"] for e in events]
    assert n["audio_delta"] in kinds and n["transcript_done"] in kinds
    done = events[-1]["response"]
    assistant = done["output"][0]
    assert assistant["content"][0]["type"] == n["audio_part"]
    assert assistant["content"][0]["transcript"] == "You said: hello simulator"

    # Text-only response by per-response modalities, with metadata.
    mods = {"output_modalities": ["text"]} if d == "ga" else {"modalities": ["text"]}
    await client.send("response.create", response={**mods, "metadata": {"k": "v"}})
    events = await client.collect_until("response.done")
    assert n["text_delta"] in [e["type"] for e in events]
    assert events[-1]["response"]["metadata"] == {"k": "v"}

    # Manual audio turn with transcription.
    await client.send("input_audio_buffer.append", audio=pcm_b64(tone(1.0)))
    committed_at = len(client.received)
    await client.send("input_audio_buffer.commit")
    completed = await client.recv_until("conversation.item.input_audio_transcription.completed")
    assert completed["transcript"] == "[speech 1.0 s]\n"  # whisper-1 ends with a newline
    kinds = [e["type"] for e in client.received[committed_at:]]
    assert kinds.index("input_audio_buffer.committed") < kinds.index(n["added"])
    await client.send("response.create")
    done = (await client.recv_until("response.done"))["response"]
    assert "[speech 1.0 s]" in done["output"][0]["content"][0]["transcript"]
    audio_item = done["output"][0]["id"]

    # Truncate the assistant audio, retrieve it, clear an empty buffer.
    await client.send(
        "conversation.item.truncate", item_id=audio_item, content_index=0, audio_end_ms=300
    )
    truncated = await client.recv_until("conversation.item.truncated")
    assert truncated["audio_end_ms"] == 300
    await client.send("conversation.item.retrieve", item_id=audio_item)
    retrieved = (await client.recv_until("conversation.item.retrieved"))["item"]
    assert len(retrieved["content"][0]["audio"]) > 0
    await client.send("input_audio_buffer.clear")
    await client.recv_until("input_audio_buffer.cleared")

    # Tool call round trip.
    await client.send("conversation.item.create", item=user_text("get weather in Paris for 3 days"))
    await client.send("response.create")
    done = (await client.recv_until("response.done"))["response"]
    call = done["output"][0]
    assert call["type"] == "function_call" and call["name"] == "get_weather"
    await client.send(
        "conversation.item.create",
        item={"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp": 21}'},
    )
    await client.send("response.create", response=mods)
    done = (await client.recv_until("response.done"))["response"]
    assert '{"temp": 21}' in done["output"][0]["content"][0]["text"]

    # Insert at the start, delete it.
    await client.send("conversation.item.create", item=user_text("first!"), previous_item_id="root")
    inserted = await client.recv_until(n["added"])
    assert inserted["previous_item_id"] is None
    await client.send(
        "conversation.item.create", item=user_text("after"), previous_item_id=first_id
    )
    after = await client.recv_until(n["added"])
    assert after["previous_item_id"] == first_id
    await client.send("conversation.item.delete", item_id=inserted["item"]["id"])
    await client.recv_until("conversation.item.deleted")

    # Out-of-band response with its own input: no conversation item events.
    start = len(client.received)
    await client.send(
        "response.create",
        response={**mods, "conversation": "none", "input": [user_text("summarise")]},
    )
    done = (await client.recv_until("response.done"))["response"]
    assert done["conversation_id"] is None
    assert "You said: summarise" in done["output"][0]["content"][0]["text"]
    assert n["added"] not in [e["type"] for e in client.received[start:]]

    # Server VAD: silence, a burst, silence, in 20 ms chunks → turn and automatic response.
    await client.send(
        "session.update",
        session=session_patch(d, turn_detection={"type": "server_vad", "silence_duration_ms": 300}),
    )
    await client.recv_until("session.updated")
    signal = np.concatenate([silence(0.5), tone(0.8), silence(0.6)])
    for start in range(0, len(signal), 480):
        await client.send("input_audio_buffer.append", audio=pcm_b64(signal[start : start + 480]))
    await client.recv_until("input_audio_buffer.speech_started")
    await client.recv_until("input_audio_buffer.speech_stopped")
    await client.recv_until("input_audio_buffer.committed")
    await client.recv_each("conversation.item.input_audio_transcription.completed", "response.done")

    # Errors keep the connection open.
    await client.send_raw("{not json")
    assert (await client.error())["code"] == "invalid_json"
    await client.send("no.such.event", event_id="evt_1")
    err = await client.error()
    assert err["code"] == "invalid_value" and err["event_id"] == "evt_1"
    await client.send("conversation.item.delete", item_id="item_missing")
    await client.error()
    await client.send("response.cancel")
    assert (await client.error())["code"] == "response_cancel_not_active"


async def cancel_and_barge_in(client: Client) -> None:
    """On a real-time paced server: client cancel, busy error, and VAD barge-in."""
    await client.recv_until("session.created")
    await client.send("session.update", session=session_patch(client.dialect, turn_detection=None))
    await client.recv_until("session.updated")
    await client.send("conversation.item.create", item=user_text("a long story " * 10))
    await client.send("response.create")
    await client.recv_until(names(client.dialect)["audio_delta"])
    await client.send("response.create", event_id="evt_busy")
    err = await client.error()
    assert err["code"] == "conversation_already_has_active_response"
    assert err["event_id"] == "evt_busy"
    await client.send("response.cancel")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"]["reason"] == "client_cancelled"
    assert done["output"][0]["status"] == "incomplete"

    await client.send(
        "session.update",
        session=session_patch(client.dialect, turn_detection={"type": "server_vad"}),
    )
    await client.recv_until("session.updated")
    await client.send("response.create")
    await client.recv_until(names(client.dialect)["audio_delta"])
    signal = tone(0.3)
    for start in range(0, len(signal), 480):
        await client.send("input_audio_buffer.append", audio=pcm_b64(signal[start : start + 480]))
    await client.recv_until("input_audio_buffer.speech_started")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"]["reason"] == "turn_detected"


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_scripted_session_validates(server: SimulatorServer, dialect: str) -> None:
    client = await Client.connect(server.url, dialect)
    await scripted_session(client)
    types = {e["type"] for e in client.received}
    assert len(client.received) > 100
    assert ("conversation.item.done" in types) == (dialect == "ga")
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_cancel_and_barge_in_validate(slow_server: SimulatorServer, dialect: str) -> None:
    client = await Client.connect(slow_server.url, dialect)
    await cancel_and_barge_in(client)
    await client.close()
