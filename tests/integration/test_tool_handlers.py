"""Tool handlers never block the loop: sync ones run in a thread, and every one has a deadline.

Against the real simulator over a real websocket. Handlers block on ``threading.Event``s the
tests release (with a bound, so a regression fails instead of hanging the run).
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.integration.test_tool_order import WEATHER_TOOL, positions
from tests.realtime.helpers import Recorder

KEY = "sk-sim-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        yield server


async def connected(simulator: SimulatorServer, **options: Any) -> RealtimeClient:
    client = RealtimeClient(url=simulator.url, api_key=KEY, **options)
    await client.connect()
    assert await client.wait_for_session_created(5)
    client.update_session(output_modalities=["text"])
    return client


def tool_outputs(records: list[dict[str, Any]]) -> list[Any]:
    return [
        json.loads(records[i]["event"]["item"]["output"])
        for i in positions(records, "client", "conversation.item.create")
        if records[i]["event"]["item"]["type"] == "function_call_output"
    ]


def ask_for_weather(client: RealtimeClient) -> None:
    client.send_user_message_content([{"type": "input_text", "text": "get_weather in Paris"}])


async def responses_done(recorder: Recorder, count: int) -> None:
    records = recorder.events["realtime.event"]
    await recorder.wait_for(
        lambda: len(positions(records, "server", "response.done")) >= count,
        what=f"{count} x response.done",
    )


async def test_sync_handler_runs_in_a_thread_while_the_loop_goes_on(
    simulator: SimulatorServer,
) -> None:
    client = await connected(simulator)
    loop = asyncio.get_running_loop()
    entered = asyncio.Event()
    release = threading.Event()
    threads: list[int] = []

    def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        threads.append(threading.get_ident())
        loop.call_soon_threadsafe(entered.set)
        return {"released": release.wait(5)}

    client.add_tool(WEATHER_TOOL, get_weather)
    recorder = Recorder(client, "realtime.event", "error")
    updated = Recorder(client.realtime, "server.session.updated")
    ask_for_weather(client)
    await asyncio.wait_for(entered.wait(), 5)
    # The handler is blocked: a full round trip with the server proves the loop is not.
    before = len(updated.events["server.session.updated"])
    client.update_session(instructions="still responsive")
    await updated.count("server.session.updated", before + 1)
    assert tool_outputs(recorder.events["realtime.event"]) == []
    release.set()
    await responses_done(recorder, 2)
    assert threads and threads[0] != threading.get_ident()
    assert tool_outputs(recorder.events["realtime.event"]) == [{"released": True}]
    assert recorder.events["error"] == []
    await client.disconnect()


async def test_slow_sync_handler_times_out_into_a_tool_error(simulator: SimulatorServer) -> None:
    client = await connected(simulator, tool_timeout=0.2)
    release = threading.Event()
    client.add_tool(WEATHER_TOOL, lambda arguments: release.wait(30))
    recorder = Recorder(client, "realtime.event", "error")
    try:
        ask_for_weather(client)
        await responses_done(recorder, 2)  # the conversation went on with the error output
        message = 'tool "get_weather" timed out after 0.2 s'
        records = recorder.events["realtime.event"]
        assert tool_outputs(records) == [{"error": message}]
        errors = recorder.events["error"]
        assert [(e["error"]["code"], e["error"]["message"]) for e in errors] == [
            ("tool_error", message)
        ]
        creates = positions(records, "client", "response.create")
        assert len(creates) == 2 and creates[1] > positions(records, "server", "response.done")[0]
        assert positions(records, "server", "error") == []
        # The thread is still stuck; disconnecting does not wait for it.
        assert not release.is_set()
        await asyncio.wait_for(client.disconnect(), 2)
    finally:
        release.set()


async def test_slow_async_handler_times_out_and_is_cancelled(simulator: SimulatorServer) -> None:
    client = await connected(simulator, tool_timeout=0.2)
    cancelled: list[bool] = []

    async def get_weather(arguments: dict[str, Any]) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    client.add_tool(WEATHER_TOOL, get_weather)
    recorder = Recorder(client, "realtime.event", "error")
    ask_for_weather(client)
    await responses_done(recorder, 2)
    message = 'tool "get_weather" timed out after 0.2 s'
    assert tool_outputs(recorder.events["realtime.event"]) == [{"error": message}]
    assert [e["error"]["code"] for e in recorder.events["error"]] == ["tool_error"]
    assert cancelled == [True]
    await client.disconnect()


async def test_a_handler_raising_timeout_error_is_a_failure_not_a_timeout(
    simulator: SimulatorServer,
) -> None:
    client = await connected(simulator, tool_timeout=5)

    def get_weather(arguments: dict[str, Any]) -> None:
        raise TimeoutError("upstream weather API timed out")

    client.add_tool(WEATHER_TOOL, get_weather)
    recorder = Recorder(client, "realtime.event", "error")
    ask_for_weather(client)
    await responses_done(recorder, 2)
    outputs = tool_outputs(recorder.events["realtime.event"])
    assert outputs == [{"error": "upstream weather API timed out"}]
    await client.disconnect()


async def test_stuck_handler_does_not_hold_up_disconnect(simulator: SimulatorServer) -> None:
    client = await connected(simulator)  # default timeout: 30 s
    loop = asyncio.get_running_loop()
    entered = asyncio.Event()
    release = threading.Event()

    def get_weather(arguments: dict[str, Any]) -> str:
        loop.call_soon_threadsafe(entered.set)
        release.wait(30)
        return "late"

    client.add_tool(WEATHER_TOOL, get_weather)
    recorder = Recorder(client, "realtime.event", "error")
    try:
        ask_for_weather(client)
        await asyncio.wait_for(entered.wait(), 5)
        await asyncio.wait_for(client.disconnect(), 2)
        assert not client.is_connected()
    finally:
        release.set()
    assert tool_outputs(recorder.events["realtime.event"]) == []
    assert recorder.events["error"] == []


STUCK_SCRIPT = """
import asyncio, sys, threading
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.integration.test_tool_order import WEATHER_TOOL

async def main():
    async with SimulatorServer() as server:
        client = RealtimeClient(url=server.url, api_key="sk-x", tool_timeout=None)
        loop = asyncio.get_running_loop()
        entered = asyncio.Event()

        def stuck(arguments):
            loop.call_soon_threadsafe(entered.set)
            threading.Event().wait()  # forever

        client.add_tool(WEATHER_TOOL, stuck)
        await client.connect()
        client.send_user_message_content([{"type": "input_text", "text": "get_weather"}])
        await asyncio.wait_for(entered.wait(), 10)
        await client.disconnect()
    print("main returned", flush=True)

asyncio.run(main())
print("asyncio.run returned", flush=True)
"""


async def test_a_forever_stuck_handler_does_not_keep_the_process_alive() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        STUCK_SCRIPT,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the process hung on a stuck tool thread") from None
    assert process.returncode == 0, stderr.decode()
    assert stdout.decode().split("\n")[:2] == ["main returned", "asyncio.run returned"]
