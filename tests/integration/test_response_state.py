"""``RealtimeClient.response_state``: is a response requested or active, and which one.

Snapshots are taken inside handlers registered after the client's own (registration order is
execution order), i.e. exactly when an app polling the client could see them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.realtime import RealtimeClient, ResponseState
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

KEY = "sk-sim-0123456789"


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        yield server


@pytest.fixture
async def paced() -> AsyncIterator[SimulatorServer]:
    """Audio paced at playback speed: a response stays active for about a second or more."""
    async with SimulatorServer(pace="realtime", require_key=KEY) as server:
        yield server


async def connected(server: SimulatorServer, dialect: str = "ga") -> RealtimeClient:
    client = RealtimeClient(url=server.url, api_key=KEY, dialect=dialect)
    await client.connect()
    assert await client.wait_for_session_created(5)
    return client


def snapshots(client: RealtimeClient, *event_types: str) -> dict[str, list[ResponseState]]:
    """``client.response_state`` as seen right after each server event of these types."""
    seen: dict[str, list[ResponseState]] = {t: [] for t in event_types}
    for event_type in event_types:

        def take(event: Any, event_type: str = event_type) -> None:
            seen[event_type].append(client.response_state)

        client.realtime.on(f"server.{event_type}", take)
    return seen


def test_response_state_summaries() -> None:
    idle = ResponseState()
    assert (idle.requested, idle.active_ids, idle.in_flight, idle.active_id) == (0, (), False, None)
    assert ResponseState(requested=1).in_flight and ResponseState(requested=1).active_id is None
    both = ResponseState(0, ("resp_old", "resp_new"))
    assert both.in_flight and both.active_id == "resp_new"
    with pytest.raises(dataclasses.FrozenInstanceError):
        both.requested = 3  # type: ignore[misc]
    assert RealtimeClient().response_state == idle


async def test_state_follows_one_response(simulator: SimulatorServer, dialect: str) -> None:
    client = await connected(simulator, dialect)
    assert client.response_state == ResponseState()
    seen = snapshots(client, "response.created", "response.output_item.added", "response.done")
    done = Recorder(client.realtime, "server.response.done")
    client.send_user_message_content([{"type": "input_text", "text": "hello"}])
    assert client.response_state == ResponseState(requested=1)
    assert client.response_state.in_flight and client.response_state.active_id is None
    event = (await done.count("server.response.done", 1))[0]
    response_id = event["response"]["id"]
    assert seen["response.created"] == [ResponseState(0, (response_id,))]
    assert seen["response.output_item.added"][0].active_id == response_id
    assert seen["response.done"] == [ResponseState()]
    assert client.response_state == ResponseState()
    await client.disconnect()


async def test_a_rejected_request_stops_counting(paced: SimulatorServer) -> None:
    client = await connected(paced)
    recorder = Recorder(client, "error")
    created = Recorder(client.realtime, "server.response.created")
    client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
    event = (await created.count("server.response.created", 1))[0]
    response_id = event["response"]["id"]
    # Sent by hand, not through create_response (which would defer it): the server refuses it.
    client.realtime.send("response.create")
    assert client.response_state == ResponseState(1, (response_id,))
    errors = await recorder.count("error", 1)
    assert errors[0]["error"]["code"] == "conversation_already_has_active_response"
    assert "retrying" not in errors[0]  # not one of create_response's: not sent again
    assert client.response_state == ResponseState(0, (response_id,))
    await client.disconnect()


async def test_an_out_of_band_response_is_the_latest_active(paced: SimulatorServer) -> None:
    client = await connected(paced)
    created = Recorder(client.realtime, "server.response.created")
    client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
    first = (await created.count("server.response.created", 1))[0]["response"]["id"]
    client.create_response({"conversation": "none", "instructions": "Summarise."})
    second = (await created.count("server.response.created", 2))[1]["response"]["id"]
    state = client.response_state
    assert state == ResponseState(0, (first, second)) and state.active_id == second
    done = Recorder(client.realtime, "server.response.done")
    client.cancel_response()
    await done.count("server.response.done", 1)
    remaining = client.response_state.active_ids
    assert len(remaining) == 1 and remaining[0] in (first, second)
    await client.disconnect()
    assert client.response_state == ResponseState()


async def test_disconnect_clears_the_state(simulator: SimulatorServer) -> None:
    client = await connected(simulator)
    client.create_response()
    assert client.response_state.in_flight
    await client.disconnect()
    assert client.response_state == ResponseState()


async def test_a_lost_connection_clears_the_state(paced: SimulatorServer) -> None:
    client = await connected(paced)
    recorder = Recorder(client, "close")
    created = Recorder(client.realtime, "server.response.created")
    client.create_response()
    await created.count("server.response.created", 1)
    client.create_response()  # a second request, deferred until the first is done
    client.create_response({"conversation": "none"})  # out-of-band: sent, not answered yet
    state = client.response_state
    assert (state.requested, state.deferred) == (1, 1) and state.active_id
    await paced.stop()
    await recorder.count("close", 1)
    assert client.response_state == ResponseState()
    await client.disconnect()
