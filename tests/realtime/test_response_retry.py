"""A ``create_response`` the server still refuses for an active response is sent again.

The client defers its own requests while it knows of a response; a server-VAD response can
still race one (its ``response.created`` arrives just before the refusal), or a server can
refuse a request sent right after its ``response.done``. The ``error`` is dispatched, marked
``retrying``, and the request goes again once the response is done (or after a short pause
when none is known), at most ``MAX_RETRIES`` times. Scripted server, real websockets.
"""

from __future__ import annotations

from typing import Any

from console.realtime import RealtimeClient, ResponseState
from console.realtime.responses import MAX_RETRIES
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder, realtime_types
from tests.realtime.scripted_server import ScriptedServer

ACTIVE = "conversation_already_has_active_response"


async def connected(server: ScriptedServer, dialect: str) -> tuple[RealtimeClient, Recorder]:
    client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
    recorder = Recorder(client, "realtime.event", "error")
    await client.connect()
    assert await client.wait_for_session_created(5)
    return client, recorder


def types(recorder: Recorder) -> list[str]:
    return realtime_types(recorder.events["realtime.event"])


def count(recorder: Recorder, kind: str) -> int:
    return types(recorder).count(kind)


async def test_a_request_raced_by_a_vad_response_is_sent_after_it(dialect: str) -> None:
    async with ScriptedServer(api_key=API_KEY, refuse_creates=1) as server:
        client, recorder = await connected(server, dialect)
        client.send_user_message_content([{"type": "input_text", "text": "hello"}])
        await recorder.wait_for(lambda: count(recorder, "server:response.done") >= 2)
        (refusal,) = recorder.events["error"]
        assert refusal["error"]["code"] == ACTIVE and refusal["retrying"] is True
        seen = types(recorder)
        creates = [i for i, kind in enumerate(seen) if kind == "client:response.create"]
        assert len(creates) == 2  # the first refused, the second after the VAD reply's done
        assert creates[1] > seen.index("server:response.done")
        await recorder.wait_for(lambda: client.response_state == ResponseState())
        await client.disconnect()


async def test_a_refusal_with_no_known_response_is_retried_after_a_pause(dialect: str) -> None:
    async with ScriptedServer(
        api_key=API_KEY, refuse_creates=1, refuse_with_vad_response=False
    ) as server:
        client, recorder = await connected(server, dialect)
        client.create_response()
        await recorder.count("error", 1)
        assert recorder.events["error"][0]["retrying"] is True
        assert client.response_state == ResponseState(deferred=1)
        await recorder.wait_for(lambda: count(recorder, "server:response.done") >= 1)
        assert count(recorder, "client:response.create") == 2
        await client.disconnect()


async def test_retries_are_bounded(dialect: str) -> None:
    async with ScriptedServer(
        api_key=API_KEY, refuse_creates=MAX_RETRIES + 5, refuse_with_vad_response=False
    ) as server:
        client, recorder = await connected(server, dialect)
        client.create_response()
        errors: list[dict[str, Any]] = await recorder.count("error", MAX_RETRIES + 1, timeout=10)
        assert [e.get("retrying", False) for e in errors] == [True] * MAX_RETRIES + [False]
        assert client.response_state == ResponseState()
        assert count(recorder, "client:response.create") == MAX_RETRIES + 1
        await client.disconnect()


async def test_requests_not_made_by_create_response_are_not_retried() -> None:
    async with ScriptedServer(api_key=API_KEY, refuse_creates=1) as server:
        client, recorder = await connected(server, "ga")
        client.realtime.send("response.create")  # by hand: the caller decides what to do
        await recorder.count("error", 1)
        assert "retrying" not in recorder.events["error"][0]
        await recorder.wait_for(lambda: count(recorder, "server:response.done") >= 1)
        assert count(recorder, "client:response.create") == 1
        assert client.response_state == ResponseState()
        await client.disconnect()
