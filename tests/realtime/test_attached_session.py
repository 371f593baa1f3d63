"""A client attached to a call (``attach_call_id``) knows nothing of the call's session until the
server tells it: no invented configuration, and nothing sent but the fields asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.simulator.rtc_client import RtcClient
from tests.simulator.test_call_routes import KEY, place

TIMEOUT = 10.0


@pytest.fixture
async def keyed() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(require_key=KEY) as server:
        yield server


@pytest.fixture
async def caller() -> AsyncIterator[RtcClient]:
    client = RtcClient(audio=False)
    yield client
    await client.close()


async def test_an_attached_session_is_unknown_until_seen_and_updates_send_only_their_fields(
    keyed: SimulatorServer, caller: RtcClient
) -> None:
    call_id = await place(keyed, caller, KEY)
    client = RealtimeClient(url=keyed.url, api_key=KEY, attach_call_id=call_id)
    sent: list[dict[str, Any]] = []
    client.on(
        "realtime.event", lambda p: sent.append(p["event"]) if p["source"] == "client" else None
    )
    assert not client.session_known and client.session_config == {}
    await client.connect()
    try:
        assert not client.session_known and client.session_config == {}
        client.update_session()  # the whole configuration: there is none to send
        assert sent == []
        client.update_session(instructions="Be brief.")
        [update] = sent
        assert update["type"] == "session.update"
        assert set(update["session"]) <= {"type", "instructions"}
        await client.realtime.wait_for_next("server.session.updated", TIMEOUT)
        # The answer is the call's whole session: the configuration is now what it says.
        assert client.session_known
        assert client.session_config["instructions"] == "Be brief."
        assert client.session_config.get("voice")
        assert "max_response_output_tokens" in client.session_config
    finally:
        await client.disconnect()
