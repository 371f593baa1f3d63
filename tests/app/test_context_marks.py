"""The conversation pane marks the items the model no longer reads (truncation dropped them),
as the inspector estimates from each response's usage.

The recording is GA-shaped events of three text turns whose third response's input tokens
fall (what a real server's truncation shows, and all it shows); replayed, the console marks the
first turn's two items and no other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.conversation_context import NOTE
from console.inspector.recording import load_recording

from .conftest import console_app, screen_text


def turn(
    n: int, input_tokens: int, output_tokens: int, previous: str | None
) -> list[dict[str, Any]]:
    """A user message and its text answer, with the usage chosen."""
    user = {
        "id": f"item_user{n}",
        "object": "realtime.item",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": f"question {n} " + "x" * 390}],
    }
    answer: dict[str, Any] = {
        "id": f"item_answer{n}",
        "object": "realtime.item",
        "type": "message",
        "role": "assistant",
        "status": "in_progress",
        "content": [],
    }
    text = f"answer {n} " + "y" * (output_tokens * 4 - 9)
    done_item = {
        **answer,
        "status": "completed",
        "content": [{"type": "output_text", "text": text}],
    }
    response = {"id": f"resp_{n}", "object": "realtime.response", "conversation_id": "conv_1"}
    usage = {
        "total_tokens": input_tokens + output_tokens,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_token_details": {"text_tokens": input_tokens, "audio_tokens": 0, "cached_tokens": 0},
        "output_token_details": {"text_tokens": output_tokens, "audio_tokens": 0},
    }
    ids = {"response_id": response["id"], "item_id": answer["id"], "output_index": 0}
    return [
        {"type": "conversation.item.added", "previous_item_id": previous, "item": user},
        {"type": "response.created", "response": {**response, "status": "in_progress"}},
        {
            "type": "response.output_item.added",
            "response_id": response["id"],
            "output_index": 0,
            "item": answer,
        },
        {"type": "conversation.item.added", "previous_item_id": user["id"], "item": answer},
        {"type": "response.output_text.delta", **ids, "content_index": 0, "delta": text},
        {
            "type": "response.output_item.done",
            "response_id": response["id"],
            "output_index": 0,
            "item": done_item,
        },
        {"type": "conversation.item.done", "item": done_item},
        {
            "type": "response.done",
            "response": {**response, "status": "completed", "output": [done_item], "usage": usage},
        },
    ]


def recording(path: Path) -> Path:
    session = {"type": "realtime", "id": "sess_1", "model": "gpt-realtime", "instructions": "Hi."}
    events = [{"type": "session.created", "session": session}]
    events += turn(1, 110, 50, None)
    events += turn(2, 260, 50, "item_answer1")
    events += turn(3, 260, 50, "item_answer2")  # 410 predicted: the first turn was dropped
    with path.open("w") as out:
        for n, event in enumerate(events):
            line = {"t": 1767268800.0 + n / 10, "source": "server", "event": event}
            out.write(json.dumps(line) + "\n")
    return path


async def test_the_items_truncation_dropped_are_dimmed_and_marked(tmp_path: Path) -> None:
    path = recording(tmp_path / "truncated.jsonl")
    app = console_app(None, replay=load_recording(path), replay_name=path.name, autoconnect=False)
    async with app.run_test(size=(160, 60)) as pilot:
        app.render_frame()
        await pilot.pause()
        pane = app.query_one(ConversationPane)
        assert pane.item_ids[:2] == ["item_user1", "item_answer1"]
        marked = [i for i in pane.item_ids if NOTE in (pane.text_of(i) or "")]
        assert marked == ["item_user1", "item_answer1"]
        assert (pane.text_of("item_user1") or "").startswith("✂ user")
        assert "not in the model's context" in screen_text(app)
