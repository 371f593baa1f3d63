"""A tool call's follow-up waits for its own ``response.done``, whatever the server's event order.

GA servers send ``response.output_item.done`` and ``conversation.item.done`` for the same call;
the simulator's ``item_done_first`` swaps them. Either way the follow-up ``response.create`` must
go out after the calling response's ``response.done`` and the server must never answer
``conversation_already_has_active_response``. Real simulator, real websocket, both handler kinds.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

KEY = "sk-sim-0123456789"
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
ORDERS = [("ga", False), ("ga", True), ("beta", False)]


@pytest.fixture(params=ORDERS, ids=["ga-output_item_first", "ga-item_done_first", "beta"])
def order(request: pytest.FixtureRequest) -> tuple[str, bool]:
    dialect, item_done_first = request.param
    return str(dialect), bool(item_done_first)


@pytest.fixture
async def simulator(order: tuple[str, bool]) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY, item_done_first=order[1]) as server:
        yield server


def sync_weather(arguments: dict[str, Any]) -> dict[str, Any]:
    return {"city": arguments["city"], "temperature_c": 18}


async def async_weather(arguments: dict[str, Any]) -> dict[str, Any]:
    return {"city": arguments["city"], "temperature_c": 18}


def positions(records: list[dict[str, Any]], source: str, event_type: str) -> list[int]:
    """Indexes of the ``realtime.event`` records of one source and type."""
    return [
        i
        for i, r in enumerate(records)
        if r["source"] == source and r["event"]["type"] == event_type
    ]


@pytest.mark.parametrize("handler", [sync_weather, async_weather], ids=["sync", "async"])
async def test_follow_up_waits_for_the_calling_response(
    simulator: SimulatorServer, order: tuple[str, bool], handler: Any
) -> None:
    dialect, item_done_first = order
    client = RealtimeClient(url=simulator.url, api_key=KEY, dialect=dialect)
    client.add_tool(WEATHER_TOOL, handler)
    recorder = Recorder(client, "realtime.event", "error")
    await client.connect()
    assert await client.wait_for_session_created(5)
    client.update_session(output_modalities=["text"])
    client.send_user_message_content([{"type": "input_text", "text": "get_weather in Paris"}])
    records = recorder.events["realtime.event"]
    await recorder.wait_for(
        lambda: len(positions(records, "server", "response.done")) >= 2,
        what="the response after the tool",
    )

    done_events = [records[i]["event"] for i in positions(records, "server", "response.done")]
    calling = done_events[0]["response"]
    assert [o["type"] for o in calling["output"]] == ["function_call"]
    call = calling["output"][0]
    if dialect == "ga":  # the simulator sent the order this case is about
        item_done = [
            i
            for i in positions(records, "server", "conversation.item.done")
            if records[i]["event"]["item"]["id"] == call["id"]
        ]
        output_done = positions(records, "server", "response.output_item.done")[0]
        assert (item_done[0] < output_done) == item_done_first

    creates = positions(records, "client", "response.create")
    assert len(creates) == 2  # the user's, then exactly one follow-up
    first_done = positions(records, "server", "response.done")[0]
    assert creates[1] > first_done, "follow-up sent before the calling response was done"
    outputs = [
        records[i]["event"]["item"]
        for i in positions(records, "client", "conversation.item.create")
        if records[i]["event"]["item"]["type"] == "function_call_output"
    ]
    assert [(o["call_id"], json.loads(o["output"])) for o in outputs] == [
        (call["call_id"], {"city": "Paris", "temperature_c": 18})
    ]
    assert recorder.events["error"] == []
    server_errors = [records[i]["event"] for i in positions(records, "server", "error")]
    assert server_errors == []
    assert done_events[1]["response"]["status"] == "completed"
    await client.disconnect()
