"""The WebRTC transport against the simulator: ``POST /v1/realtime/calls`` on its one port, its
call answerer (VAD, turns, the paced Opus playout and ``output_audio_buffer``) and its hangup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

TIMEOUT = 15.0


@pytest.fixture
async def routes() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer() as server:
        yield server


def _recorder(client: RealtimeClient) -> Recorder:
    return Recorder(client, "realtime.event", "conversation.item.completed", "error", "close")


def _server_types(recorder: Recorder) -> list[str]:
    events = recorder.events["realtime.event"]
    return [r["event"]["type"] for r in events if r["source"] == "server"]


def _dbfs(audio: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    return 20 * np.log10(max(rms, 1e-9) / 32768)


async def _reply(recorder: Recorder) -> dict:
    items = await recorder.wait_for(
        lambda: [
            r["item"]
            for r in recorder.events["conversation.item.completed"]
            if r["item"]["role"] == "assistant"
        ],
        TIMEOUT,
        "the assistant's item",
    )
    await recorder.wait_for(
        lambda: "output_audio_buffer.stopped" in _server_types(recorder), TIMEOUT, "stopped"
    )
    return items[0]


async def test_a_text_turn_with_its_audio_from_the_simulator(routes: SimulatorServer) -> None:
    client = RealtimeClient(routes.url, None, transport="webrtc")
    recorder = _recorder(client)
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        client.send_user_message_content([{"type": "input_text", "text": "Hello simulator"}])
        item = await _reply(recorder)
        assert item["formatted"]["transcript"]
        audio = client.conversation.get_item(item["id"])["formatted"]["audio"]
        assert len(audio) > 0.2 * 24_000 and _dbfs(audio) > -40
        assert "response.output_audio.delta" not in _server_types(recorder)
        assert not recorder.events["error"]
        call_id = client.realtime.call_id  # type: ignore[attr-defined]
    finally:
        await client.disconnect()
    assert call_id and routes.calls.get(call_id) is None  # hung up
    assert recorder.events["close"][-1]["code"] == 1000


async def test_an_audio_turn_from_the_microphone_track(routes: SimulatorServer) -> None:
    client = RealtimeClient(routes.url, None, transport="webrtc")
    client.update_session(turn_detection={"type": "server_vad"})
    recorder = _recorder(client)
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        t = np.arange(24_000) / 24_000
        tone = (np.sin(2 * np.pi * 440 * t) * 0.316 * 32767).astype(np.int16)
        speech = np.concatenate([tone, np.zeros(19_200, np.int16)])
        for start in range(0, len(speech), 480):
            client.append_input_audio(speech[start : start + 480])
        await recorder.wait_for(
            lambda: "input_audio_buffer.speech_stopped" in _server_types(recorder),
            TIMEOUT,
            "speech_stopped",
        )
        item = await _reply(recorder)
        audio = client.conversation.get_item(item["id"])["formatted"]["audio"]
        assert _dbfs(audio) > -40
        user = [r["item"] for r in recorder.events["conversation.item.completed"]]
        assert user[0]["role"] == "user"
        assert len(user[0]["formatted"]["audio"]) > 0.8 * 24_000  # the speech, kept locally
    finally:
        await client.disconnect()


WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


async def test_track_audio_goes_to_the_response_whose_buffer_plays(
    routes: SimulatorServer,
) -> None:
    """A tool turn: the follow-up's response starts while the preamble still plays (the
    playout is FIFO). Each item's audio is what played between its response's started and
    stopped, not what came after its content part was added."""
    loop = asyncio.get_running_loop()
    client = RealtimeClient(routes.url, None, transport="webrtc")
    client.add_tool(WEATHER_TOOL, lambda args: {"sky": "clear", "celsius": 21})
    recorder = _recorder(client)
    spans: dict[str, list[float]] = {}

    def buffer_event(event: dict) -> None:
        spans.setdefault(event["response_id"], []).append(loop.time())

    client.realtime.on("server.output_audio_buffer.started", buffer_event)
    client.realtime.on("server.output_audio_buffer.stopped", buffer_event)
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        client.send_user_message_content(
            [{"type": "input_text", "text": "What's the weather in Paris?"}]
        )
        await recorder.wait_for(
            lambda: _server_types(recorder).count("output_audio_buffer.stopped") >= 2,
            TIMEOUT * 2,
            "two responses played",
        )
        done = [
            r["event"]["response"]
            for r in recorder.events["realtime.event"]
            if r["source"] == "server" and r["event"]["type"] == "response.done"
        ]
        audio_items = {
            response["id"]: [o["id"] for o in response["output"] if o["type"] == "message"]
            for response in done
        }
        assert len(spans) == 2 and all(len(s) == 2 for s in spans.values())
        for response_id, (started, stopped) in spans.items():
            (item_id,) = audio_items[response_id]
            audio = client.conversation.get_item(item_id)["formatted"]["audio"]
            played = len(audio) / 24_000
            assert abs(played - (stopped - started)) < 0.15, (
                response_id,
                played,
                stopped - started,
            )
    finally:
        await client.disconnect()
