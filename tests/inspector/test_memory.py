"""The demo memory rebuilt from a recording's ``set_memory`` calls (no Textual, no socket).

A replay runs no tools, so the memory pane stayed empty although the recording showed the
calls. The rule: a completed ``set_memory`` call, once per item, in recorded order, unless its
recorded output says it failed; bad arguments are skipped, never raised.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.inspector.connection import Target
from console.inspector.memory import rebuild_memory
from console.inspector.model import Inspector
from console.inspector.recording import Entry, Recording, load_recording
from console.inspector.tools import MAX_MEMORY_KEYS
from console.realtime import RealtimeClient

FIXTURE = Path(__file__).parents[1] / "app" / "fixtures" / "conversation.jsonl"


def call(
    item_id: str, key: Any, value: Any = "v", *, status: str = "completed", name: str = "set_memory"
) -> dict[str, Any]:
    arguments = json.dumps({"key": key, "value": value})
    return {
        "type": "response.output_item.done",
        "item": {
            "id": item_id,
            "type": "function_call",
            "status": status,
            "name": name,
            "call_id": f"call_{item_id}",
            "arguments": arguments,
        },
    }


def output(item_id: str, result: Any) -> dict[str, Any]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": f"call_{item_id}", "output": result},
    }


def test_completed_calls_are_applied_in_order_once_per_item() -> None:
    memory: dict[str, Any] = {}
    done_again = {**call("a", "name", "Ada"), "type": "conversation.item.done"}
    events = [call("a", "name", "Ada"), done_again, call("b", "colour", "green")]
    events.append(call("c", "name", "Bob"))
    assert rebuild_memory(memory, events) == 3
    assert memory == {"name": "Bob", "colour": "green"}


def test_unfinished_failed_foreign_and_malformed_calls_are_skipped() -> None:
    memory: dict[str, Any] = {}
    broken = call("e", "x")
    broken["item"]["arguments"] = '{"key": '
    events = [
        call("a", "half", status="incomplete"),
        call("b", "failed"),
        output("b", json.dumps({"error": "key must be lowercase letters"})),
        call("c", "weather", name="get_weather"),
        call("d", ["not", "a", "key"]),
        broken,
        {"type": "response.output_item.done", "item": "not an item"},
        {"type": "response.done", "response": {"output": [None, 3]}},
        call("f", "kept"),
        output("f", json.dumps({"ok": True})),
    ]
    assert rebuild_memory(memory, events) == 1
    assert memory == {"kept": "v"}


def test_calls_only_in_response_done_count_too() -> None:
    memory: dict[str, Any] = {}
    item = call("a", "city", "Lyon")["item"]
    assert rebuild_memory(memory, [{"type": "response.done", "response": {"output": [item]}}])
    assert memory == {"city": "Lyon"}


def test_the_memory_keeps_its_bound() -> None:
    memory: dict[str, Any] = {}
    events = [call(f"i{index}", f"key_{index}") for index in range(MAX_MEMORY_KEYS + 50)]
    rebuild_memory(memory, events)
    assert len(memory) == MAX_MEMORY_KEYS


def test_a_replay_rebuilds_the_inspectors_memory() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
    inspector = Inspector(client, Target(None))
    inspector.memory["stale"] = "from before"
    inspector.replay(load_recording(FIXTURE))
    assert inspector.memory == {"Ada": "set_memory"}


def test_a_replay_of_a_recording_without_calls_leaves_the_memory_empty() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
    inspector = Inspector(client, Target(None))
    recording = Recording(entries=[Entry("server", {"type": "session.created"}, 1.0)])
    inspector.replay(recording)
    assert inspector.memory == {}
