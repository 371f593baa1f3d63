"""Every started response finishes: an internal failure while generating a response (argument
generation, synthesis) ends it with ``response.done`` status ``failed`` and
``status_details.error``, never a bare ``server_error``; the connection keeps working."""

from __future__ import annotations

from typing import Any

import pytest

from console.simulator import SimulatorServer, responder, streaming

from .helpers import Client

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("injected failure")


async def _say(client: Client, text: str) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")


async def _expect_failed(client: Client) -> dict[str, Any]:
    events = await client.collect_until("response.done")
    assert not [e for e in events if e["type"] == "error"], events
    response = events[-1]["response"]
    assert response["status"] == "failed"
    error = response["status_details"]["error"]
    assert error["type"] == "server_error" and error["message"]
    return response


async def _follow_up(client: Client) -> None:
    await _say(client, "ping")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_synthesis_failure_ends_response_failed(
    server: SimulatorServer,
    dialect: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    with monkeypatch.context() as patch:
        patch.setattr(streaming.voice, "speak", _boom)
        await _say(client, "hello")
        response = await _expect_failed(client)
    assert all(item["status"] != "in_progress" for item in response["output"])
    caplog.clear()  # the injected failure is logged, as it should be
    await _follow_up(client)
    await client.close()


async def test_argument_failure_ends_response_failed(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send("session.update", session={"type": "realtime", "tools": [WEATHER]})
    await client.recv_until("session.updated")
    with monkeypatch.context() as patch:
        patch.setattr(responder, "fill_arguments", _boom)
        await _say(client, "get_weather in Paris")
        await _expect_failed(client)
    caplog.clear()
    await _follow_up(client)
    await client.close()
