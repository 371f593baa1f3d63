"""The library's reference scenarios against the embedded simulator, in both dialects.

Two independent implementations of the protocol (the client and the simulator never import
each other) meet here over real websockets on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import numpy as np
import pytest

from console.realtime import RealtimeAPI, RealtimeClient
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder
from tests.realtime.test_reference_scenarios import run_text_turn

KEY = "sk-sim-0123456789"


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        yield server


async def test_bad_key_gets_the_real_error(simulator: SimulatorServer, dialect: str) -> None:
    api = RealtimeAPI(url=simulator.url, api_key="sk-wrong", dialect=dialect)
    await api.connect()
    error = await api.wait_for_next("server.error", timeout=5)
    assert error is not None and "Incorrect API key provided" in error["error"]["message"]
    assert "sk-wrong" not in json.dumps(error)
    await api.disconnect()


async def test_text_turn(simulator: SimulatorServer, dialect: str) -> None:
    client = RealtimeClient(url=simulator.url, api_key=KEY, dialect=dialect)
    client.update_session(instructions="You are a great, upbeat friend.", voice="alloy")
    await run_text_turn(client, "how are you")


async def test_no_error_events_in_a_mixed_session(simulator: SimulatorServer, dialect: str) -> None:
    """Text, manual audio and a tool round trip: the client must understand every event."""
    client = RealtimeClient(url=simulator.url, api_key=KEY, dialect=dialect)
    weather_calls: list[dict] = []

    def get_weather(arguments: dict) -> dict:
        weather_calls.append(arguments)
        return {"temperature_c": 18}

    client.add_tool(
        {
            "name": "get_weather",
            "description": "Retrieves the weather for a given lat, lng coordinate pair.",
            "parameters": {
                "type": "object",
                "properties": {
                    "lat": {"type": "number"},
                    "lng": {"type": "number"},
                    "location": {"type": "string"},
                },
                "required": ["lat", "lng", "location"],
            },
        },
        get_weather,
    )
    recorder = Recorder(client, "error", "conversation.item.completed")
    await client.connect()
    assert await client.wait_for_session_created(5)

    client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
    await recorder.count("conversation.item.completed", 2)

    t = np.arange(24000) / 24000
    speech = (np.sin(2 * np.pi * 180 * t) * 9000 * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.int16)
    for chunk in np.array_split(speech, 50):
        client.append_input_audio(chunk)
    client.create_response()
    completed = list(await recorder.count("conversation.item.completed", 4))
    user_audio = completed[2]["item"]
    assert user_audio["role"] == "user" and np.array_equal(user_audio["formatted"]["audio"], speech)

    client.send_user_message_content(
        [{"type": "input_text", "text": "Please call get_weather for lat 48.8 lng 2.3 in Paris"}]
    )
    await recorder.wait_for(lambda: weather_calls, what="the tool call")
    final = await recorder.wait_for(
        lambda: [
            e["item"]
            for e in recorder.events["conversation.item.completed"]
            if e["item"].get("role") == "assistant"
            and e["item"]["id"] not in {c["item"]["id"] for c in completed}
        ],
        what="the answer after the tool",
    )
    assert weather_calls[0]["location"]
    reply = final[-1]["formatted"]["transcript"] or final[-1]["formatted"]["text"]
    assert "18" in reply, reply
    assert recorder.events["error"] == []
    await client.disconnect()
