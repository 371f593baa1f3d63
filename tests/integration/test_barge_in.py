"""A barge-in through server voice activity detection, as the console lives it.

The server cancels the reply it was generating itself (``interrupt_response``), so the client's
``cancel_response`` in reaction sends no ``response.cancel`` (which would only come back as
``response_cancel_not_active``) but still truncates; and the events a client sends in reaction to
a server event are logged after that event, not before it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer

RATE = 24_000


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * 180 * t) * 9000).astype(np.int16)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_speaking_over_a_reply_being_generated(dialect: str) -> None:
    async with SimulatorServer(pace="realtime", generation_speed=1.0) as server:
        client = RealtimeClient(url=server.url, dialect=dialect)
        log: list[dict[str, Any]] = []
        client.on("realtime.event", lambda payload: log.append(payload["event"]))

        def on_interrupted(payload: dict[str, Any]) -> None:
            # What the console's voice session does: stop playing, cut the item, cancel.
            assistant = [i for i in client.conversation.get_items() if i.get("role") == "assistant"]
            if assistant and len(assistant[-1]["formatted"]["audio"]):
                client.cancel_response(assistant[-1]["id"], 2400)
            else:
                client.cancel_response()

        client.on("conversation.interrupted", on_interrupted)
        await client.connect()
        assert await client.wait_for_session_created(10)
        client.update_session(turn_detection={"type": "server_vad"})
        created = asyncio.ensure_future(
            client.realtime.wait_for_next("server.response.created", 10)
        )
        client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
        assert await created is not None
        audio = asyncio.ensure_future(
            client.realtime.wait_for_next(
                "server.response.audio.delta"
                if dialect == "beta"
                else "server.response.output_audio.delta",
                10,
            )
        )
        assert await audio is not None
        done = asyncio.ensure_future(client.realtime.wait_for_next("server.response.done", 10))
        for chunk in np.array_split(np.concatenate([tone(0.8), np.zeros(RATE, np.int16)]), 20):
            client.append_input_audio(chunk)
        finished = await done
        await client.disconnect()

    assert finished is not None and finished["response"]["status"] == "cancelled"
    types = [event["type"] for event in log]
    errors = [event for event in log if event["type"] == "error"]
    assert not errors, errors  # no response_cancel_not_active: the server cancelled it
    assert "response.cancel" not in types
    started = types.index("input_audio_buffer.speech_started")
    truncate = types.index("conversation.item.truncate")
    assert started < truncate, "the reaction was logged before its cause"
