"""The conversation pane marks the items the model no longer reads (truncation dropped them),
as the inspector estimates from each response's usage.

Against the simulator with a small ``token_limits.post_instructions``, the marks are checked
against what the usage says the model read. A recording of GA-shaped events of three text turns
whose third response's input tokens fall (what a real server's truncation shows, and all it
shows), replayed, marks the first turn's two items and no other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.conversation_context import NOTE
from console.inspector.recording import load_recording
from console.simulator import SimulatorServer
from console.simulator.conversation import count_tokens

from .conftest import connected, console_app, expect, screen_text, server_event


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
        pane.focus()
        pane.select("item_user1")
        await pilot.press("enter")
        await pilot.pause()
        assert "Not in the model's context since resp_3: it read 260 input" in screen_text(app)


TRUNCATION = {
    "type": "retention_ratio",
    "retention_ratio": 0.5,
    "token_limits": {"post_instructions": 200},
}


async def test_against_the_simulator_the_oldest_items_get_the_mark(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 60)) as pilot:
        await connected(app)
        updated = expect(app, server_event("session.updated"))
        app.client.update_session(output_modalities=["text"], truncation=TRUNCATION)
        session = (await updated)["event"]["session"]
        head = count_tokens(session.get("instructions") or "")
        inputs = []
        for n in range(8):
            done = expect(app, server_event("response.done"))
            text = f"turn {n}: " + "lorem ipsum dolor sit " * 4
            app.client.send_user_message_content([{"type": "input_text", "text": text}])
            inputs.append((await done)["event"]["response"]["usage"]["input_tokens"])
        assert min(inputs[3:]) < max(inputs[:4]), inputs  # the simulator truncated
        items = app.client.conversation.get_items()
        dropped = [app.inspector.context.is_dropped(item["id"]) for item in items]
        kept = dropped.index(False)
        assert kept > 0 and not any(dropped[kept:]), dropped  # the oldest, and only those
        # What the model read for the last response: the kept items but its own answer.
        read = sum(count_tokens(item["formatted"]["text"]) for item in items[kept:-1])
        assert read == inputs[-1] - head
        app.render_frame()
        await pilot.pause()
        pane = app.query_one(ConversationPane)
        assert NOTE in (pane.text_of(items[0]["id"]) or "")
        assert NOTE not in (pane.text_of(items[-1]["id"]) or "")
