"""The composer's client-event check (``check_client_event``) on 10 KB events.

Two events of about 10 KB each, in both dialects: a ``session.update`` carrying instructions,
transcription, turn detection and eight function tools, and a ``conversation.item.create`` whose
message holds forty text parts. Each is checked 2,000 times; the best of 5 passes is printed per
check. Target (issue 15): well under a millisecond per 10 KB event.

Run: python3 bench/bench_event_schema.py
"""

from __future__ import annotations

import json
import time
from typing import Any

from console.inspector.event_schema import check_client_event
from console.realtime.dialects import Dialect

ROUNDS = 2_000


def tools() -> list[dict[str, Any]]:
    parameters = {
        "type": "object",
        "properties": {f"arg_{i}": {"type": "string", "description": "x" * 40} for i in range(8)},
    }
    return [
        {"type": "function", "name": f"tool_{n}", "description": "y" * 60, "parameters": parameters}
        for n in range(8)
    ]


def session_update(dialect: Dialect) -> dict[str, Any]:
    if dialect == "ga":
        session: dict[str, Any] = {
            "type": "realtime",
            "instructions": "Be brief. " * 200,
            "output_modalities": ["audio"],
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "transcription": {"model": "whisper-1", "language": "en"},
                    "turn_detection": {"type": "server_vad", "threshold": 0.5},
                },
                "output": {"voice": "marin", "speed": 1.1},
            },
            "tools": tools(),
            "tool_choice": "auto",
            "max_output_tokens": 4096,
        }
    else:
        session = {
            "instructions": "Be brief. " * 200,
            "modalities": ["text", "audio"],
            "voice": "verse",
            "input_audio_transcription": {"model": "whisper-1"},
            "turn_detection": {"type": "server_vad", "threshold": 0.5},
            "tools": tools(),
            "tool_choice": "auto",
            "temperature": 0.8,
        }
    return {"type": "session.update", "event_id": "evt_1", "session": session}


def item_create(dialect: Dialect) -> dict[str, Any]:
    parts = [{"type": "input_text", "text": "z" * 220} for _ in range(40)]
    item = {"type": "message", "role": "user", "content": parts}
    return {"type": "conversation.item.create", "item": item}


def best_per_check(event: dict[str, Any], dialect: Dialect) -> float:
    assert check_client_event(event, dialect) == [], check_client_event(event, dialect)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(ROUNDS):
            check_client_event(event, dialect)
        best = min(best, (time.perf_counter() - started) / ROUNDS)
    return best


def main() -> None:
    for dialect in ("ga", "beta"):
        for make in (session_update, item_create):
            event = make(dialect)
            size = len(json.dumps(event))
            seconds = best_per_check(event, dialect)
            print(f"{dialect:4} {event['type']:26} {size:6,} bytes: {seconds * 1e6:6.1f} us/check")


if __name__ == "__main__":
    main()
