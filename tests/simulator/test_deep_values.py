"""Deeply nested values in fields the simulator keeps as given (``tracing``, ``tools``, an MCP
``tool_choice``) are refused with ``invalid_value`` naming the field, not a ``server_error``
with a traceback (copying them recursed past Python's limit); the connection keeps working and
nothing was applied. Fields validated key by key (``prompt``, ``truncation``, ``reasoning``)
refuse them at their first wrong key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console.simulator import SimulatorServer
from console.simulator.validation import MAX_NESTING

from .helpers import Client

DEEP = 900  # under the JSON parser's own limit: the frame parses, the value is refused


def deep(depth: int = DEEP) -> Any:
    """Lists nested ``depth`` levels deep (built without recursion)."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def deep_object(depth: int = DEEP) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def _function(parameters: Any) -> dict[str, Any]:
    return {"type": "function", "name": "f", "parameters": parameters}


# (dialect, client event type, payload key, payload, the param the error names)
CASES: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("ga", "session.update", "session", {"tracing": {"metadata": deep()}}, "session.tracing"),
    ("ga", "session.update", "session", {"tracing": {"metadata": deep_object()}},
     "session.tracing"),
    ("ga", "session.update", "session", {"tools": [_function({"default": deep()})]},
     "session.tools[0].parameters"),
    ("ga", "session.update", "session", {"tools": [_function(deep_object())]},
     "session.tools[0].parameters"),
    ("ga", "session.update", "session",
     {"tools": [{"type": "mcp", "server_label": "m", "headers": deep()}]}, "session.tools[0]"),
    ("ga", "session.update", "session",
     {"tool_choice": {"type": "mcp", "server_label": deep()}}, "session.tool_choice"),
    ("ga", "response.create", "response", {"tools": [_function({"enum": deep()})]},
     "response.tools[0].parameters"),
    ("beta", "session.update", "session", {"tracing": {"metadata": deep()}}, "session.tracing"),
    ("beta", "session.update", "session", {"tools": [_function({"default": deep()})]},
     "session.tools[0].parameters"),
    ("beta", "response.create", "response", {"tools": [_function(deep_object())]},
     "response.tools[0].parameters"),
]  # fmt: skip


async def _connected(server: SimulatorServer, dialect: str) -> Client:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    return client


async def _still_works(client: Client) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")
    assert (await client.recv_until("response.done"))["response"]["status"] == "completed"


@pytest.mark.parametrize(
    ("dialect", "kind", "key", "payload", "param"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[4]}" for c in CASES],
)
async def test_deep_value_is_invalid_value_naming_the_field(
    server: SimulatorServer,
    dialect: str,
    kind: str,
    key: str,
    payload: dict[str, Any],
    param: str,
) -> None:
    client = await _connected(server, dialect)
    if key == "session" and dialect == "ga":
        payload = {"type": "realtime", **payload}
    await client.send_raw(json.dumps({"type": kind, "event_id": "deep", key: payload}))
    error = await client.error()
    assert error["type"] == "invalid_request_error", error
    assert error["code"] == "invalid_value", error
    assert error["param"] == param
    assert error["event_id"] == "deep"
    assert str(MAX_NESTING) in error["message"]
    await _still_works(client)
    assert not [e for e in client.received if e["type"] == "session.updated"]
    await client.close()


# (client event type, payload key, payload, the error's code and param)
VALIDATED: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("session.update", "session", {"prompt": {"id": "p", "variables": deep()}},
     "invalid_type", "session.prompt.variables"),
    ("session.update", "session", {"prompt": deep_object()},
     "unknown_parameter", "session.prompt.a"),
    ("session.update", "session",
     {"truncation": {"type": "retention_ratio", "retention_ratio": 0.5, "token_limits": deep()}},
     "invalid_type", "session.truncation.token_limits"),
    ("session.update", "session", {"reasoning": deep_object()},
     "unknown_parameter", "session.reasoning.a"),
    ("response.create", "response", {"prompt": {"id": "p", "variables": deep()}},
     "invalid_type", "response.prompt.variables"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "key", "payload", "code", "param"), VALIDATED)
async def test_deep_value_in_a_validated_field_is_refused_at_its_key(
    server: SimulatorServer, kind: str, key: str, payload: dict[str, Any], code: str, param: str
) -> None:
    client = await _connected(server, "ga")
    if key == "session":
        payload = {"type": "realtime", **payload}
    await client.send_raw(json.dumps({"type": kind, "event_id": "deep", key: payload}))
    error = await client.error()
    assert (error["code"], error["param"], error["event_id"]) == (code, param, "deep"), error
    await _still_works(client)
    assert not [e for e in client.received if e["type"] == "session.updated"]
    await client.close()


async def test_nesting_up_to_the_limit_is_kept(server: SimulatorServer) -> None:
    client = await _connected(server, "ga")
    metadata = deep_object(MAX_NESTING - 1)  # with the tracing object: MAX_NESTING levels
    session = {"type": "realtime", "tracing": {"metadata": metadata}}
    await client.send("session.update", session=session)
    updated = await client.recv_until("session.updated")
    assert updated["session"]["tracing"]["metadata"] == metadata
    await client.close()
