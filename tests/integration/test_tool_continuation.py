"""Tool calls belong to their connection, never commit the user's audio, and threads are capped.

Issue 12 #3: a handler still running when the connection drops used to send its output and a
``response.create`` into the next session; the automatic follow-up committed half an utterance
during push-to-talk; every call started a thread, and threads abandoned after the timeout were
never capped. Real simulator, real websockets; handlers block on events the tests release.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.integration.test_tool_handlers import tool_outputs
from tests.integration.test_tool_order import WEATHER_TOOL, positions
from tests.realtime.helpers import Recorder

KEY = "sk-sim-0123456789"


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        yield server


async def connect(client: RealtimeClient) -> None:
    await client.connect()
    assert await client.wait_for_session_created(5)
    client.update_session(output_modalities=["text"])


def ask(client: RealtimeClient, text: str = "get_weather in Paris") -> None:
    client.send_user_message_content([{"type": "input_text", "text": text}])


def sent_types(recorder: Recorder) -> list[str]:
    return [
        r["event"]["type"] for r in recorder.events["realtime.event"] if r["source"] == "client"
    ]


async def responses_done(recorder: Recorder, count: int) -> None:
    records = recorder.events["realtime.event"]
    await recorder.wait_for(
        lambda: len(positions(records, "server", "response.done")) >= count,
        what=f"{count} x response.done",
    )


@pytest.mark.parametrize("kind", ["thread", "coroutine"])
async def test_a_handler_running_when_the_connection_drops_sends_nothing_after_it(
    dialect: str, kind: str
) -> None:
    server = SimulatorServer(pace="fast", require_key=KEY)
    await server.start()
    loop = asyncio.get_running_loop()
    entered, cancelled = asyncio.Event(), asyncio.Event()
    release_thread, release_coroutine = threading.Event(), asyncio.Event()

    def blocking(arguments: dict[str, Any]) -> str:
        loop.call_soon_threadsafe(entered.set)
        release_thread.wait(10)
        return "late"

    async def waiting(arguments: dict[str, Any]) -> str:
        entered.set()
        try:
            await release_coroutine.wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "late"

    client = RealtimeClient(url=server.url, api_key=KEY, dialect=dialect, tool_timeout=None)
    client.add_tool(WEATHER_TOOL, blocking if kind == "thread" else waiting)
    errors = Recorder(client, "error", "close")
    try:
        await connect(client)
        ask(client)
        await asyncio.wait_for(entered.wait(), 5)
        await server.stop()  # the connection drops while the handler runs
        await errors.count("close", 1)
        assert client._tool_runner.pending_responses == 0  # the lost session's batch is freed
        if kind == "coroutine":
            await asyncio.wait_for(cancelled.wait(), 5)  # cancelled on the close, not later
        server = SimulatorServer(pace="fast", require_key=KEY, port=server.port)
        await server.start()
        recorder = Recorder(client, "realtime.event")
        await connect(client)
        release_thread.set()
        release_coroutine.set()
        if kind == "thread":
            await errors.wait_for(
                lambda: any(
                    e["error"]["code"] == "tool_output_not_sent" for e in errors.events["error"]
                ),
                what="the late result reported",
            )
            (late,) = [
                e for e in errors.events["error"] if e["error"]["code"] == "tool_output_not_sent"
            ]
            message = late["error"]["message"]
            assert "get_weather" in message and "connection it was called on closed" in message
        assert "conversation.item.create" not in sent_types(recorder)
        assert "response.create" not in sent_types(recorder)
        await client.disconnect()
    finally:
        release_thread.set()
        await server.stop()


async def test_the_tool_follow_up_never_commits_push_to_talk_audio(
    simulator: SimulatorServer, dialect: str
) -> None:
    client = RealtimeClient(url=simulator.url, api_key=KEY, dialect=dialect)
    loop = asyncio.get_running_loop()
    entered, release = asyncio.Event(), threading.Event()

    def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        loop.call_soon_threadsafe(entered.set)
        release.wait(10)
        return {"temperature_c": 18}

    client.add_tool(WEATHER_TOOL, get_weather)
    recorder = Recorder(client, "realtime.event", "error")
    try:
        await connect(client)
        assert client.get_turn_detection_type() is None  # manual turns: push-to-talk
        ask(client)
        await asyncio.wait_for(entered.wait(), 5)
        await responses_done(recorder, 1)
        client.append_input_audio(np.full(4800, 1000, np.int16))  # talking, key still held
        pending = client.input_audio_buffer.pending_samples
        assert pending == 4800
        release.set()
        await responses_done(recorder, 2)  # the follow-up reply
        assert "input_audio_buffer.commit" not in sent_types(recorder)
        assert client.input_audio_buffer.pending_samples == pending
        client.create_response()  # the user releases the key: now the audio is committed
        await responses_done(recorder, 3)
        assert sent_types(recorder).count("input_audio_buffer.commit") == 1
        assert client.input_audio_buffer.pending_samples == 0
        await client.disconnect()
    finally:
        release.set()


THREE_TOOLS = [
    {"name": name, "description": f"Tool {name}", "parameters": {"type": "object"}}
    for name in ("tool_a", "tool_b", "tool_c")
]


async def test_live_handler_threads_are_capped(simulator: SimulatorServer) -> None:
    client = RealtimeClient(url=simulator.url, api_key=KEY, tool_timeout=0.3, max_tool_threads=2)
    release = threading.Event()
    for tool in THREE_TOOLS:
        client.add_tool(tool, lambda arguments: release.wait(10))
    recorder = Recorder(client, "realtime.event", "error")
    try:
        await connect(client)
        ask(client, "call tool_a, tool_b and tool_c")
        await responses_done(recorder, 2)  # the calls, then the follow-up with three outputs
        outputs = tool_outputs(recorder.events["realtime.event"])
        messages = sorted(output["error"] for output in outputs)
        assert len(messages) == 3
        assert sum("timed out after 0.3 s" in m for m in messages) == 2
        (refused,) = [m for m in messages if "not run" in m]
        assert "2 tool handlers are still running" in refused
        assert [e["error"]["code"] for e in recorder.events["error"]].count("tool_error") == 3
        assert client._tool_runner.live_threads == 2  # the timed-out ones, abandoned, still count
        release.set()
        for thread in threading.enumerate():
            if thread.name.startswith("tool tool_"):
                await asyncio.to_thread(thread.join, 5)
        assert client._tool_runner.live_threads == 0
        ask(client, "call tool_a")  # room again: it runs (and returns at once)
        await responses_done(recorder, 4)
        assert tool_outputs(recorder.events["realtime.event"])[-1] is True
        await client.disconnect()
    finally:
        release.set()


def test_the_thread_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_tool_threads"):
        RealtimeClient(max_tool_threads=0)
