"""The official openai SDK, through the relay, to the embedded simulator, in both dialects.

A text turn, an audio turn and a tool-call round trip run end to end: an independent client,
the relay in the middle (frames verbatim, the server's key) and the simulator upstream.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from openai import AsyncOpenAI

from console.relay import RelayServer
from console.simulator import SimulatorServer

from .conftest import TIMEOUT

SERVER_KEY = "sk-server"
CLIENT_KEY = "sk-client-not-forwarded"
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@dataclass(frozen=True)
class Dialect:
    """What differs between the GA and beta runs of the same scenario."""

    name: str
    model: str
    text_delta: str
    audio_delta: str
    transcript_delta: str

    def manual_turns(self, **extra: Any) -> dict[str, Any]:
        """A session update with turn detection off (so the test commits audio itself)."""
        if self.name == "ga":
            return {"type": "realtime", "audio": {"input": {"turn_detection": None}}, **extra}
        return {"turn_detection": None, **extra}

    def text_only(self) -> dict[str, Any]:
        if self.name == "ga":
            return {"output_modalities": ["text"]}
        return {"modalities": ["text"]}

    def text_and_audio(self) -> dict[str, Any]:
        if self.name == "ga":
            return {"output_modalities": ["audio"]}
        return {"modalities": ["text", "audio"]}


GA = Dialect(
    "ga",
    "gpt-realtime",
    "response.output_text.delta",
    "response.output_audio.delta",
    "response.output_audio_transcript.delta",
)
BETA = Dialect(
    "beta",
    "gpt-4o-realtime-preview",
    "response.text.delta",
    "response.audio.delta",
    "response.audio_transcript.delta",
)


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=SERVER_KEY) as server:
        yield server


@pytest.fixture
async def sim_relay(simulator: SimulatorServer, no_ambient_key: None) -> AsyncIterator[RelayServer]:
    async with RelayServer(upstream_url=simulator.url, api_key=SERVER_KEY, port=0) as relay:
        yield relay


def connect(relay: RelayServer, dialect: Dialect, api_key: str = CLIENT_KEY) -> Any:
    client = AsyncOpenAI(
        api_key=api_key,
        base_url=f"http://127.0.0.1:{relay.port}/v1",
        websocket_base_url=f"ws://127.0.0.1:{relay.port}/v1",
    )
    realtime = client.realtime if dialect is GA else client.beta.realtime
    return realtime.connect(model=dialect.model)


async def events_until(conn: Any, last_type: str) -> list[Any]:
    """Receive events up to and including ``last_type``; any ``error`` event fails the test."""
    events = []
    while True:
        event = await asyncio.wait_for(conn.recv(), TIMEOUT)
        assert event.type != "error", f"server error: {event.error}"
        events.append(event)
        if event.type == last_type:
            return events


async def open_session(conn: Any, dialect: Dialect, **session: Any) -> None:
    """Wait for session.created, apply the session update, wait for session.updated."""
    created = await events_until(conn, "session.created")
    assert created[-1].session.id.startswith("sess_")
    await conn.session.update(session=dialect.manual_turns(**session))
    await events_until(conn, "session.updated")


async def say(conn: Any, text: str) -> None:
    await conn.conversation.item.create(
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    )


def joined(events: list[Any], delta_type: str) -> str:
    return "".join(e.delta for e in events if e.type == delta_type)


def speech_like_pcm16(seconds: float = 0.6, rate: int = 24000) -> bytes:
    """A voiced, amplitude-modulated tone: clearly not silence, not noise."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    wave = envelope * (np.sin(2 * np.pi * 180 * t) + 0.4 * np.sin(2 * np.pi * 360 * t))
    return (wave / np.abs(wave).max() * 12000).astype("<i2").tobytes()


@pytest.mark.parametrize("dialect", [GA, BETA], ids=lambda d: d.name)
async def test_text_turn_through_the_relay(sim_relay: RelayServer, dialect: Dialect):
    async with connect(sim_relay, dialect) as conn:
        await open_session(conn, dialect, **dialect.text_only())
        await say(conn, "Hello through the relay")
        await conn.response.create()
        events = await events_until(conn, "response.done")
    assert events[-1].response.status == "completed"
    assert "Hello through the relay" in joined(events, dialect.text_delta)


@pytest.mark.parametrize("dialect", [GA, BETA], ids=lambda d: d.name)
async def test_audio_turn_through_the_relay(sim_relay: RelayServer, dialect: Dialect):
    pcm = speech_like_pcm16()
    async with connect(sim_relay, dialect) as conn:
        await open_session(conn, dialect, **dialect.text_and_audio())
        for start in range(0, len(pcm), 4800):  # 100 ms chunks
            chunk = pcm[start : start + 4800]
            await conn.input_audio_buffer.append(audio=base64.b64encode(chunk).decode())
        await conn.input_audio_buffer.commit()
        committed = await events_until(conn, "input_audio_buffer.committed")
        assert committed[-1].item_id
        await conn.response.create()
        events = await events_until(conn, "response.done")
    assert events[-1].response.status == "completed"
    audio = b"".join(base64.b64decode(e.delta) for e in events if e.type == dialect.audio_delta)
    assert len(audio) >= 2 * 2400  # at least 100 ms of 24 kHz PCM16
    assert np.abs(np.frombuffer(audio, "<i2")).max() > 0
    assert joined(events, dialect.transcript_delta).strip()


@pytest.mark.parametrize("dialect", [GA, BETA], ids=lambda d: d.name)
async def test_tool_call_round_trip_through_the_relay(sim_relay: RelayServer, dialect: Dialect):
    async with connect(sim_relay, dialect) as conn:
        await open_session(
            conn, dialect, tools=[WEATHER_TOOL], tool_choice="auto", **dialect.text_only()
        )
        await say(conn, "Please call get_weather for Paris")
        await conn.response.create()
        events = await events_until(conn, "response.done")
        calls = [o for o in events[-1].response.output if o.type == "function_call"]
        assert [c.name for c in calls] == ["get_weather"]
        call = calls[0]

        await conn.conversation.item.create(
            item={
                "type": "function_call_output",
                "call_id": call.call_id,
                "output": '{"temperature_c": 21}',
            }
        )
        await conn.response.create()
        reply = await events_until(conn, "response.done")
    assert reply[-1].response.status == "completed"
    assert not [o for o in reply[-1].response.output if o.type == "function_call"]
    assert '{"temperature_c": 21}' in joined(reply, dialect.text_delta)


@pytest.mark.parametrize("dialect", [GA, BETA], ids=lambda d: d.name)
async def test_the_relays_key_is_what_the_simulator_checks(
    simulator: SimulatorServer, no_ambient_key: None, dialect: Dialect
):
    """The simulator requires "sk-server": a client with any other key gets in via the relay."""
    async with (
        RelayServer(upstream_url=simulator.url, api_key=SERVER_KEY, port=0) as relay,
        connect(relay, dialect, api_key="sk-some-other-key") as conn,
    ):
        await open_session(conn, dialect, **dialect.text_only())
        await say(conn, "key check")
        await conn.response.create()
        events = await events_until(conn, "response.done")
    assert "key check" in joined(events, dialect.text_delta)


async def test_a_relay_with_the_wrong_key_is_refused_by_the_simulator(
    simulator: SimulatorServer, no_ambient_key: None
):
    """Control for the test above: the simulator really does reject other keys."""
    async with (
        RelayServer(upstream_url=simulator.url, api_key="sk-wrong", port=0) as relay,
        connect(relay, GA, api_key=SERVER_KEY) as conn,
    ):
        event = await asyncio.wait_for(conn.recv(), TIMEOUT)
    assert event.type == "error"
    assert event.error.code == "invalid_api_key"
