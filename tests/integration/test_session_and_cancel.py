"""Session updates the server rejects, and cancelling, against the simulator at real pace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder


@pytest.fixture
async def client(dialect: str) -> AsyncIterator[RealtimeClient]:
    """A connected client; the simulator streams audio in real time, so answers can be cut."""
    async with SimulatorServer(pace="realtime") as server:
        connected = RealtimeClient(url=server.url, dialect=dialect)
        await connected.connect()
        assert await connected.wait_for_session_created(5)
        yield connected
        await connected.disconnect()


async def test_a_rejected_update_is_undone_and_does_not_poison_later_ones(
    client: RealtimeClient,
) -> None:
    recorder = Recorder(client, "error", "conversation.item.completed")
    updated = Recorder(client.realtime, "server.session.updated")
    client.update_session(modalities=["text"], voice="alloy")
    await updated.count("server.session.updated", 2)  # connect's, then this one
    client.update_session(temperature=5.0) if client.dialect == "beta" else client.update_session(
        max_output_tokens=-3
    )
    errors = await recorder.count("error", 1)
    assert errors[0]["source"] == "server" and errors[0]["error"]["code"] == "invalid_value"
    assert client.session_config["max_response_output_tokens"] == 4096
    assert client.session_config.get("temperature", 0.8) == 0.8
    client.update_session(instructions="Still listening to updates.")
    await updated.count("server.session.updated", 3)
    assert len(recorder.events["error"]) == 1
    assert client.session_config["instructions"] == "Still listening to updates."


async def test_cancel_right_after_asking_stops_the_response(client: RealtimeClient) -> None:
    done = Recorder(client.realtime, "server.response.done")
    client.send_user_message_content([{"type": "input_text", "text": "Tell me a long story"}])
    client.cancel_response()  # before response.created has arrived
    responses = await done.count("server.response.done", 1)
    assert responses[0]["response"]["status"] == "cancelled"


async def test_cancelling_an_item_cancels_its_response_and_truncates(
    client: RealtimeClient,
) -> None:
    recorder = Recorder(client, "conversation.updated", "error")
    done = Recorder(
        client.realtime,
        "server.response.done",
        "client.response.cancel",
        "server.conversation.item.truncated",
    )
    client.send_user_message_content([{"type": "input_text", "text": "Say something long"}])
    speaking = await recorder.wait_for(
        lambda: [
            e["item"]
            for e in recorder.events["conversation.updated"]
            if e["delta"] and "audio" in e["delta"]
        ],
        what="audio of the answer",
    )
    item = speaking[0]
    client.cancel_response(item["id"], 2400)
    cancel = (await done.count("client.response.cancel", 1))[0]
    assert cancel["response_id"] == client.conversation.responses[-1]["id"]
    responses = await done.count("server.response.done", 1)
    assert responses[0]["response"]["status"] == "cancelled"
    await done.count("server.conversation.item.truncated", 1)
    assert len(item["formatted"]["audio"]) == 2400 and item["formatted"]["transcript"] == ""
    assert recorder.events["error"] == []
