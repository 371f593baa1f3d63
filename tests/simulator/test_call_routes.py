"""WebRTC calls through the HTTP API, and the sideband join: an independent aiortc client places
calls with ``POST /v1/realtime/calls``, the openai SDK hangs them up, and a websockets client
joins them with ``?call_id=``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from openai import AsyncOpenAI, NotFoundError

from console.simulator import SimulatorServer

from .helpers import Client
from .rtc_client import RtcClient

KEY = "sk-test-calls"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@pytest.fixture
async def keyed() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(require_key=KEY) as server:
        yield server


@pytest.fixture
async def rtc() -> AsyncIterator[RtcClient]:
    client = RtcClient()
    yield client
    await client.close()


async def post(
    server: SimulatorServer, path: str, key: str | None, **kwargs: Any
) -> tuple[int, str, dict[str, str]]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    headers.update(kwargs.pop("headers", {}))
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.http_url + path, headers=headers, **kwargs) as response,
    ):
        return response.status, await response.text(), dict(response.headers)


async def mint(server: SimulatorServer, session: dict[str, Any]) -> str:
    status, body, _ = await post(server, "/realtime/client_secrets", KEY, json={"session": session})
    assert status == 200, body
    value: str = json.loads(body)["value"]
    return value


async def place(server: SimulatorServer, rtc: RtcClient, key: str) -> str:
    """Place a call with the SDP offer alone; its id."""
    offer = await rtc.offer()
    status, answer, headers = await post(
        server,
        "/realtime/calls",
        key,
        data=offer.encode(),
        headers={"Content-Type": "application/sdp"},
    )
    assert status == 201, answer
    assert headers["Content-Type"].startswith("application/sdp")
    location = headers["Location"]
    assert location.startswith("/v1/realtime/calls/rtc_")
    await rtc.accept(answer)
    await rtc.wait_for("session.created")
    return location.rsplit("/", 1)[1]


async def closed(client: Client) -> None:
    """Read until the server closes the socket."""

    async def drain() -> None:
        with contextlib.suppress(Exception):
            async for _ in client.ws:
                pass

    await asyncio.wait_for(drain(), 10)


def user_says(text: str) -> dict[str, Any]:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    return {"type": "conversation.item.create", "item": item}


async def test_an_ephemeral_secret_places_a_call_with_its_session(
    keyed: SimulatorServer, rtc: RtcClient
) -> None:
    secret = await mint(keyed, {"type": "realtime", "instructions": "Be brief."})
    await place(keyed, rtc, secret)
    created = rtc.events[0]
    assert created["type"] == "session.created"
    assert created["session"]["instructions"] == "Be brief."
    rtc.send(user_says("hello"))
    rtc.send({"type": "response.create"})
    done = await rtc.wait_for("response.done")
    assert done["response"]["status"] == "completed"
    await asyncio.wait_for(rtc.loud.wait(), 10)  # the reply's audio arrives on the track


async def test_the_sdk_places_a_call_with_a_form_of_sdp_and_session(
    keyed: SimulatorServer, rtc: RtcClient
) -> None:
    sdk = AsyncOpenAI(api_key=KEY, base_url=keyed.http_url)
    answer = await sdk.realtime.calls.create(
        sdp=await rtc.offer(), session={"type": "realtime", "instructions": "From the form."}
    )
    assert answer.response.status_code == 201
    assert answer.response.headers["Location"].startswith("/v1/realtime/calls/rtc_")
    await rtc.accept(answer.text)
    created = await rtc.wait_for("session.created")
    assert created["session"]["instructions"] == "From the form."


async def test_calls_refuse_a_wrong_key_a_bad_offer_and_a_bad_body(
    keyed: SimulatorServer, rtc: RtcClient
) -> None:
    offer = (await rtc.offer()).encode()
    sdp = {"Content-Type": "application/sdp"}
    status, body, _ = await post(keyed, "/realtime/calls", "sk-wrong", data=offer, headers=sdp)
    assert status == 401 and "sk-wrong" not in body
    assert json.loads(body)["error"]["code"] == "invalid_api_key"
    status, body, _ = await post(keyed, "/realtime/calls", KEY, data=b"v=0\r\n", headers=sdp)
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_offer"
    status, body, _ = await post(keyed, "/realtime/calls", KEY, json={"sdp": "v=0"})
    assert status == 400 and "application/sdp" in json.loads(body)["error"]["message"]
    secret = await mint(keyed, {"type": "realtime"})
    form = aiohttp.FormData()
    form.add_field("sdp", offer.decode())
    form.add_field("session", "{}")
    status, body, _ = await post(keyed, "/realtime/calls", secret, data=form)
    assert status == 400 and json.loads(body)["error"]["param"] == "session"


async def test_the_sdk_hangs_up_a_call(keyed: SimulatorServer, rtc: RtcClient) -> None:
    call_id = await place(keyed, rtc, KEY)
    sdk = AsyncOpenAI(api_key=KEY, base_url=keyed.http_url)
    await sdk.realtime.calls.hangup(call_id)
    await asyncio.wait_for(rtc.closed.wait(), 10)
    assert keyed.calls.get(call_id) is None
    with pytest.raises(NotFoundError):
        await sdk.realtime.calls.hangup(call_id)


async def test_a_sideband_sees_the_call_answers_its_tool_and_creates_responses(
    keyed: SimulatorServer, rtc: RtcClient
) -> None:
    call_id = await place(keyed, rtc, KEY)
    side = await Client.connect(
        keyed.url, headers={"Authorization": f"Bearer {KEY}"}, query=f"?call_id={call_id}"
    )
    # The sideband's update reaches the call's session: the call's channel sees it too.
    await side.send("session.update", session={"type": "realtime", "tools": [WEATHER]})
    await side.recv_until("session.updated")
    await rtc.wait_for("session.updated")
    # The caller asks; the sideband sees the tool call and answers it.
    rtc.send(user_says("What's the weather in Paris?"))
    rtc.send({"type": "response.create"})
    done = await side.recv_until("response.done")
    call = next(o for o in done["response"]["output"] if o["type"] == "function_call")
    assert call["name"] == "get_weather"
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
    await side.send("conversation.item.create", item=output)
    await side.send("response.create")
    await side.recv_until("response.created")
    # The sideband's response shows on the call's data channel.
    await rtc.wait_for("response.done", count=2)
    added = [e for e in rtc.events if e["type"] == "conversation.item.added"]
    assert any(e["item"]["type"] == "function_call_output" for e in added)
    # Hanging up closes the sideband with a plain reason.
    assert await keyed.calls.hangup(call_id)
    await closed(side)
    assert side.ws.close_code == 1000 and side.ws.close_reason == "call ended"


async def test_a_sideband_to_an_unknown_call_or_with_a_secret_is_refused(
    keyed: SimulatorServer, rtc: RtcClient
) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    side = await Client.connect(keyed.url, headers=auth, query="?call_id=rtc_nope")
    error = await side.recv_until("error")
    assert error["error"]["code"] == "call_not_found"
    await closed(side)
    assert side.ws.close_code == 3000
    call_id = await place(keyed, rtc, KEY)
    secret = await mint(keyed, {"type": "realtime"})
    side = await Client.connect(
        keyed.url, headers={"Authorization": f"Bearer {secret}"}, query=f"?call_id={call_id}"
    )
    error = await side.recv_until("error")
    assert error["error"]["code"] == "invalid_api_key"
    assert secret not in json.dumps(error)


async def test_the_server_side_is_told_one_line_each_without_secrets(
    keyed: SimulatorServer, rtc: RtcClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="console.simulator")
    secret = await mint(keyed, {"type": "realtime"})
    call_id = await place(keyed, rtc, secret)
    side = await Client.connect(
        keyed.url, headers={"Authorization": f"Bearer {KEY}"}, query=f"?call_id={call_id}"
    )
    await side.send("response.create")
    await side.recv_until("response.done")
    assert await keyed.calls.hangup(call_id)
    await closed(side)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("console.simulator")]
    text = "\n".join(lines)
    for said in (
        "client secret minted (realtime session",
        f"call {call_id} placed (WebRTC)",
        f"sideband joining call {call_id}",
        f"call {call_id} ended",
    ):
        assert said in text, text
    assert KEY not in text and secret not in text and secret[3:] not in text
