"""The simulator as a real MCP client (issue 15): a session's ``mcp`` tool lists an in-process
MCP server's tools, a user's words call one, approval requests wait for the client, and bad
servers end in ``.failed`` events with the reason, within a bound, without stalling anyone.
Every server event is validated against the SDK's GA union by the helper client."""

from __future__ import annotations

import asyncio
import gc
import json
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.simulator import SimulatorServer
from console.simulator import server as server_module
from console.simulator.mcp_client import MAX_TOOLS
from console.simulator.mcp_listing import MAX_RUNNING
from tests.mcp_servers import (
    RunningMCP,
    demo_server,
    faulty_server,
    hanging_server,
    many_tools_server,
    refused_url,
    serve_mcp,
    status_server,
)

from .conftest import _assert_no_simulator_errors
from .helpers import Client
from .test_schema import user_text

MCP_TIMEOUT_S = 3.0  # the simulator's bound on each MCP operation here (the machine may be loaded)
BOUND_S = MCP_TIMEOUT_S + 3.0  # a failure arrives within this


@pytest.fixture
async def sim(caplog: pytest.LogCaptureFixture) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(host="127.0.0.1", port=0, mcp_timeout_s=MCP_TIMEOUT_S) as srv:
        yield srv
    _assert_no_simulator_errors(caplog)  # no bug hidden behind an MCP failure


@pytest.fixture
async def demo() -> AsyncIterator[RunningMCP]:
    async with serve_mcp(demo_server()) as running:
        yield running


def mcp_tool(url: str, label: str = "demo", **extra: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": label, "server_url": url, **extra}


async def open_session(sim: SimulatorServer, *tools: dict[str, Any]) -> Client:
    client = await Client.connect(sim.url)
    await client.recv_until("session.created")
    await client.send(
        "session.update",
        session={
            "type": "realtime",
            "output_modalities": ["text"],
            "audio": {"input": {"turn_detection": None}},
            "tools": list(tools),
        },
    )
    return client


async def listed(client: Client, timeout: float = BOUND_S) -> dict[str, Any]:
    """The ``mcp_list_tools`` item as ``conversation.item.done`` carries it."""
    while True:
        event = await client.recv_until("conversation.item.done", timeout)
        if event["item"]["type"] == "mcp_list_tools":
            return dict(event["item"])


async def ask(client: Client, text: str, timeout: float = BOUND_S) -> list[dict[str, Any]]:
    await client.send("conversation.item.create", item=user_text(text))
    await client.send("response.create")
    return await client.collect_until("response.done", timeout)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def reply_text(events: list[dict[str, Any]]) -> str:
    return "".join(e["text"] for e in events if e["type"] == "response.output_text.done")


# listing ------------------------------------------------------------------------------------


async def test_listing_events_tools_and_headers(sim: SimulatorServer, demo: RunningMCP) -> None:
    tool = mcp_tool(demo.url, headers={"X-Api-Key": "k-123"}, authorization="tok-456")
    client = await open_session(sim, tool)
    updated = await client.recv_until("session.updated")
    echoed = updated["session"]["tools"][0]
    assert echoed["server_label"] == "demo" and echoed["server_url"] == demo.url
    assert "headers" not in echoed and "authorization" not in echoed  # secrets are not echoed
    start = len(client.received)
    item = await listed(client)
    flow = [
        (e["type"], e.get("item", {}).get("type"))
        for e in client.received[start:]
        if e["type"].startswith(("mcp_list_tools", "conversation.item"))
    ]
    assert flow == [
        ("conversation.item.added", "mcp_list_tools"),
        ("mcp_list_tools.in_progress", None),
        ("mcp_list_tools.completed", None),
        ("conversation.item.done", "mcp_list_tools"),
    ]
    assert [t["name"] for t in item["tools"]] == ["add", "delete_file"]
    add = item["tools"][0]
    assert add["input_schema"]["required"] == ["a", "b"]
    assert add["annotations"] == {"readOnlyHint": True}
    assert "error" not in item
    assert any(r.get("x-api-key") == "k-123" for r in demo.requests)
    assert any(r.get("authorization") == "Bearer tok-456" for r in demo.requests)
    await client.close()


@pytest.mark.parametrize(
    ("allowed", "names"),
    [(["delete_file"], ["delete_file"]), ({"read_only": True}, ["add"])],
)
async def test_allowed_tools_filter_the_list(
    sim: SimulatorServer, demo: RunningMCP, allowed: Any, names: list[str]
) -> None:
    client = await open_session(sim, mcp_tool(demo.url, allowed_tools=allowed))
    item = await listed(client)
    assert [t["name"] for t in item["tools"]] == names
    await client.close()


async def test_an_unchanged_tool_is_not_listed_again(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    client = await open_session(sim, mcp_tool(demo.url))
    await listed(client)
    await client.send("session.update", session={"type": "realtime", "instructions": "Be brief."})
    await client.recv_until("session.updated")
    events = await ask(client, "hello")  # anything queued meanwhile arrives before this
    assert "mcp_list_tools.in_progress" not in types(events)
    await client.close()


async def test_a_listing_keeps_at_most_max_tools(sim: SimulatorServer) -> None:
    async with serve_mcp(many_tools_server(MAX_TOOLS + 20)) as many:
        client = await open_session(sim, mcp_tool(many.url))
        item = await listed(client)
        assert [t["name"] for t in item["tools"]] == [f"tool_{i}" for i in range(MAX_TOOLS)]
        await client.close()


async def test_listings_in_progress_are_bounded(sim: SimulatorServer) -> None:
    async with hanging_server() as url:
        tools = [mcp_tool(url, label=f"s{i}") for i in range(MAX_RUNNING + 1)]
        client = await open_session(sim, *tools)
        failed = await client.recv_until("mcp_list_tools.failed", MCP_TIMEOUT_S / 2)
        item = await listed(client, MCP_TIMEOUT_S / 2)
        assert item["id"] == failed["item_id"] and item["server_label"] == f"s{MAX_RUNNING}"
        assert "listings in progress" in item["error"]
        await client.close()


# calling ------------------------------------------------------------------------------------


async def test_words_call_a_listed_tool_and_the_reply_uses_its_output(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    client = await open_session(sim, mcp_tool(demo.url, require_approval="never"))
    await listed(client)
    events = await ask(client, "Please add 2 and 3")
    flow = [t for t in types(events) if not t.endswith(".delta")]
    call_events = [
        "response.output_item.added",
        "conversation.item.added",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.output_item.done",
        "conversation.item.done",
    ]
    start = flow.index("response.output_item.added")
    assert flow[start : start + len(call_events)] == call_events
    assert flow[-1] == "response.done"
    deltas = [e["delta"] for e in events if e["type"] == "response.mcp_call_arguments.delta"]
    assert json.loads("".join(deltas)) == {"a": 2, "b": 3}
    done = next(e for e in events if e["type"] == "response.output_item.done")
    call = done["item"]
    assert call["type"] == "mcp_call" and call["server_label"] == "demo"
    assert call["name"] == "add" and call["output"] == "5" and call["error"] is None
    assert "The add tool returned: 5" in reply_text(events)
    response = events[-1]["response"]
    assert response["status"] == "completed"
    assert [o["type"] for o in response["output"]] == ["mcp_call", "message"]
    await client.close()


async def test_asking_about_tools_names_the_listed_ones(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    client = await open_session(sim, mcp_tool(demo.url, require_approval="never"))
    await listed(client)
    events = await ask(client, "Which tools do you have?")
    assert "I have 2 tools: add, delete_file." in reply_text(events)
    await client.close()


async def test_a_response_lists_and_calls_its_own_mcp_tool(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    client = await open_session(sim)
    await client.recv_until("session.updated")
    await client.send("conversation.item.create", item=user_text("add 20 and 22"))
    tool = mcp_tool(demo.url, require_approval="never")
    await client.send("response.create", response={"tools": [tool]})
    events = await client.collect_until("response.done", BOUND_S)
    flow = types(events)
    assert flow.index("mcp_list_tools.completed") < flow.index("response.mcp_call.completed")
    assert "The add tool returned: 42" in reply_text(events)
    updated = await ask(client, "add 1 and 2")  # the session itself has no MCP tool
    assert "response.mcp_call.in_progress" not in types(updated)
    await client.close()


# approval -----------------------------------------------------------------------------------

APPROVE_DELETE = {"always": {"tool_names": ["delete_file"]}}


async def request_approval(client: Client) -> dict[str, Any]:
    """Ask for delete_file; the response ends with an approval request; returns its item."""
    events = await ask(client, "Please delete the file. The path is /tmp/notes")
    assert "response.mcp_call.in_progress" not in types(events)
    outputs = events[-1]["response"]["output"]
    request = outputs[-1]
    assert request["type"] == "mcp_approval_request"
    assert request["name"] == "delete_file" and request["server_label"] == "demo"
    assert request["arguments"] == '{"path":"/tmp/notes"}'
    return dict(request)


async def answer(client: Client, request_id: str, approve: bool, **extra: Any) -> None:
    item = {
        "type": "mcp_approval_response",
        "approval_request_id": request_id,
        "approve": approve,
        **extra,
    }
    await client.send("conversation.item.create", item=item)
    added = await client.recv_until("conversation.item.added")
    assert added["item"]["type"] == "mcp_approval_response"
    assert added["item"]["approval_request_id"] == request_id


async def test_approved_call_runs_in_the_next_response(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    client = await open_session(sim, mcp_tool(demo.url, require_approval=APPROVE_DELETE))
    await listed(client)
    request = await request_approval(client)
    await answer(client, request["id"], True)
    await client.send("response.create")
    events = await client.collect_until("response.done", BOUND_S)
    assert "response.mcp_call.completed" in types(events)
    call = events[-1]["response"]["output"][0]
    assert call["type"] == "mcp_call" and call["approval_request_id"] == request["id"]
    assert call["output"] == "deleted /tmp/notes"
    assert "The delete_file tool returned: deleted /tmp/notes" in reply_text(events)
    await client.close()


async def test_denied_call_is_not_made(sim: SimulatorServer, demo: RunningMCP) -> None:
    client = await open_session(sim, mcp_tool(demo.url))  # require_approval defaults to always
    await listed(client)
    request = await request_approval(client)
    calls_before = len(demo.requests)
    await answer(client, request["id"], False, reason="not today")
    await client.send("response.create")
    events = await client.collect_until("response.done", BOUND_S)
    assert "response.mcp_call.in_progress" not in types(events)
    assert reply_text(events) == "The delete_file call was not approved: not today."
    assert len(demo.requests) == calls_before  # nothing reached the server
    await client.close()


async def test_filtered_tool_needs_no_approval(sim: SimulatorServer, demo: RunningMCP) -> None:
    client = await open_session(sim, mcp_tool(demo.url, require_approval=APPROVE_DELETE))
    await listed(client)
    events = await ask(client, "add 1 and 1")
    assert "response.mcp_call.completed" in types(events)
    await client.close()


@pytest.mark.parametrize("twice", [False, True])
async def test_an_approval_must_answer_a_pending_request(
    sim: SimulatorServer, demo: RunningMCP, twice: bool
) -> None:
    client = await open_session(sim, mcp_tool(demo.url))
    await listed(client)
    request_id = "item_nope"
    if twice:
        request_id = (await request_approval(client))["id"]
        await answer(client, request_id, True)
    item = {"type": "mcp_approval_response", "approval_request_id": request_id, "approve": True}
    await client.send("conversation.item.create", item=item)
    error = (await client.recv_until("error"))["error"]
    assert error["code"] == "invalid_value"
    assert error["param"] == "item.approval_request_id"
    assert request_id in error["message"]
    await client.close()


# bad servers --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["refused", "hanging", "http500"])
async def test_listing_failures_end_in_failed_with_the_reason(
    sim: SimulatorServer, kind: str
) -> None:
    bad = {"refused": refused_url, "hanging": hanging_server, "http500": status_server}[kind]
    async with bad() as url:
        client = await open_session(sim, mcp_tool(url))
        started = time.monotonic()
        failed = await client.recv_until("mcp_list_tools.failed", BOUND_S)
        elapsed = time.monotonic() - started
        item = await listed(client)
        assert item["id"] == failed["item_id"] and item["tools"] == []
        expected = {
            "refused": "Could not connect",
            "hanging": f"did not answer within {MCP_TIMEOUT_S:g} s",
            "http500": "answered HTTP 500",
        }[kind]
        assert expected in item["error"]
        assert elapsed < BOUND_S
        await client.close()


async def test_connector_listing_fails_with_the_reason(sim: SimulatorServer) -> None:
    tool = {"type": "mcp", "server_label": "cal", "connector_id": "connector_googlecalendar"}
    client = await open_session(sim, tool)
    await client.recv_until("mcp_list_tools.failed")
    item = await listed(client)
    assert "connector_googlecalendar" in item["error"]
    await client.close()


async def test_failed_listing_is_retried_on_the_next_update(sim: SimulatorServer) -> None:
    async with refused_url() as url:
        client = await open_session(sim, mcp_tool(url))
        await client.recv_until("mcp_list_tools.failed", BOUND_S)
        await client.send("session.update", session={"type": "realtime", "instructions": "x"})
        await client.recv_until("mcp_list_tools.in_progress")
        await client.recv_until("mcp_list_tools.failed", BOUND_S)
        await client.close()


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("explode reason is boom", "tool_execution_error", "exploded: boom"),
        ("stall for 30 seconds", "http_error", "did not answer within"),
        ("refuse, the reason is policy", "protocol_error", "refused: policy"),
    ],
)
async def test_call_failures_end_in_failed_with_the_error(
    sim: SimulatorServer, text: str, kind: str, words: str
) -> None:
    async with serve_mcp(faulty_server()) as faulty:
        client = await open_session(sim, mcp_tool(faulty.url, require_approval="never"))
        await listed(client)
        started = time.monotonic()
        events = await ask(client, text)
        assert time.monotonic() - started < BOUND_S
        assert "response.mcp_call.failed" in types(events)
        assert "response.mcp_call.completed" not in types(events)
        call = events[-1]["response"]["output"][0]
        assert call["type"] == "mcp_call" and call["output"] is None
        assert call["error"]["type"] == kind and words in call["error"]["message"]
        if kind != "tool_execution_error":
            assert call["error"]["code"] == {"http_error": 504, "protocol_error": -32602}[kind]
        assert f"tool failed: {call['error']['message']}" in reply_text(events)
        assert events[-1]["response"]["status"] == "completed"
        await client.close()


async def test_a_hanging_server_stalls_neither_its_session_nor_another(
    sim: SimulatorServer,
) -> None:
    async with hanging_server() as url:
        stuck = await open_session(sim, mcp_tool(url))
        await stuck.recv_until("mcp_list_tools.in_progress")
        events = await ask(stuck, "hello", timeout=MCP_TIMEOUT_S / 2)  # while the listing hangs
        assert "You said: hello" in reply_text(events)
        other = await open_session(sim)
        await other.recv_until("session.updated", MCP_TIMEOUT_S / 2)
        events = await ask(other, "still there?", timeout=MCP_TIMEOUT_S / 2)
        assert "You said: still there?" in reply_text(events)
        await stuck.recv_until("mcp_list_tools.failed", BOUND_S)
        await stuck.close()
        await other.close()


async def test_cancelling_a_response_stops_waiting_for_a_call(sim: SimulatorServer) -> None:
    async with serve_mcp(faulty_server()) as faulty:
        client = await open_session(sim, mcp_tool(faulty.url, require_approval="never"))
        await listed(client)
        await client.send("conversation.item.create", item=user_text("stall for 30 seconds"))
        await client.send("response.create")
        await client.recv_until("response.mcp_call.in_progress")
        await client.send("response.cancel")
        events = await client.collect_until("response.done", MCP_TIMEOUT_S / 2)
        assert "response.mcp_call.failed" in types(events)
        assert events[-1]["response"]["status"] == "cancelled"
        await client.close()


async def test_tool_choice_can_force_an_mcp_tool(sim: SimulatorServer, demo: RunningMCP) -> None:
    client = await open_session(sim, mcp_tool(demo.url, require_approval="never"))
    await listed(client)
    choice = {"type": "mcp", "server_label": "demo", "name": "add"}
    await client.send("session.update", session={"type": "realtime", "tool_choice": choice})
    assert (await client.recv_until("session.updated"))["session"]["tool_choice"] == choice
    events = await ask(client, "hello 4 5")
    assert "The add tool returned: 9" in reply_text(events)
    await client.close()


async def test_closing_during_a_hanging_listing_frees_the_session_at_once(
    sim: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing task is cancelled with its session, and nothing MCP holds the connection:
    it is freed by reference counting alone (the cycle collector is off), before the timeout."""
    freed = asyncio.Event()

    class Tracked(server_module.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            weakref.finalize(self, freed.set)

    monkeypatch.setattr(server_module, "Connection", Tracked)
    async with hanging_server() as url:
        client = await open_session(sim, mcp_tool(url))
        await client.recv_until("mcp_list_tools.in_progress")
        gc.collect()
        gc.disable()
        try:
            await client.close()
            await asyncio.wait_for(freed.wait(), MCP_TIMEOUT_S / 2)
        finally:
            gc.enable()
