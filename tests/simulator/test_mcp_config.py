"""An ``mcp`` tool's validation (the SDK's shape; https, or http to a loopback host only), its
echo without secrets, the beta protocol refusing it, and the openai SDK as a client through
one MCP turn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from openai import AsyncOpenAI

from console.simulator import SimulatorServer, mcp_tools
from tests.mcp_servers import demo_server, serve_mcp

from .conftest import _assert_no_simulator_errors
from .helpers import Client
from .test_schema import user_text

GOOD = {"type": "mcp", "server_label": "demo", "server_url": "https://mcp.example.com/mcp"}


@pytest.fixture
async def sim(caplog: pytest.LogCaptureFixture) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(host="127.0.0.1", port=0, mcp_timeout_s=5.0) as srv:
        yield srv
    _assert_no_simulator_errors(caplog)  # no bug hidden behind an MCP failure


async def update(sim: SimulatorServer, tools: list[Any], dialect: str = "ga") -> dict[str, Any]:
    """Send a session.update with ``tools``; the session.updated or error event."""
    client = await Client.connect(sim.url, dialect)
    await client.recv_until("session.created")
    session: dict[str, Any] = {"tools": tools}
    if dialect == "ga":
        session["type"] = "realtime"
    await client.send("session.update", session=session)
    while True:
        event = await client.recv()
        if event["type"] in ("error", "session.updated"):
            await client.close()
            return event


@pytest.mark.parametrize(
    ("tool", "param", "code"),
    [
        ({**GOOD, "server_url": "http://mcp.example.com/mcp"}, ".server_url", "invalid_value"),
        ({**GOOD, "server_url": "ftp://127.0.0.1/mcp"}, ".server_url", "invalid_value"),
        ({**GOOD, "server_url": "not a url"}, ".server_url", "invalid_value"),
        ({**GOOD, "connector_id": "connector_gmail"}, "", "invalid_value"),
        ({"type": "mcp", "server_label": "demo"}, "", "invalid_value"),
        ({**GOOD, "connector_id": None, "server_url": None}, "", "invalid_value"),
        ({"type": "mcp", "server_url": GOOD["server_url"]}, ".server_label", None),
        ({**GOOD, "headers": {"X-Key": 1}}, ".headers.X-Key", "invalid_type"),
        ({**GOOD, "headers": ["X-Key"]}, ".headers", "invalid_type"),
        ({**GOOD, "require_approval": "sometimes"}, ".require_approval", "invalid_value"),
        ({**GOOD, "require_approval": {"maybe": {}}}, ".require_approval.maybe", None),
        ({**GOOD, "allowed_tools": {"names": ["a"]}}, ".allowed_tools.names", None),
        ({**GOOD, "allowed_tools": [1]}, ".allowed_tools[0]", "invalid_type"),
        ({**GOOD, "connector_id": "connector_x", "server_url": None}, ".connector_id", None),
        ({**GOOD, "authorization": 5}, ".authorization", "invalid_type"),
        ({**GOOD, "color": "red"}, ".color", "unknown_parameter"),
    ],
)
async def test_bad_mcp_tools_are_refused_with_the_param(
    sim: SimulatorServer, tool: dict[str, Any], param: str, code: str | None
) -> None:
    event = await update(sim, [tool])
    assert event["type"] == "error", event
    assert event["error"]["param"] == f"session.tools[0]{param}"
    if code is not None:
        assert event["error"]["code"] == code


async def test_duplicate_server_labels_are_refused(sim: SimulatorServer) -> None:
    event = await update(sim, [GOOD, {**GOOD, "server_url": "https://other.example.com/mcp"}])
    assert event["error"]["param"] == "session.tools[1].server_label"
    assert "duplicate" in event["error"]["message"]


async def test_full_tool_is_echoed_without_its_secrets(sim: SimulatorServer) -> None:
    tool = {
        **GOOD,
        "allowed_tools": {"tool_names": ["add"], "read_only": True},
        "require_approval": {"never": {"tool_names": ["add"]}},
        "headers": {"X-Api-Key": "secret-1"},
        "authorization": "secret-2",
        "server_description": "A demo server.",
        "allowed_callers": ["direct"],
        "defer_loading": False,
    }
    event = await update(sim, [tool])
    assert event["type"] == "session.updated", event
    echoed = event["session"]["tools"][0]
    expected = {k: x for k, x in tool.items() if k not in ("headers", "authorization")}
    assert echoed == expected
    assert "secret-" not in str(event)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/mcp", "http://localhost:9/mcp"])
async def test_http_is_accepted_to_a_loopback_host(sim: SimulatorServer, url: str) -> None:
    event = await update(sim, [{**GOOD, "server_url": url}])
    assert event["type"] == "session.updated", event


async def test_beta_refuses_mcp_tools(sim: SimulatorServer) -> None:
    event = await update(sim, [GOOD], dialect="beta")
    assert event["type"] == "error"
    assert event["error"]["code"] == "invalid_value"  # the real API's code for a bad enum
    assert event["error"]["param"] == "session.tools[0].type"
    assert event["error"]["message"] == "Invalid value: 'mcp'. Supported values are: 'function'."


async def test_a_new_tool_choice_replaces_the_old_whole(sim: SimulatorServer) -> None:
    """tool_choice is one value, not an object to merge: {mcp, demo, add} then {mcp, demo}
    leaves no name behind (the server would otherwise force ``add`` still)."""
    client = await Client.connect(sim.url, "ga")
    await client.recv_until("session.created")
    tool = {**GOOD, "server_url": "http://127.0.0.1:9/mcp"}
    for choice in (
        {"type": "mcp", "server_label": GOOD["server_label"], "name": "add"},
        {"type": "mcp", "server_label": GOOD["server_label"]},
    ):
        session = {"type": "realtime", "tools": [tool], "tool_choice": choice}
        await client.send("session.update", session=session)
        echoed = (await client.recv_until("session.updated"))["session"]["tool_choice"]
        assert echoed == choice
    await client.close()


async def test_beta_refuses_an_mcp_tool_choice(sim: SimulatorServer) -> None:
    client = await Client.connect(sim.url, "beta")
    await client.recv_until("session.created")
    choice = {"type": "mcp", "server_label": "demo"}
    await client.send("session.update", session={"tool_choice": choice})
    error = (await client.recv_until("error"))["error"]
    assert error["param"] == "session.tool_choice.type" and error["code"] == "invalid_value"
    await client.close()


async def test_beta_refuses_mcp_approval_items(sim: SimulatorServer) -> None:
    client = await Client.connect(sim.url, "beta")
    await client.recv_until("session.created")
    item = {"type": "mcp_approval_response", "approval_request_id": "x", "approve": True}
    await client.send("conversation.item.create", item=item)
    error = (await client.recv_until("error"))["error"]
    assert error["param"] == "item.type" and error["code"] == "invalid_value"
    assert "'mcp_approval_response'" in error["message"]
    await client.close()


async def test_openai_sdk_through_one_mcp_turn(sim: SimulatorServer) -> None:
    """The SDK's own client: listing, a call and the reply, all parsed by its models."""
    client = AsyncOpenAI(
        api_key="sk-test",
        base_url=f"http://127.0.0.1:{sim.port}/v1",
        websocket_base_url=f"ws://127.0.0.1:{sim.port}/v1",
    )
    async with (
        serve_mcp(demo_server()) as demo,
        client.realtime.connect(model="gpt-realtime") as conn,
    ):
        tool = {
            "type": "mcp",
            "server_label": "demo",
            "server_url": demo.url,
            "require_approval": "never",
        }
        await conn.session.update(
            session={
                "type": "realtime",
                "output_modalities": ["text"],
                "tools": [tool],
            }
        )
        seen: list[Any] = []

        async def until(event_type: str) -> Any:
            while True:
                event = await conn.recv()
                assert event.type != "error", event
                seen.append(event)
                if event.type == event_type:
                    return event

        await asyncio.wait_for(until("mcp_list_tools.completed"), 5)
        await conn.conversation.item.create(item=user_text("add 40 and 2"))
        await conn.response.create()
        done = await asyncio.wait_for(until("response.done"), 5)
    call, message = done.response.output
    assert call.type == "mcp_call" and call.output == "42"
    assert message.type == "message"
    assert "The add tool returned: 42" in message.content[0].text
    kinds = {e.type for e in seen}
    assert {"response.mcp_call.in_progress", "response.mcp_call.completed"} <= kinds


async def test_a_secrets_mcp_tool_is_listed_when_its_session_opens(sim: SimulatorServer) -> None:
    async with serve_mcp(demo_server()) as demo:
        tool = {**GOOD, "server_url": demo.url, "authorization": "secret-3"}
        body = json.dumps({"session": {"type": "realtime", "tools": [tool]}})
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{sim.http_url}/realtime/client_secrets",
                data=body,
                headers={"Authorization": "Bearer sk-test", "Content-Type": "application/json"},
            ) as r,
        ):
            answer = await r.json()
        assert "secret-3" not in json.dumps(answer)  # the minted session is echoed without it
        key = answer["value"]
        client = await Client.connect(sim.url, headers={"Authorization": f"Bearer {key}"})
        created = await client.recv_until("session.created")
        assert created["session"]["tools"][0]["server_label"] == "demo"
        await client.recv_until("mcp_list_tools.completed")
        assert any(r.get("authorization") == "Bearer secret-3" for r in demo.requests)
        await client.close()


def test_a_servers_secrets_stay_out_of_its_repr() -> None:
    tool = {**GOOD, "headers": {"X-Api-Key": "secret-4"}, "authorization": "secret-5"}
    server = mcp_tools.server(tool)
    assert server is not None
    assert server.http_headers() == {"X-Api-Key": "secret-4", "Authorization": "Bearer secret-5"}
    assert "secret-" not in repr(server)
