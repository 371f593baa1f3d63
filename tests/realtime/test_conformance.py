"""Schema conformance, with the openai SDK's typed models as the oracle.

Every client event the library can send must validate against the SDK's client-event union of
its dialect, with no unknown fields anywhere (the real server rejects those with
``unknown_parameter``, while the SDK models would silently keep them in ``model_extra``). Every
server event the scripted fixture plays must validate against the server-event union.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import openai.types.beta.realtime as beta_types
import openai.types.realtime as ga_types
import pytest
from pydantic import BaseModel, TypeAdapter

from console.realtime import RealtimeClient
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder
from tests.realtime.scripted_server import ScriptedServer

CLIENT_EVENTS = {
    "ga": TypeAdapter(ga_types.RealtimeClientEvent),
    "beta": TypeAdapter(beta_types.RealtimeClientEvent),
}
SERVER_EVENTS = {
    "ga": TypeAdapter(ga_types.RealtimeServerEvent),
    "beta": TypeAdapter(beta_types.RealtimeServerEvent),
}


def unknown_fields(value: Any, path: str = "") -> list[str]:
    """Paths of fields a validated model kept as extras (unknown to the schema)."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        found += [f"{path}.{name}" for name in (value.model_extra or {})]
        for name in type(value).model_fields:
            found += unknown_fields(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list | tuple):
        for index, element in enumerate(value):
            found += unknown_fields(element, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, element in value.items():
            found += unknown_fields(element, f"{path}.{key}")
    return found


def check_client_event(event: dict[str, Any], dialect: str) -> None:
    model = CLIENT_EVENTS[dialect].validate_python(event)
    assert model.type == event["type"]
    assert unknown_fields(model) == [], f"{event['type']} has fields unknown to {dialect}"


def test_the_extras_check_can_fail() -> None:
    """A GA session.update carrying beta's ``modalities`` must be caught."""
    bad = {"type": "session.update", "session": {"type": "realtime", "modalities": ["text"]}}
    with pytest.raises(AssertionError, match="unknown"):
        check_client_event(bad, "ga")


async def exercise_every_sending_method(client: RealtimeClient) -> None:
    """Call each method that sends, with the variety of arguments users pass."""
    client.update_session(
        instructions="Be brief.",
        voice="coral",
        turn_detection={
            "type": "server_vad",
            "threshold": 0.6,
            "prefix_padding_ms": 200,
            "silence_duration_ms": 400,
            "create_response": True,
        },
        input_audio_transcription={"model": "whisper-1", "language": "en"},
        input_audio_noise_reduction={"type": "near_field"},
        input_audio_format="g711_ulaw",
        output_audio_format="g711_alaw",
        tool_choice="required",
        max_response_output_tokens="inf",
        tools=[
            {
                "name": "lookup",
                "description": "Look up",
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
            }
        ],
    )
    client.update_session(
        turn_detection="semantic_vad",
        modalities=["text"],
        speed=1.2,
        input_audio_format="pcm16",
        output_audio_format="pcm16",
        tool_choice="auto",
    )
    client.update_session(turn_detection=None, modalities=["text", "audio"])
    client.add_tool(
        {
            "name": "get_weather",
            "description": "Weather",
            "parameters": {"type": "object", "properties": {}},
        },
        lambda args: {},
    )
    client.remove_tool("get_weather")
    client.send_user_message_content(
        [
            {"type": "input_text", "text": "hello"},
            {"type": "input_audio", "audio": np.ones(480, np.int16)},
        ]
    )
    client.append_input_audio(np.zeros(4800, np.float32))
    client.create_response(
        {
            "instructions": "Answer in French.",
            "conversation": "none",
            "metadata": {"purpose": "test"},
        }
    )
    # Per-response overrides in either dialect's spelling.
    client.create_response(
        {
            "modalities": ["text"],
            "voice": "alloy",
            "output_audio_format": "pcm16",
            "max_response_output_tokens": 50,
        }
    )
    client.create_response(
        {
            "output_modalities": ["audio"],
            "audio": {"output": {"voice": "coral"}},
            "max_output_tokens": "inf",
            "tool_choice": "auto",
            "tools": [{"name": "t", "description": "d", "parameters": {"type": "object"}}],
        }
    )
    client.update_session(include=["item.input_audio_transcription.logprobs"])
    client.delete_item("item_123")
    client.realtime.send(
        "conversation.item.truncate", {"item_id": "item_1", "content_index": 0, "audio_end_ms": 10}
    )
    client.realtime.send("response.cancel")
    client.realtime.send("input_audio_buffer.clear")
    client.realtime.send("conversation.item.retrieve", {"item_id": "item_1"})


async def test_every_client_event_validates(server: ScriptedServer, dialect: str) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
    recorder = Recorder(client.realtime, "client.*")
    await client.connect()
    await exercise_every_sending_method(client)
    # The tool path: a registered tool's output item.
    client.add_tool(
        {
            "name": "get_weather",
            "description": "Weather",
            "parameters": {"type": "object", "properties": {}},
        },
        lambda args: None,
    )
    client.send_user_message_content([{"type": "input_text", "text": "get_weather"}])
    sent = await recorder.wait_for(
        lambda: [
            e
            for e in recorder.events["client.*"]
            if e["type"] == "conversation.item.create"
            and e["item"]["type"] == "function_call_output"
        ]
    )
    assert sent
    await client.disconnect()
    events = recorder.events["client.*"]
    kinds = {e["type"] for e in events}
    assert kinds >= {
        "session.update",
        "conversation.item.create",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "response.create",
        "conversation.item.delete",
        "conversation.item.truncate",
        "response.cancel",
    }
    for event in events:
        check_client_event(event, dialect)


async def test_every_scripted_server_event_validates(server: ScriptedServer, dialect: str) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
    client.add_tool(
        {
            "name": "get_weather",
            "description": "Weather",
            "parameters": {"type": "object", "properties": {}},
        },
        lambda args: {},
    )
    await client.connect()
    client.send_user_message_content([{"type": "input_text", "text": "How are you?"}])
    assert await client.wait_for_next_completed_item(5)
    assert await client.wait_for_next_completed_item(5)
    client.send_user_message_content([{"type": "input_text", "text": "get_weather"}])
    recorder = Recorder(client.realtime, "server.response.done")
    await recorder.count("server.response.done", 2)
    client.append_input_audio(np.ones(4800, np.int16))
    client.create_response()
    await recorder.count("server.response.done", 3)
    await client.disconnect()
    emitted = [e["event"] for e in server.emitted if e["beta"] == (dialect == "beta")]
    assert len(emitted) > 40
    for event in emitted:
        SERVER_EVENTS[dialect].validate_python(event)
