"""The library's MCP support against the simulator, a real MCP client of in-process servers.

The same flows as ``test_mcp`` (scripted), end to end: ``add_mcp_tool`` makes the session list
the server's tools, a user's words call one, ``respond_mcp_approval`` lets a held call run or
not, and a server that cannot be reached ends in a failure the item says in words.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.mcp_servers import RunningMCP, demo_server, refused_url, serve_mcp
from tests.realtime.helpers import Recorder

TIMEOUT = 8.0


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(host="127.0.0.1", port=0, mcp_timeout_s=2.0) as server:
        yield server


@pytest.fixture
async def demo() -> AsyncIterator[RunningMCP]:
    async with serve_mcp(demo_server()) as running:
        yield running


@pytest.fixture
async def client(sim: SimulatorServer) -> AsyncIterator[RealtimeClient]:
    realtime_client = RealtimeClient(url=sim.url, api_key="sk-test", dialect="ga")
    realtime_client.update_session(output_modalities=["text"], turn_detection=None)
    yield realtime_client
    await realtime_client.disconnect()


def mcp_view(client: RealtimeClient, kind: str, where: Callable[[dict[str, Any]], bool]) -> Any:
    """The first MCP item view of ``kind`` that satisfies ``where``, or None."""
    for item in client.conversation.items:
        view = item["formatted"].get("mcp")
        if view is not None and view["kind"] == kind and where(view):
            return view
    return None


async def connect(client: RealtimeClient) -> Recorder:
    recorder = Recorder(client, "conversation.updated", "error")
    await client.connect()
    assert await client.wait_for_session_created(TIMEOUT)
    return recorder


async def listed(client: RealtimeClient, recorder: Recorder) -> dict[str, Any]:
    view: dict[str, Any] = await recorder.wait_for(
        lambda: mcp_view(client, "list_tools", lambda v: v["status"] in ("completed", "failed")),
        TIMEOUT,
        "the listing",
    )
    return view


def reply(client: RealtimeClient) -> str:
    messages = [i for i in client.conversation.items if i.get("role") == "assistant"]
    return str(messages[-1]["formatted"]["text"]) if messages else ""


async def test_listing_then_words_call_a_tool(client: RealtimeClient, demo: RunningMCP) -> None:
    client.add_mcp_tool("demo", demo.url, require_approval="never")  # sent on connect
    recorder = await connect(client)
    view = await listed(client, recorder)
    assert view["status"] == "completed" and view["tools"] == ["add", "delete_file"]
    client.send_user_message_content([{"type": "input_text", "text": "Please add 2 and 3"}])
    call = await recorder.wait_for(
        lambda: mcp_view(client, "call", lambda v: v["output"] is not None), TIMEOUT, "the call"
    )
    assert call["server_label"] == "demo" and call["name"] == "add"
    assert call["status"] == "completed" and call["output"] == "5" and call["error"] is None
    assert json.loads(call["arguments"]) == {"a": 2, "b": 3}
    await recorder.wait_for(lambda: "returned: 5" in reply(client), TIMEOUT, "the reply")
    assert recorder.events["error"] == []


@pytest.mark.parametrize("approve", [True, False])
async def test_an_approval_lets_the_call_run_or_not(
    client: RealtimeClient, demo: RunningMCP, approve: bool
) -> None:
    client.add_mcp_tool("demo", demo.url, require_approval="always")
    recorder = await connect(client)
    await listed(client, recorder)
    text = "Please delete the file. The path is /tmp/notes"
    client.send_user_message_content([{"type": "input_text", "text": text}])
    await recorder.wait_for(lambda: client.pending_mcp_approvals(), TIMEOUT, "the request")
    [request] = client.pending_mcp_approvals()
    assert request["formatted"]["mcp"]["name"] == "delete_file"
    client.respond_mcp_approval(request["id"], approve, None if approve else "not today")
    assert not client.pending_mcp_approvals()  # answered: no longer waiting
    answer = "approved" if approve else "denied"
    await recorder.wait_for(
        lambda: request["formatted"]["mcp"]["answer"] == answer, TIMEOUT, "the confirmation"
    )
    if approve:
        call = await recorder.wait_for(
            lambda: mcp_view(client, "call", lambda v: v["output"] is not None), TIMEOUT, "call"
        )
        assert call["output"] == "deleted /tmp/notes"
        assert call["approval_request_id"] == request["id"]
    else:
        await recorder.wait_for(lambda: "not approved" in reply(client), TIMEOUT, "the reply")
        assert mcp_view(client, "call", lambda v: True) is None
    assert recorder.events["error"] == []


async def test_an_unreachable_server_fails_in_words_and_the_session_goes_on(
    client: RealtimeClient,
) -> None:
    async with refused_url() as url:
        client.add_mcp_tool("gone", url)
        recorder = await connect(client)
        view = await listed(client, recorder)
    assert view["status"] == "failed" and view["tools"] == []
    assert "Could not connect" in view["error"]
    client.send_user_message_content([{"type": "input_text", "text": "hello"}])
    await recorder.wait_for(lambda: reply(client), TIMEOUT, "a reply after the failure")


async def test_tool_choice_forces_an_mcp_tool(client: RealtimeClient, demo: RunningMCP) -> None:
    """GA's ``tool_choice: {type: mcp, server_label, name}``: words that ask for no tool still
    call the chosen one (the session.update carries the choice as GA spells it)."""
    client.add_mcp_tool("demo", demo.url, require_approval="never")
    sent: list[dict[str, Any]] = []
    client.realtime.on("client.session.update", sent.append)
    recorder = await connect(client)
    await listed(client, recorder)
    choice = {"type": "mcp", "server_label": "demo", "name": "add"}
    client.update_session(tool_choice=choice)
    assert sent[-1]["session"]["tool_choice"] == choice
    assert client.session_config["tool_choice"] == choice
    client.send_user_message_content([{"type": "input_text", "text": "What is 4 and 5?"}])
    call = await recorder.wait_for(
        lambda: mcp_view(client, "call", lambda v: v["output"] is not None), TIMEOUT, "the call"
    )
    assert call["name"] == "add" and call["output"] == "9"
    assert recorder.events["error"] == []


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "mcp"},
        {"type": "mcp", "server_label": "demo", "name": ""},
        {"type": "mcp", "server_label": "demo", "tool": "add"},
    ],
)
def test_a_malformed_mcp_tool_choice_is_refused_before_sending(bad: dict[str, Any]) -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/unused", dialect="ga")
    with pytest.raises(ValueError, match="MCP tool_choice"):
        client.update_session(tool_choice=bad)
    assert client.session_config["tool_choice"] == "auto"


async def test_beta_refuses_an_mcp_tool_choice_and_sends_nothing() -> None:
    async with SimulatorServer(host="127.0.0.1", port=0) as server:
        client = RealtimeClient(url=server.url, api_key="sk-test", dialect="beta")
        await client.connect()
        sent: list[dict[str, Any]] = []
        client.realtime.on("client.session.update", sent.append)
        with pytest.raises(ValueError, match="beta has none"):
            client.update_session(tool_choice={"type": "mcp", "server_label": "demo"})
        assert sent == []
        await client.disconnect()
