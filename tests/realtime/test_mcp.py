"""MCP in the library: the conversation's MCP items, approvals and MCP tool definitions.

The scripted server plays the MCP event sequences (each checked against the openai SDK's GA
server-event model first, so the script is what OpenAI sends); the client must keep them in
``formatted["mcp"]``, dispatch ``conversation.updated`` and never fail on malformed ones.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter

from console.realtime import RealtimeClient, SessionConfigError
from console.realtime.mcp_tools import MASK, check_mcp_tool, masked_tool, unmask_tool
from tests.realtime.helpers import Recorder
from tests.realtime.scripted_server import ScriptedServer

SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(RealtimeServerEvent)
_serial = iter(range(1, 1_000_000))


def event(event_type: str, *, sdk: bool = True, **fields: Any) -> dict[str, Any]:
    """A server event (validated by the SDK's model unless ``sdk`` is False)."""
    shaped = {"event_id": f"event_{next(_serial)}", "type": event_type, **fields}
    if sdk:
        SERVER_EVENT.validate_python(shaped)
    return shaped


def added(item: dict[str, Any], dialect: str) -> dict[str, Any]:
    kind = "conversation.item.created" if dialect == "beta" else "conversation.item.added"
    return event(kind, sdk=dialect == "ga", previous_item_id=None, item=item)


LIST_ITEM = {"id": "mcpl_1", "type": "mcp_list_tools", "server_label": "weather", "tools": []}
TOOLS = [
    {"name": "forecast", "input_schema": {"type": "object"}, "description": "d"},
    {"name": "set_alarm", "input_schema": {"type": "object"}},
]


async def _play(server: ScriptedServer, events: list[dict[str, Any]]) -> None:
    for frame in events:
        await server.inject(frame)


async def test_listing_fills_the_item_and_updates(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    recorder = Recorder(client, "conversation.updated", "error")
    done = {**LIST_ITEM, "tools": TOOLS}
    await _play(
        server,
        [
            added(LIST_ITEM, dialect),
            event("mcp_list_tools.in_progress", item_id="mcpl_1"),
            event("mcp_list_tools.completed", item_id="mcpl_1"),
            event("conversation.item.done", previous_item_id=None, item=done),
        ],
    )
    item = await recorder.wait_for(
        lambda: (
            (i := client.conversation.get_item("mcpl_1")) and i["formatted"]["mcp"]["tools"] and i
        ),
        what="the listed tools",
    )
    view = item["formatted"]["mcp"]
    assert view == {
        "kind": "list_tools",
        "server_label": "weather",
        "status": "completed",
        "tools": ["forecast", "set_alarm"],
        "error": None,
    }
    statuses = [u["delta"] for u in recorder.events["conversation.updated"] if u["delta"]]
    assert {"mcp_status": "in_progress"} in statuses
    assert {"mcp_status": "completed"} in statuses
    assert recorder.events["error"] == []


async def test_a_status_before_its_item_is_kept_not_an_error(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    recorder = Recorder(client, "conversation.item.appended", "error")
    await _play(
        server,
        [
            event("mcp_list_tools.in_progress", item_id="mcpl_1"),
            event("mcp_list_tools.failed", item_id="mcpl_1"),
            added({**LIST_ITEM, "error": "connection refused"}, dialect),
        ],
    )
    await recorder.count("conversation.item.appended", 1)
    view = client.conversation.get_item("mcpl_1")["formatted"]["mcp"]  # type: ignore[index]
    assert view["status"] == "failed"
    assert view["error"] == "connection refused"
    assert recorder.events["error"] == []


def _call_events(dialect: str, last: list[dict[str, Any]]) -> list[dict[str, Any]]:
    call = {
        "id": "mcp_1",
        "type": "mcp_call",
        "server_label": "weather",
        "name": "forecast",
        "arguments": "",
    }
    response = {"id": "resp_1", "object": "realtime.response", "status": "in_progress"}
    common = {"item_id": "mcp_1", "output_index": 0}
    return [
        event("response.created", sdk=False, response={**response, "output": []}),
        event("response.output_item.added", sdk=False, response_id="resp_1", item=call,
              output_index=0),
        added(call, dialect),
        event("response.mcp_call_arguments.delta", response_id="resp_1", delta='{"city": ',
              **common),
        event("response.mcp_call_arguments.delta", response_id="resp_1", delta='"Paris"}',
              **common),
        event("response.mcp_call_arguments.done", response_id="resp_1",
              arguments='{"city": "Paris"}', **common),
        event("response.mcp_call.in_progress", **common),
        *last,
    ]  # fmt: skip


async def test_a_call_streams_its_arguments_then_its_output(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    recorder = Recorder(client, "conversation.updated", "error")
    result = {
        "id": "mcp_1",
        "type": "mcp_call",
        "server_label": "weather",
        "name": "forecast",
        "arguments": '{"city": "Paris"}',
        "output": "Sunny, 21 C",
    }
    last = [
        event("response.mcp_call.completed", item_id="mcp_1", output_index=0),
        event("response.output_item.done", response_id="resp_1", output_index=0, item=result),
    ]
    await _play(server, _call_events(dialect, last))
    item = await recorder.wait_for(
        lambda: (i := client.conversation.get_item("mcp_1")) and i.get("output") and i,
        what="the call's output",
    )
    assert item["formatted"]["mcp"] == {
        "kind": "call",
        "server_label": "weather",
        "name": "forecast",
        "arguments": '{"city": "Paris"}',
        "status": "completed",
        "output": "Sunny, 21 C",
        "error": None,
        "approval_request_id": None,
    }
    deltas = [u["delta"] for u in recorder.events["conversation.updated"] if u["delta"]]
    assert {"arguments": '{"city": '} in deltas and {"arguments": '"Paris"}'} in deltas
    assert recorder.events["error"] == []


async def test_a_failed_call_says_why(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    recorder = Recorder(client, "conversation.updated")
    error = {"type": "http_error", "code": 503, "message": "Service Unavailable"}
    result = {
        "id": "mcp_1",
        "type": "mcp_call",
        "server_label": "weather",
        "name": "forecast",
        "arguments": '{"city": "Paris"}',
        "error": error,
    }
    last = [
        event("response.mcp_call.failed", item_id="mcp_1", output_index=0),
        event("response.output_item.done", response_id="resp_1", output_index=0, item=result),
    ]
    await _play(server, _call_events(dialect, last))
    view = await recorder.wait_for(
        lambda: (
            (i := client.conversation.get_item("mcp_1"))
            and i["formatted"]["mcp"]["error"]
            and i["formatted"]["mcp"]
        ),
        what="the call's error",
    )
    assert view["status"] == "failed"
    assert view["error"] == "Service Unavailable (http_error 503)"


async def test_malformed_mcp_events_never_break_the_session(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    """Bad MCP events become ``error`` events at most; the session goes on."""
    recorder = Recorder(
        client, "error", "conversation.item.appended", "conversation.item.completed"
    )
    await _play(
        server,
        [
            {"type": "mcp_list_tools.completed"},
            {"type": "mcp_list_tools.failed", "item_id": 7},
            {"type": "response.mcp_call_arguments.delta", "item_id": "nope", "delta": 5},
            {"type": "response.mcp_call.completed", "item_id": "nope"},
            {"type": "response.mcp_call_arguments.done", "item_id": "nope", "arguments": None},
            added({"id": "x1", "type": "mcp_call", "tools": "?", "error": {"message": 3}}, dialect)
            if dialect == "beta"
            else {"type": "conversation.item.added", "item": {"id": "x1", "type": "mcp_call",
                                                               "error": {"message": 3}}},
            {"type": "response.mcp_call_arguments.delta", "item_id": "x1", "delta": 5},
        ],
    )  # fmt: skip
    await recorder.count("conversation.item.appended", 1)
    client.send_user_message_content([{"type": "input_text", "text": "still there?"}])
    await recorder.wait_for(
        lambda: any(
            e["item"].get("role") == "assistant"
            for e in recorder.events["conversation.item.completed"]
        ),
        what="a reply after the malformed events",
    )
    assert client.conversation.get_item("x1")["formatted"]["mcp"]["error"] == "unknown error"  # type: ignore[index]


async def test_respond_mcp_approval_sends_the_answer_then_a_response(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    recorder = Recorder(
        client, "conversation.item.appended", "realtime.event", "conversation.updated"
    )
    request = {
        "id": "mcpr_1",
        "type": "mcp_approval_request",
        "server_label": "weather",
        "name": "set_alarm",
        "arguments": '{"at": "7:00"}',
    }
    await server.inject(added(request, dialect))
    await recorder.count("conversation.item.appended", 1)
    assert [i["id"] for i in client.pending_mcp_approvals()] == ["mcpr_1"]
    client.respond_mcp_approval("mcpr_1", False, "not now")
    await recorder.count("conversation.item.appended", 3)  # the answer, then the reply
    sent = [e["event"] for e in recorder.events["realtime.event"] if e["source"] == "client"]
    creates = [e for e in sent if e["type"] == "conversation.item.create"]
    assert creates[-1]["item"] == {
        "type": "mcp_approval_response",
        "approval_request_id": "mcpr_1",
        "approve": False,
        "reason": "not now",
    }
    assert sent[-1]["type"] == "response.create"
    assert client.conversation.get_item("mcpr_1")["formatted"]["mcp"]["answer"] == "denied"  # type: ignore[index]
    assert client.pending_mcp_approvals() == []
    request_updates = [
        u["delta"] for u in recorder.events["conversation.updated"] if u["item"]["id"] == "mcpr_1"
    ]
    assert request_updates[-2:] == [{"mcp": "sent"}, {"mcp": "denied"}]  # sent, then confirmed
    with pytest.raises(ValueError, match="denied already"):
        client.respond_mcp_approval("mcpr_1", True)
    with pytest.raises(ValueError, match="approve must be"):
        client.respond_mcp_approval("mcpr_2", "yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", ["ga"])
async def test_add_mcp_tool_goes_with_the_session_tools(
    server: ScriptedServer, client: RealtimeClient
) -> None:
    recorder = Recorder(client, "realtime.event")
    client.add_tool({"name": "ping", "parameters": {"type": "object"}}, lambda _: "pong")
    client.add_mcp_tool(
        "weather",
        "https://mcp.example.com/mcp",
        allowed_tools=["forecast"],
        require_approval="never",
        headers={"Authorization": "Bearer s3cret"},
    )
    updates = await recorder.wait_for(
        lambda: [
            e["event"]
            for e in recorder.events["realtime.event"]
            if e["source"] == "client"
            and e["event"]["type"] == "session.update"
            and any(t.get("type") == "mcp" for t in e["event"]["session"].get("tools", []))
        ],
        what="a session.update with the MCP tool",
    )
    tools = updates[-1]["session"]["tools"]
    assert {"type": "function", "name": "ping", "parameters": {"type": "object"}} in tools
    assert {
        "type": "mcp",
        "server_label": "weather",
        "server_url": "https://mcp.example.com/mcp",
        "allowed_tools": ["forecast"],
        "require_approval": "never",
        "headers": {"Authorization": "Bearer s3cret"},
    } in tools
    with pytest.raises(ValueError, match="already added"):
        client.add_mcp_tool("weather", "https://other.example.com/mcp")
    client.remove_mcp_tool("weather")
    await recorder.wait_for(
        lambda: (last := [e for e in recorder.events["realtime.event"]
                          if e["event"]["type"] == "session.update"][-1])
        and all(t.get("type") != "mcp" for t in last["event"]["session"]["tools"]),
        what="the tool list without it",
    )  # fmt: skip


@pytest.mark.parametrize("dialect", ["ga"])
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"server_url": "ftp://example.com/mcp"}, "must start with https://"),
        ({"server_url": "https:///mcp"}, "names no host"),
        ({"server_label": "1weather"}, "must start with a letter"),
        ({"server_label": "we ather"}, "must start with a letter"),
        ({"require_approval": "sometimes"}, "always or never"),
        ({"allowed_tools": "forecast"}, "list of tool names"),
        ({"headers": {"Bad Name": "x"}}, "not a valid HTTP header name"),
        ({"headers": {"X-Key": "a\nb"}}, "one-line string"),
        ({"sever_url": "https://x"}, "unknown MCP tool field 'sever_url'"),
    ],
)
async def test_bad_mcp_tools_are_refused_before_sending(
    server: ScriptedServer, client: RealtimeClient, change: dict[str, Any], reason: str
) -> None:
    definition = {"server_label": "weather", "server_url": "https://mcp.example.com/mcp"}
    definition.update(change)
    before = len(server.connections[-1].received)
    with pytest.raises(SessionConfigError, match=reason):
        client.add_mcp_tool(**definition)  # type: ignore[arg-type]
    with pytest.raises(SessionConfigError, match=reason):
        client.update_session(tools=[{"type": "mcp", **definition}])
    assert client.mcp_tools == {}
    assert "tools" not in client.session_config or client.session_config["tools"] == []
    assert len(server.connections[-1].received) == before


def test_masking_hides_secrets_and_restores_them() -> None:
    tool = check_mcp_tool(
        {
            "type": "mcp",
            "server_label": "weather",
            "server_url": "https://mcp.example.com/mcp",
            "headers": {"Authorization": "Bearer s3cret"},
            "authorization": "tok",
        }
    )
    shown = masked_tool(tool)
    assert "s3cret" not in json.dumps(shown) and "tok" not in json.dumps(shown)
    assert shown["headers"] == {"Authorization": MASK}
    assert unmask_tool(shown, [tool]) == tool
    typed = {**shown, "headers": {"Authorization": MASK, "X-New": "v"}}
    assert unmask_tool(typed, [tool])["headers"] == {"Authorization": "Bearer s3cret", "X-New": "v"}
    with pytest.raises(SessionConfigError, match="masked but was never entered"):
        unmask_tool({**shown, "headers": {"X-Other": MASK}}, [tool])


@pytest.mark.parametrize("dialect", ["beta"])
async def test_the_beta_protocol_has_no_mcp_tools(
    server: ScriptedServer, client: RealtimeClient
) -> None:
    before = len(server.connections[-1].received)
    with pytest.raises(SessionConfigError, match="GA protocol"):
        client.add_mcp_tool("weather", "https://mcp.example.com/mcp")
    tool = {"type": "mcp", "server_label": "weather", "server_url": "https://mcp.example.com/mcp"}
    with pytest.raises(SessionConfigError, match="GA protocol"):
        client.update_session(tools=[tool])
    assert client.mcp_tools == {} and len(server.connections[-1].received) == before


async def test_a_response_takes_checked_mcp_tools(
    server: ScriptedServer, client: RealtimeClient, dialect: str
) -> None:
    recorder = Recorder(client, "realtime.event")
    tool = {"type": "mcp", "server_label": "docs", "server_url": "https://docs.example.com/mcp"}
    bad = {**tool, "server_url": "file:///etc/passwd"}
    with pytest.raises(
        SessionConfigError, match="must start with https://" if dialect == "ga" else "GA protocol"
    ):
        client.create_response({"tools": [bad]})
    if dialect == "beta":
        return
    client.create_response({"tools": [tool], "conversation": "none"})
    sent = await recorder.wait_for(
        lambda: [e["event"] for e in recorder.events["realtime.event"]
                 if e["event"]["type"] == "response.create"],
        what="the response.create",
    )  # fmt: skip
    assert sent[0]["response"]["tools"] == [tool]  # the bad one never left


async def test_debug_logs_mask_mcp_secrets(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="console.realtime")
    client = RealtimeClient(url=server.url, api_key="sk-test-0123456789abcdef", debug=True)
    client.add_mcp_tool("weather", "https://mcp.example.com/mcp", headers={"X-Key": "s3cr3t-v"})
    await client.connect()
    try:
        assert await client.wait_for_session_created(5)
        updated = await client.realtime.wait_for_next("server.session.updated", 5)
        assert updated is not None
    finally:
        await client.disconnect()
    sent = [r.getMessage() for r in caplog.records if "sent: session.update" in r.getMessage()]
    assert sent and "weather" in sent[0]
    assert "s3cr3t-v" not in caplog.text
