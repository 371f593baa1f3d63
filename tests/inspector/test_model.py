"""The inspector on a real client and the simulator: what the console's panes read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from console.inspector.connection import Target, explain_close, explain_connect_failure
from console.inspector.model import Inspector
from console.inspector.recording import load_recording
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer


@pytest.fixture
async def inspector() -> AsyncIterator[Inspector]:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        model = Inspector(client, Target(server.url, label="test"), event_cap=1000)
        await client.connect()
        assert await client.wait_for_session_created(10)
        yield model
        await client.disconnect()


async def exchange(inspector: Inspector, text: str) -> None:
    client = inspector.client
    client.send_user_message_content([{"type": "input_text", "text": text}])
    assert await client.wait_for_next_completed_item(timeout=10)
    assert await client.wait_for_next_completed_item(timeout=10)
    await client.realtime.wait_for_next("server.response.done", 10)


async def test_events_items_figures_and_levels_from_one_exchange(inspector: Inspector) -> None:
    await exchange(inspector, "Hello inspector")
    store = inspector.store
    assert store.total == len(store.records) and store.dropped == 0
    assert {"session.created", "response.done"} <= {r.type for r in store.records}
    reset, changed = inspector.take_item_changes()
    items = inspector.client.conversation.get_items()
    assert not reset and {item["id"] for item in items} <= changed
    assert inspector.take_item_changes() == (False, set())
    answer = items[-1]
    figures = inspector.figures_for(answer["id"])
    assert "first audio" in figures and " in / " in figures and "$" in figures
    assert inspector.output_levels.levels().peak_dbfs > -60  # the reply's audio was metered
    assert inspector.connection.session_id.startswith("sess_")


async def test_appended_input_audio_is_metered(inspector: Inspector) -> None:
    tone = (np.sin(np.arange(4800) * 2 * np.pi * 440 / 24000) * 16000).astype(np.int16)
    inspector.client.append_input_audio(tone)
    levels = inspector.input_levels.levels()
    assert -12 < levels.peak_dbfs < -3


async def test_server_errors_become_the_last_error(inspector: Inspector) -> None:
    errors = inspector.errors
    inspector.client.realtime.send("conversation.item.delete", {"item_id": "item_missing"})
    await inspector.client.realtime.wait_for_next("server.error", 10)
    assert inspector.errors == errors + 1
    assert "item_missing" in inspector.last_error or "invalid" in inspector.last_error


async def test_a_truncation_is_remembered_for_its_item() -> None:
    async with SimulatorServer(pace="realtime") as server:
        client = RealtimeClient(url=server.url)
        model = Inspector(client, Target(server.url))
        await client.connect()
        client.send_user_message_content([{"type": "input_text", "text": "A long answer please"}])
        await client.realtime.wait_for_next("server.response.output_audio.delta", 10)
        assistant = client.conversation.get_items()[-1]
        truncated = asyncio.ensure_future(
            client.realtime.wait_for_next("server.conversation.item.truncated", 10)
        )
        client.cancel_response(assistant["id"], 2400)
        assert await truncated
        assert model.truncations[assistant["id"]] == 100
        _, changed = model.take_item_changes()
        assert assistant["id"] in changed
        await client.disconnect()


async def test_the_server_closing_is_told_in_plain_words() -> None:
    async with SimulatorServer(pace="fast", session_expiry_s=0.2) as server:
        client = RealtimeClient(url=server.url)
        model = Inspector(client, Target(server.url))
        await client.connect()
        await client.realtime.wait_for_next("close", 10)
        assert model.connection.state == "disconnected"
        assert model.connection.detail.startswith("closed (1001)")


def test_failures_in_plain_words_never_show_the_key() -> None:
    target = Target("ws://127.0.0.1:8081/v1/realtime?token=x", "relay-secret-token-1", "ga")
    refused = ConnectionError(
        'Could not connect to "ws://127.0.0.1:8081/v1/realtime": [Errno 111] Connection refused'
    )
    assert "nothing is listening" in explain_connect_failure(refused, target)
    denied = ConnectionError("server rejected WebSocket connection: HTTP 401 relay-secret-token-1")
    text = explain_connect_failure(denied, target)
    assert "relay-secret-token-1" not in text and "refused the key" in text
    keyless = Target("ws://127.0.0.1:8081/v1/realtime")
    assert "--token" in explain_connect_failure(denied, keyless)
    assert "relay-secret-token-1" not in repr(target) and "token=x" not in repr(target)
    assert target.endpoint == "ws://127.0.0.1:8081/v1/realtime"
    assert "beta" in explain_close(4000, "") and "expired" in explain_close(1001, "")
    refused = {"code": "invalid_api_key", "message": "A sideband connection needs the API key."}
    text = explain_close(3000, "invalid_request_error", call_id="rtc_1", error=refused)
    assert text == (
        "closed (3000) — the server refused to attach to the call rtc_1 (invalid_api_key): "
        "A sideband connection needs the API key."
    )
    assert "wrong key" in explain_close(3000, "", error=refused)  # not attached: as before


def test_a_replayed_log_without_times_has_no_latencies(tmp_path: Path) -> None:
    """A bare log's events get the replay clock's times for ordering; turns must not read
    latencies off them."""
    lines = [
        {"type": "session.created", "session": {"id": "sess_1", "model": "gpt-realtime"}},
        {"type": "response.created", "response": {"id": "resp_1"}},
        {"type": "response.output_text.delta", "response_id": "resp_1", "delta": "hi"},
        {"type": "response.done", "response": {"id": "resp_1", "status": "completed"}},
    ]
    path = tmp_path / "bare.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
    inspector = Inspector(
        client, Target(None, label="replay"), clock=iter(range(100, 200)).__next__
    )
    inspector.replay(load_recording(path))
    (turn,) = inspector.turns.all()
    assert turn.status == "completed"
    assert (turn.created_ms, turn.first_text_ms, turn.done_ms) == (None, None, None)
