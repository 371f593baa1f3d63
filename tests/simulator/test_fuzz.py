"""Robustness: mutated and random client events never crash the handler or close the socket.

Valid events are mutated (fields dropped, replaced by random JSON, unknown fields added, nested
values corrupted) with a seeded generator; every reply must validate against the SDK schema,
no ``server_error`` may appear (that would be an unexpected exception inside the simulator), and
the connection must still answer afterwards.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, tone

AUDIO = pcm_b64(tone(0.2))


def templates(dialect: str) -> list[dict[str, Any]]:
    user = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "hi get_weather 3"}],
    }
    if dialect == "ga":
        session = {
            "type": "realtime",
            "output_modalities": ["text"],
            "instructions": "x",
            "tools": [
                {
                    "type": "function",
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}},
                }
            ],
            "tool_choice": "auto",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "turn_detection": {
                        "type": "server_vad",
                        "threshold": 0.5,
                        "silence_duration_ms": 200,
                    },
                    "transcription": {"model": "whisper-1"},
                },
                "output": {"voice": "marin", "speed": 1.0, "format": {"type": "audio/pcmu"}},
            },
        }
        response = {
            "output_modalities": ["text"],
            "conversation": "none",
            "input": [user],
            "metadata": {"a": "b"},
        }
    else:
        session = {
            "modalities": ["text"],
            "voice": "alloy",
            "turn_detection": {"type": "server_vad", "threshold": 0.5},
            "input_audio_transcription": {"model": "whisper-1"},
            "tools": [
                {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
            ],
            "temperature": 0.8,
        }
        response = {
            "modalities": ["text"],
            "conversation": "none",
            "input": [user],
            "temperature": 0.7,
        }
    return [
        {"type": "session.update", "session": session},
        {"type": "input_audio_buffer.append", "audio": AUDIO},
        {"type": "input_audio_buffer.commit"},
        {"type": "input_audio_buffer.clear"},
        {"type": "conversation.item.create", "item": user, "previous_item_id": None},
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "call_1", "output": "{}"},
        },
        {"type": "conversation.item.retrieve", "item_id": "item_x"},
        {
            "type": "conversation.item.truncate",
            "item_id": "item_x",
            "content_index": 0,
            "audio_end_ms": 10,
        },
        {"type": "conversation.item.delete", "item_id": "item_x"},
        {"type": "response.create", "response": response},
        {"type": "response.cancel"},
    ]


def random_json(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(9 if depth < 2 else 6)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 1, 10**12, 2**63, 3])
    if choice == 3:
        return rng.choice([0.5, -0.0, 1e308, float("1e-9"), 1.5])
    if choice == 4:
        return rng.choice(["", "x", "root", "inf", "audio/pcm", "server_vad", "é\u0000", "A" * 50])
    if choice == 5:
        return rng.choice(["text", "audio", "function", "message", "user"])
    if choice == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {
        rng.choice(["type", "id", "x", "text", "audio"]): random_json(rng, depth + 1)
        for _ in range(rng.randrange(3))
    }


def mutate(rng: random.Random, value: Any) -> Any:
    """Corrupt one random spot inside ``value``."""
    if isinstance(value, dict) and value and rng.random() < 0.75:
        key = rng.choice(list(value))
        action = rng.randrange(4)
        out = dict(value)
        if action == 0 and key != "type":
            del out[key]
        elif action == 1:
            out[key] = mutate(rng, out[key])
        elif action == 2 and key != "type":
            out[key] = random_json(rng)
        else:
            out[rng.choice(["bogus", "event_id", "item", "session"])] = random_json(rng)
        return out
    if isinstance(value, list) and value and rng.random() < 0.75:
        out_list = list(value)
        index = rng.randrange(len(out_list))
        out_list[index] = mutate(rng, out_list[index])
        return out_list
    return random_json(rng)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_mutated_events_never_break_the_connection(
    server: SimulatorServer, dialect: str
) -> None:
    rng = random.Random(20260525 + (dialect == "beta"))
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    events = templates(dialect)
    for round_ in range(400):
        event = mutate(rng, copy.deepcopy(rng.choice(events)))
        await client.send_raw(json.dumps(event))
        if round_ % 25 == 0:
            await client.send(
                "conversation.item.retrieve", item_id="item_probe", event_id=f"probe{round_}"
            )
            while True:
                reply = await client.recv()
                if reply["type"] == "error" and reply["error"]["event_id"] == f"probe{round_}":
                    break
    await client.send("conversation.item.retrieve", item_id="item_end", event_id="end")
    while True:
        reply = await client.recv()
        if reply["type"] == "error" and reply["error"]["event_id"] == "end":
            break
    server_errors = [
        e
        for e in client.received
        if e["type"] == "error" and e["error"]["type"] != "invalid_request_error"
    ]
    assert server_errors == []
    await client.close()
