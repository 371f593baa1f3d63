"""Every example of the reference client's README, in Python, run end to end.

    python3 examples/seed_readme.py                 # against the embedded simulator
    python3 examples/seed_readme.py --url URL       # against a relay or another server
    OPENAI_API_KEY=sk-... python3 examples/seed_readme.py --openai

Each block below is one example of the seed README, in order, with the JavaScript's
camelCase methods in snake_case; comments say where Python differs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import numpy as np

from console.realtime import RealtimeClient


async def run(client: RealtimeClient) -> list[str]:
    """The seed README's walk-through; returns what it printed, for the test."""
    printed: list[str] = []

    # Can set parameters ahead of connecting, either separately or all at once
    client.update_session(instructions="You are a great, upbeat friend.")
    client.update_session(voice="alloy")
    client.update_session(
        turn_detection={"type": "none"},  # or "server_vad"; {"type": "none"} means manual
        input_audio_transcription={"model": "whisper-1"},
    )

    # Set up event handling
    def on_conversation_updated(event: dict[str, Any]) -> None:
        item, delta = event["item"], event["delta"]
        items = client.conversation.get_items()
        # item is the current item being updated; delta can be None or populated;
        # you can fetch a full list of items at any time
        if item["type"] == "function_call" and delta and delta.get("arguments"):
            printed.append(f"arguments so far: {item['formatted']['tool']['arguments']}")
        assert item in items or item["id"] not in client.conversation.item_lookup

    client.on("conversation.updated", on_conversation_updated)

    # Connect to Realtime API
    await client.connect()

    # Send an item and trigger a generation
    client.send_user_message_content([{"type": "input_text", "text": "How are you?"}])
    answer = await client.wait_for_next_completed_item(timeout=30)  # the user's item
    answer = await client.wait_for_next_completed_item(timeout=30)  # the assistant's
    assert answer is not None
    printed.append(f"assistant: {answer['item']['formatted']['transcript']}")

    # or (empty audio)
    client.send_user_message_content([{"type": "input_audio", "audio": np.zeros(0, np.int16)}])
    await client.wait_for_next_completed_item(timeout=30)
    await client.wait_for_next_completed_item(timeout=30)

    # Send user audio: numpy int16 (or float32, bytes, base64); PCM16 at 24,000 Hz by default.
    # This populates 1 s of noise in 0.1 s chunks.
    rng = np.random.default_rng()
    for _ in range(10):
        data = rng.integers(-0x8000, 0x8000, 2400).astype(np.int16)
        client.append_input_audio(data)
    # Pending audio is committed and the model is asked to generate
    client.create_response()
    await client.wait_for_next_completed_item(timeout=30)
    await client.wait_for_next_completed_item(timeout=30)

    # We can add tools as well, with callbacks specified
    async def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        lat, lng, location = arguments["lat"], arguments["lng"], arguments["location"]
        # The seed fetches api.open-meteo.com here; this example stays offline.
        return {
            "latitude": lat,
            "longitude": lng,
            "location": location,
            "current": {"temperature_2m": 18.5, "wind_speed_10m": 9.7},
        }

    weather_tool = {
        "name": "get_weather",
        "description": "Retrieves the weather for a given lat, lng coordinate pair. "
        "Specify a label for the location.",
        "parameters": {
            "type": "object",
            "properties": {
                "lat": {"type": "number", "description": "Latitude"},
                "lng": {"type": "number", "description": "Longitude"},
                "location": {"type": "string", "description": "Name of the location"},
            },
            "required": ["lat", "lng", "location"],
        },
    }
    client.add_tool(weather_tool, get_weather)
    client.send_user_message_content(
        [{"type": "input_text", "text": "Use get_weather for lat 37.77 lng -122.42 San Francisco"}]
    )
    for _ in range(4):  # user, function call, its output, and the answer that uses it
        completed = await client.wait_for_next_completed_item(timeout=30)
        assert completed is not None
    printed.append(f"after tool: {completed['item']['formatted']['transcript']}")

    # Tools for schema only (no automatic handler): pass them to update_session instead.
    client.remove_tool("get_weather")
    client.update_session(tools=[{"type": "function", **weather_tool}])

    def on_completed(event: dict[str, Any]) -> None:
        item = event["item"]
        if item["type"] == "function_call":
            # your function call is complete, execute some custom code
            printed.append(f"function call completed: {item['formatted']['tool']['name']}")

    client.on("conversation.item.completed", on_completed)
    client.send_user_message_content(
        [{"type": "input_text", "text": "get_weather for lat 40.7 lng -74.0 New York please"}]
    )
    call = await client.wait_for_next_completed_item(timeout=30)  # the user's item
    call = await client.wait_for_next_completed_item(timeout=30)  # the function call
    assert call is not None and call["item"]["type"] == "function_call"

    # Manually send a function call output, then ask for a response
    client.realtime.send(
        "conversation.item.create",
        {
            "item": {
                "type": "function_call_output",
                "call_id": call["item"]["call_id"],
                "output": '{"function_succeeded": true}',
            }
        },
    )
    client.realtime.send("response.create")
    await client.wait_for_next_completed_item(timeout=30)
    speaking = await client.wait_for_next_item(timeout=30)
    assert speaking is not None

    # Interrupt: id of the item being generated, samples the listener has heard
    with contextlib.suppress(ValueError):  # a text-only answer has no audio to cut
        client.cancel_response(speaking["item"]["id"], 24000)

    # errors like connection failures
    client.on("error", lambda event: printed.append(f"error: {event['error']['message']}"))
    # in VAD mode, the user starts speaking: stop playback of a previous response if necessary
    client.on("conversation.interrupted", lambda: None)
    # only triggered after item added to conversation
    client.on("conversation.item.appended", lambda event: None)
    # all events, can use for logging, debugging, or manual event handling
    client.on("realtime.event", lambda event: None)

    await client.disconnect()
    return printed


@contextlib.asynccontextmanager
async def target(args: argparse.Namespace) -> AsyncIterator[RealtimeClient]:
    """A client for OpenAI, a given URL, or an embedded simulator started here."""
    if args.openai:
        yield RealtimeClient(api_key=os.environ["OPENAI_API_KEY"])
    elif args.url:
        yield RealtimeClient(url=args.url)
    else:
        from console.simulator import SimulatorServer

        async with SimulatorServer(pace="fast") as server:
            yield RealtimeClient(url=server.url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a relay or Realtime server URL")
    parser.add_argument("--openai", action="store_true", help="use OpenAI (OPENAI_API_KEY)")
    args = parser.parse_args()
    async with target(args) as client:
        for line in await run(client):
            print(line)


if __name__ == "__main__":
    asyncio.run(main())
