"""A ``session.update`` sent on the client's socket without ``update_session`` (a raw event, as a
console's composer sends) is someone else's: the server's answer to it becomes the client's
``session_config``, while the client's own updates are still matched to their own answers.
Against the simulator over a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

RAW = {
    "type": "realtime",
    "instructions": "Be brief.",
    "audio": {
        "output": {"voice": "marin", "speed": 1.3},
        "input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}},
    },
}


@pytest.fixture
async def client() -> AsyncIterator[tuple[RealtimeClient, Recorder]]:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(server.url, "sk-test")
        recorder = Recorder(client, "realtime.event", "error")
        await client.connect()
        assert await client.wait_for_session_created(5.0)
        await recorder.wait_for(lambda: _updated(recorder) >= 1, what="the connect's answer")
        try:
            yield client, recorder
        finally:
            await client.disconnect()


def _updated(recorder: Recorder) -> int:
    return sum(
        1
        for r in recorder.events["realtime.event"]
        if r["source"] == "server" and r["event"]["type"] == "session.updated"
    )


async def test_a_raw_update_becomes_the_configuration(
    client: tuple[RealtimeClient, Recorder],
) -> None:
    realtime_client, recorder = client
    assert realtime_client.session_config["voice"] != "marin"
    realtime_client.realtime.send("session.update", {"event_id": "evt_raw1", "session": RAW})
    await recorder.wait_for(lambda: _updated(recorder) >= 2, what="the raw update's answer")
    config = realtime_client.session_config
    assert config["voice"] == "marin" and config["speed"] == 1.3
    assert config["instructions"] == "Be brief."
    assert realtime_client.get_turn_detection_type() == "semantic_vad"
    assert realtime_client.is_foreign_update("evt_raw1")
    assert not recorder.events["error"]


async def test_an_own_update_after_a_raw_one_is_not_undone_by_its_answer(
    client: tuple[RealtimeClient, Recorder],
) -> None:
    realtime_client, recorder = client
    realtime_client.realtime.send("session.update", {"event_id": "evt_raw2", "session": RAW})
    realtime_client.update_session(voice="ash")  # sent before the raw one is answered
    assert realtime_client.session_config["voice"] == "ash"
    await recorder.wait_for(lambda: _updated(recorder) >= 2, what="the raw update's answer")
    # The raw update's answer still says marin: the voice ours is about to set is kept.
    assert realtime_client.session_config["voice"] == "ash"
    assert realtime_client.session_config["speed"] == 1.3
    await recorder.wait_for(lambda: _updated(recorder) >= 3, what="our update's answer")
    assert realtime_client.session_config["voice"] == "ash"
    own = [
        r["event"]["event_id"]
        for r in recorder.events["realtime.event"]
        if r["source"] == "client" and r["event"]["type"] == "session.update"
    ]
    assert [realtime_client.is_foreign_update(event_id) for event_id in own] == [
        False,
        True,
        False,
    ]


async def test_a_refused_raw_update_changes_nothing(
    client: tuple[RealtimeClient, Recorder],
) -> None:
    realtime_client, recorder = client
    before = dict(realtime_client.session_config)
    bad: dict[str, Any] = {"type": "realtime", "audio": {"output": {"speed": 9}}}
    realtime_client.realtime.send("session.update", {"event_id": "evt_bad", "session": bad})
    await recorder.count("error", 1)
    realtime_client.update_session(voice="ash")
    await recorder.wait_for(lambda: _updated(recorder) >= 2, what="our update's answer")
    assert realtime_client.session_config == {**before, "voice": "ash"}
