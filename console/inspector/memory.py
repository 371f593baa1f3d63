"""The demo ``set_memory`` tool's memory, rebuilt from a recording's calls.

A replay runs no tool, so the memory pane would stay empty although the recording shows the
model saving things. The recording holds what happened: each completed ``set_memory`` call
(``function_call`` item, status ``completed``, JSON arguments with a ``key``) is applied once
per item, in recorded order, unless the recorded ``function_call_output`` for its call id says it
failed (``{"error": ...}``, what the library sends for a failing handler). The recorded outcome
wins over today's tool rules: a call the tool accepted then is shown even if it would refuse it
now. Malformed items and arguments are skipped, never raised; the memory keeps the tool's bound.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .tools import MAX_MEMORY_KEYS

MEMORY_TOOL = "set_memory"
MAX_KEY_CHARS = 64
"""The demo tool's own bound on a key."""


def _items(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The items an event carries: ``item`` (added, done, create, ...) or a response's output."""
    item = event.get("item")
    if isinstance(item, dict):
        yield item
    response = event.get("response")
    output = response.get("output") if isinstance(response, dict) else None
    if isinstance(output, list):
        yield from (entry for entry in output if isinstance(entry, dict))


def _failed(output: Any) -> bool:
    """Whether a recorded tool output says the call failed."""
    try:
        parsed = json.loads(output) if isinstance(output, str) else output
    except ValueError:
        return False
    return isinstance(parsed, dict) and "error" in parsed


def _saved(item: dict[str, Any]) -> tuple[str, Any] | None:
    """``(key, value)`` of a completed ``set_memory`` call, or None."""
    if item.get("type") != "function_call" or item.get("name") != MEMORY_TOOL:
        return None
    if item.get("status") != "completed" or not isinstance(item.get("arguments"), str):
        return None
    try:
        arguments = json.loads(item["arguments"])
    except (ValueError, RecursionError):
        return None
    if not isinstance(arguments, dict):
        return None
    key = arguments.get("key")
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS:
        return None
    return key, arguments.get("value")


def rebuild_memory(memory: dict[str, Any], events: Iterable[dict[str, Any]]) -> int:
    """Apply the recorded ``set_memory`` calls among ``events`` to ``memory``; how many applied."""
    events = list(events)
    failed_calls = {
        item.get("call_id")
        for event in events
        for item in _items(event)
        if item.get("type") == "function_call_output" and _failed(item.get("output"))
    }
    seen: set[Any] = set()
    applied = 0
    for event in events:
        for item in _items(event):
            saved = _saved(item)
            identity = item.get("id") or item.get("call_id")
            if saved is None or identity in seen or item.get("call_id") in failed_calls:
                continue
            seen.add(identity)
            key, value = saved
            if key not in memory and len(memory) >= MAX_MEMORY_KEYS:
                continue
            memory[key] = value
            applied += 1
    return applied
