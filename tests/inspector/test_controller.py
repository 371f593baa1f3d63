"""The connection controller on a real client and the simulator, without Textual.

Connection actions run one after another and each finishes: a disconnect is never cut halfway
by a connect asked for meanwhile, a failed "reconnect with history" keeps the conversation, and
a reset gives back the tools and the inspector's view.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.audio.voice import VoiceSession
from console.inspector.connection import Target
from console.inspector.controller import ConnectionController, Severity
from console.inspector.model import Inspector
from console.inspector.tools import demo_tools
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer


class Told:
    """What the controller told the user (the app shows these as toasts)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, Severity]] = []

    def __call__(self, message: str, severity: Severity) -> None:
        self.messages.append((message, severity))


def make_controller(url: str) -> tuple[ConnectionController, Told]:
    client = RealtimeClient(url=url)
    inspector = Inspector(client, Target(url, label="test"), event_cap=5000)
    told = Told()
    controller = ConnectionController(
        client, inspector, tools=demo_tools(inspector.memory, "http://127.0.0.1:9"), tell=told
    )
    controller.register_tools()
    return controller, told


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast") as simulator:
        yield simulator


async def exchange(client: RealtimeClient, text: str) -> None:
    done = asyncio.ensure_future(client.realtime.wait_for_next("server.response.done", 10))
    client.send_user_message_content([{"type": "input_text", "text": text}])
    assert await done is not None


def texts(client: RealtimeClient) -> list[str]:
    return [
        str(item["formatted"].get("text") or item["formatted"].get("transcript") or "")
        for item in client.conversation.get_items()
        if item.get("type") == "message"
    ]


async def test_a_connect_asked_for_during_a_disconnect_waits_for_it(
    server: SimulatorServer,
) -> None:
    controller, _ = make_controller(server.url)
    client = controller.client
    closes: list[dict[str, Any]] = []
    client.on("close", closes.append)
    for trial in range(20):
        await controller.connect()
        assert client.is_connected()
        client.send_user_message_content([{"type": "input_text", "text": f"trial {trial}"}])
        assert client.response_state.in_flight
        # Both asked for in the same moment, as F2 pressed twice: neither cuts the other.
        disconnecting = asyncio.ensure_future(controller.disconnect())
        connecting = asyncio.ensure_future(controller.connect())
        await asyncio.wait_for(asyncio.gather(disconnecting, connecting), 10)
        assert len(closes) == 1, f"trial {trial}: the disconnect did not complete"
        assert closes[-1]["code"] == 1000
        assert client.is_connected()
        assert controller.inspector.connection.state == "connected"
        await controller.disconnect()
        assert not client.response_state.in_flight  # trackers cleared by the disconnect
        closes.clear()


async def test_a_cancelled_caller_does_not_cut_the_action_short(server: SimulatorServer) -> None:
    controller, _ = make_controller(server.url)
    client = controller.client
    await controller.connect()
    closed = asyncio.ensure_future(client.realtime.wait_for_next("close", 10))
    caller = asyncio.ensure_future(controller.disconnect())
    await asyncio.sleep(0)  # the disconnect has started
    caller.cancel()
    assert await closed is not None
    await asyncio.wait_for(controller.idle(), 10)
    assert not client.is_connected()
    assert controller.inspector.connection.state == "disconnected"


async def test_toggle_twice_disconnects_then_connects(server: SimulatorServer) -> None:
    controller, _ = make_controller(server.url)
    await controller.connect()
    first = asyncio.ensure_future(controller.toggle())
    second = asyncio.ensure_future(controller.toggle())
    await asyncio.wait_for(asyncio.gather(first, second), 10)
    assert controller.client.is_connected()
    assert controller.actions_run == 3
    await controller.disconnect()


async def test_a_failed_reconnect_with_history_keeps_the_conversation() -> None:
    server = SimulatorServer(pace="fast")
    await server.start()
    controller, told = make_controller(server.url)
    client = controller.client
    try:
        await controller.connect()
        await exchange(client, "remember the lighthouse")
        before = texts(client)
        assert "remember the lighthouse" in before
        port = server.port
        await server.stop()
        await controller.connect(with_history=True)  # nothing listens there now
        assert not client.is_connected()
        assert texts(client) == before
        assert told.messages[-1][1] == "error"
        assert "Could not connect" in told.messages[-1][0]

        server = SimulatorServer(pace="fast", port=port)
        await server.start()
        completed: list[str] = []
        all_carried = asyncio.Event()

        def on_completed(payload: dict[str, Any]) -> None:
            completed.append(payload["item"]["id"])
            if len(completed) == len(before):
                all_carried.set()

        client.on("conversation.item.completed", on_completed)
        await controller.connect(with_history=True)
        assert client.is_connected()
        assert "Carried 2 messages" in told.messages[-1][0]
        await asyncio.wait_for(all_carried.wait(), 10)
        assert texts(client) == before  # the carried turns, once each
    finally:
        await controller.disconnect()
        await server.stop()


async def test_reset_registers_the_tools_and_the_inspector_again(
    server: SimulatorServer,
) -> None:
    controller, _ = make_controller(server.url)
    client = controller.client
    await controller.connect()
    await controller.reset()
    assert not client.is_connected()
    assert controller.inspector.connection.state == "disconnected"
    assert set(client.tools) == {"set_memory", "get_weather"}
    await controller.connect()
    seen = controller.inspector.store.total
    await exchange(client, "after the reset")
    assert controller.inspector.store.total > seen  # the inspector listens again
    await controller.disconnect()


async def test_reset_gives_the_voice_session_its_handlers_back(
    server: SimulatorServer, tmp_path: Path
) -> None:
    client = RealtimeClient(url=server.url)
    inspector = Inspector(client, Target(server.url, label="test"))
    voice = VoiceSession(client, None, None, save_dir=tmp_path)  # no devices: --save-audio only
    controller = ConnectionController(client, inspector, voice=voice)
    await controller.connect()
    await controller.reset()
    await controller.connect()
    await exchange(client, "say something after the reset")
    await controller.disconnect()
    assert voice.saved, "no audio saved after the reset: the voice session lost its handlers"
    assert all(path.exists() for path in voice.saved)


async def test_a_transcription_session_keeps_its_configuration_across_a_reset(
    server: SimulatorServer,
) -> None:
    """The console's transcription defaults (model, VAD, logprobs) are set before the first
    connect and again after a reset, which drops the client's configuration."""
    from console.inspector.transcripts import LOGPROBS, TRANSCRIPTION_SESSION

    client = RealtimeClient(url=server.url, intent="transcription")
    inspector = Inspector(client, Target(server.url, label="test"))
    controller = ConnectionController(client, inspector, session=TRANSCRIPTION_SESSION)
    controller.configure()
    for _ in range(2):
        await controller.connect()
        assert await client.wait_for_session_created(5)
        sent = inspector.session.last_request
        assert sent is not None and sent["session"]["include"] == [LOGPROBS]
        transcription = sent["session"]["audio"]["input"]["transcription"]
        assert transcription["model"] == "gpt-4o-transcribe"
        await controller.reset()
