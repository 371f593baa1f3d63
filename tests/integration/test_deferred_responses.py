"""Every requested response gets its reply (issue 12, #1 and #3b), against the simulator.

A message typed while a reply streams used to send ``response.create`` at once; the server
refused it (``conversation_already_has_active_response``) and the message was never answered.
The client now defers a request while a response of the default conversation is requested or
active, and sends it when that one is done. Real simulator, real websockets, both dialects;
the simulator paces its replies (text, 30 ms a delta after 200 ms) so a reply is still active
50 ms after its ``response.created``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.realtime import RealtimeClient, ResponseState
from console.simulator import SimulatorServer
from tests.integration.test_tool_order import WEATHER_TOOL, positions
from tests.realtime.helpers import Recorder

KEY = "sk-sim-0123456789"
ACTIVE = "conversation_already_has_active_response"


@pytest.fixture
async def paced() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="realtime", require_key=KEY) as server:
        yield server


async def connected(server: SimulatorServer, dialect: str) -> tuple[RealtimeClient, Recorder]:
    client = RealtimeClient(url=server.url, api_key=KEY, dialect=dialect)
    recorder = Recorder(client, "realtime.event", "error")
    await client.connect()
    assert await client.wait_for_session_created(5)
    client.update_session(output_modalities=["text"])
    return client, recorder


def say(client: RealtimeClient, text: str) -> None:
    client.send_user_message_content([{"type": "input_text", "text": text}])


def done_responses(recorder: Recorder) -> list[dict[str, Any]]:
    records = recorder.events["realtime.event"]
    return [records[i]["event"]["response"] for i in positions(records, "server", "response.done")]


def reply_text(client: RealtimeClient, response: dict[str, Any]) -> str:
    """The text of the assistant message a finished response produced."""
    for output in response.get("output") or []:
        item = client.conversation.get_item(output["id"])
        if item is not None and item.get("type") == "message":
            return str(item["formatted"]["text"] or item["formatted"]["transcript"])
    return ""


def refusals(recorder: Recorder) -> list[dict[str, Any]]:
    return [e for e in recorder.events["error"] if e["error"]["code"] == ACTIVE]


@pytest.mark.parametrize("delay", [0.0, 0.03], ids=["at-response.created", "30ms-after"])
@pytest.mark.parametrize("cancel_first", [True, False], ids=["console-cancels", "no-cancel"])
async def test_a_message_sent_during_a_reply_gets_its_own_reply(
    paced: SimulatorServer, dialect: str, delay: float, cancel_first: bool
) -> None:
    client, recorder = await connected(paced, dialect)
    loop = asyncio.get_running_loop()

    def second_message() -> None:
        if cancel_first:  # what the console does: cancel, item, create in the same ms
            client.cancel_response()
        say(client, "second message")
        assert client.response_state.deferred == 1  # the first reply is still active

    def on_created(event: dict[str, Any]) -> None:
        if delay:
            loop.call_later(delay, second_message)
        else:
            second_message()

    client.realtime.on_next("server.response.created", on_created)
    say(client, "first message")
    await recorder.wait_for(lambda: len(done_responses(recorder)) >= 2, what="two replies")
    first, second = done_responses(recorder)
    assert first["status"] == ("cancelled" if cancel_first else "completed")
    assert second["status"] == "completed"
    assert "second message" in reply_text(client, second)
    assert refusals(recorder) == []
    records = recorder.events["realtime.event"]
    creates = positions(records, "client", "response.create")
    assert len(creates) == 2 and creates[1] > positions(records, "server", "response.done")[0]
    assert client.response_state == ResponseState()
    await client.disconnect()


async def test_a_tool_finishing_during_another_response_gets_its_follow_up(
    paced: SimulatorServer, dialect: str
) -> None:
    client, recorder = await connected(paced, dialect)
    release = threading.Event()

    def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        release.wait(5)  # until the second reply is active
        return {"city": arguments.get("city"), "temperature_c": 18}

    client.add_tool(WEATHER_TOOL, get_weather)
    say(client, "get_weather in Paris")
    await recorder.wait_for(lambda: len(done_responses(recorder)) >= 1, what="the tool call")
    client.realtime.on_next("server.response.created", lambda event: release.set())
    say(client, "tell me something else")
    await recorder.wait_for(lambda: len(done_responses(recorder)) >= 3, what="three replies")
    calling, other, follow_up = done_responses(recorder)
    assert calling["output"][0]["type"] == "function_call"
    assert "something else" in reply_text(client, other)
    assert "get_weather tool returned" in reply_text(client, follow_up)
    assert refusals(recorder) == []
    assert client.response_state == ResponseState()
    await client.disconnect()


async def test_cancel_withdraws_deferred_requests(paced: SimulatorServer, dialect: str) -> None:
    client, recorder = await connected(paced, dialect)
    created = Recorder(client.realtime, "server.response.created")
    say(client, "first message")
    await created.count("server.response.created", 1)
    client.create_response()
    client.create_response()
    assert client.response_state.deferred == 2
    client.cancel_response()  # withdraws both; the first reply is cancelled
    assert client.response_state.deferred == 0
    say(client, "newest message")
    assert client.response_state.deferred == 1
    await recorder.wait_for(lambda: len(done_responses(recorder)) >= 2, what="two replies")
    await recorder.wait_for(lambda: client.response_state == ResponseState(), what="idle")
    assert len(positions(recorder.events["realtime.event"], "client", "response.create")) == 2
    assert "newest message" in reply_text(client, done_responses(recorder)[1])
    await client.disconnect()


async def test_out_of_band_requests_are_neither_deferred_nor_blocking(
    paced: SimulatorServer, dialect: str
) -> None:
    client, recorder = await connected(paced, dialect)
    created = Recorder(client.realtime, "server.response.created")
    say(client, "first message")
    await created.count("server.response.created", 1)
    client.create_response({"conversation": "none", "instructions": "Summarise."})
    assert client.response_state.deferred == 0 and client.response_state.requested == 1
    events = await created.count("server.response.created", 2)
    assert events[1]["response"]["conversation_id"] is None
    client.cancel_response()  # the simulator cancels the conversation's response
    await recorder.wait_for(lambda: len(done_responses(recorder)) >= 2, what="both done")
    client.create_response({"conversation": "none"})
    await created.count("server.response.created", 3)
    say(client, "while an out-of-band reply streams")  # not held back by it
    assert client.response_state.deferred == 0
    await recorder.wait_for(lambda: len(done_responses(recorder)) >= 4, what="four replies")
    assert refusals(recorder) == []
    await client.disconnect()
