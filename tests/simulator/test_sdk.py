"""The official openai SDK as an independent client: text, audio and tool turns, both dialects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from openai import AsyncOpenAI

from console.simulator import SimulatorServer

from .helpers import pcm_b64, tone
from .test_schema import WEATHER

TIMEOUT = 5.0


def sdk_client(server: SimulatorServer) -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key="sk-test",
        base_url=f"http://127.0.0.1:{server.port}/v1",
        websocket_base_url=f"ws://127.0.0.1:{server.port}/v1",
    )


async def recv_type(conn: Any, event_type: str) -> Any:
    """Receive parsed events until one of ``event_type``; fail on error events."""

    async def loop() -> Any:
        while True:
            event = await conn.recv()
            assert event.type != "error", event
            if event.type == event_type:
                return event

    return await asyncio.wait_for(loop(), TIMEOUT)


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def three_turns(conn: Any, dialect: str) -> None:
    created = await recv_type(conn, "session.created")
    assert created.session.id.startswith("sess_")
    if dialect == "ga":
        await conn.session.update(
            session={
                "type": "realtime",
                "output_modalities": ["text"],
                "audio": {"input": {"turn_detection": None}},
                "tools": [WEATHER],
            }
        )
    else:
        await conn.session.update(
            session={"modalities": ["text"], "turn_detection": None, "tools": [WEATHER]}
        )
    updated = await recv_type(conn, "session.updated")
    assert updated.session.tools[0].name == "get_weather"

    # Text turn.
    await conn.conversation.item.create(item=user_text("hello from the SDK"))
    await conn.response.create()
    done = await recv_type(conn, "response.done")
    assert done.response.status == "completed"
    assert done.response.output[0].content[0].text == "You said: hello from the SDK"

    # Audio turn: append + commit + response with audio output.
    await conn.input_audio_buffer.append(audio=pcm_b64(tone(0.6)))
    await conn.input_audio_buffer.commit()
    committed = await recv_type(conn, "input_audio_buffer.committed")
    if dialect == "ga":
        await conn.response.create(response={"output_modalities": ["audio"]})
        delta_type = "response.output_audio.delta"
    else:
        await conn.response.create(response={"modalities": ["text", "audio"]})
        delta_type = "response.audio.delta"
    delta = await recv_type(conn, delta_type)
    assert len(delta.delta) > 100
    done = await recv_type(conn, "response.done")
    assert "[speech 0.6 s]" in done.response.output[0].content[0].transcript
    assert committed.item_id.startswith("item_")

    # Tool call round trip.
    await conn.conversation.item.create(item=user_text("use get_weather for Oslo, 2 days"))
    await conn.response.create()
    args_done = await recv_type(conn, "response.function_call_arguments.done")
    arguments = json.loads(args_done.arguments)
    assert arguments["city"] == "Oslo" and arguments["days"] == 2
    await recv_type(conn, "response.done")
    await conn.conversation.item.create(
        item={"type": "function_call_output", "call_id": args_done.call_id, "output": "sunny"}
    )
    await conn.response.create()
    done = await recv_type(conn, "response.done")
    assert done.response.output[0].content[0].text == "The get_weather tool returned: sunny"


async def test_sdk_ga(server: SimulatorServer) -> None:
    client = sdk_client(server)
    async with client.realtime.connect(model="gpt-realtime") as conn:
        await three_turns(conn, "ga")


async def test_sdk_beta(server: SimulatorServer) -> None:
    client = sdk_client(server)
    async with client.beta.realtime.connect(model="gpt-4o-realtime-preview") as conn:
        await three_turns(conn, "beta")


@pytest.mark.parametrize("path", ["/v1", ""])
async def test_sdk_paths(server: SimulatorServer, path: str) -> None:
    """``/v1/realtime`` and ``/realtime`` (root-relative) differ: only the former exists."""
    client = AsyncOpenAI(
        api_key="sk-test",
        base_url=f"http://127.0.0.1:{server.port}{path}",
        websocket_base_url=f"ws://127.0.0.1:{server.port}{path}",
    )
    if path == "/v1":
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await recv_type(conn, "session.created")
    else:
        with pytest.raises(Exception, match="404"):
            async with client.realtime.connect(model="gpt-realtime") as conn:
                await recv_type(conn, "session.created")
