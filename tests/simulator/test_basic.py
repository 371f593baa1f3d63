"""Handshake, session.created and a text turn, in both dialects."""

from __future__ import annotations

import pytest

from console.simulator import SimulatorServer

from .helpers import Client


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_session_created_and_text_turn(server: SimulatorServer, dialect: str) -> None:
    client = await Client.connect(server.url, dialect)
    created = await client.recv()
    assert created["type"] == "session.created"
    session = created["session"]
    assert session["id"].startswith("sess_")
    assert created["event_id"].startswith("event_") and len(created["event_id"]) == 27
    if dialect == "ga":
        assert session["type"] == "realtime"
        assert session["output_modalities"] == ["audio"]
        assert session["audio"]["input"]["turn_detection"]["type"] == "server_vad"
        assert "modalities" not in session
    else:
        assert session["modalities"] == ["text", "audio"]
        assert session["turn_detection"]["silence_duration_ms"] == 200
        assert "audio" not in session
    update = {"type": "realtime", "output_modalities": ["text"]}
    if dialect == "beta":
        update = {"modalities": ["text"]}
    await client.send("session.update", session=update)
    await client.recv_until("session.updated")
    await client.send(
        "conversation.item.create",
        item={
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "ping 42"}],
        },
    )
    await client.send("response.create")
    events = await client.collect_until("response.done")
    kinds = [e["type"] for e in events]
    delta = "response.output_text.delta" if dialect == "ga" else "response.text.delta"
    assert delta in kinds
    done = events[-1]["response"]
    assert done["status"] == "completed"
    text = done["output"][0]["content"][0]["text"]
    assert text == "You said: ping 42"
    assert done["usage"]["total_tokens"] > 0
    await client.close()


async def test_url_and_port() -> None:
    async with SimulatorServer(pace="fast") as srv:
        assert srv.port > 0
        assert srv.url == f"ws://127.0.0.1:{srv.port}/v1/realtime"
