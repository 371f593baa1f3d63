"""Tool arguments from the user's words (a user trial's defects): the words that name the tool are
not argument values, a path, file name or URL goes to a parameter named or described like one,
and integral numbers are written as JSON integers — for function tools and for MCP tools, over a
real socket (MCP against the in-process demo server of ``tests/mcp_servers.py``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from console.simulator import SimulatorServer
from console.simulator.tool_args import fill_arguments
from tests.mcp_servers import RunningMCP, demo_server, serve_mcp

from .test_mcp import ask, listed, mcp_tool, open_session
from .test_tools import turn

PATH_PARAMS = {
    "type": "object",
    "properties": {"path": {"type": "string", "description": "The file to delete."}},
    "required": ["path"],
}


@pytest.fixture
async def demo() -> AsyncIterator[RunningMCP]:
    async with serve_mcp(demo_server()) as running:
        yield running


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please delete_file /tmp/secret.txt", "/tmp/secret.txt"),
        ("please delete_file notes.txt", "notes.txt"),
        ("delete-file 'report.pdf', thanks.", "report.pdf"),
        ("please delete file https://example.com/a?b=1", "https://example.com/a?b=1"),
        # A statement ("the path is …") keeps its value whole: a dot inside it ends no clause.
        ("Please delete the file. The path is /tmp/notes.txt", "/tmp/notes.txt"),
        ("The path is notes.txt. Delete it.", "notes.txt"),
    ],
)
def test_a_path_like_token_fills_a_path_parameter(text: str, expected: str) -> None:
    assert fill_arguments(PATH_PARAMS, text, "delete_file") == {"path": expected}


def test_the_tools_name_is_never_a_value() -> None:
    schema = {"type": "object", "properties": {"note": {"type": "string"}}, "required": ["note"]}
    assert fill_arguments(schema, "please save_note", "save_note")["note"] != "save_note"
    assert fill_arguments(schema, "please save_note groceries", "save_note") == {
        "note": "groceries"
    }


def test_a_path_goes_to_the_path_parameter_and_words_to_the_others() -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "url": {"type": "string"},
            "src_file": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["title", "url", "src_file"],
    }
    args = fill_arguments(schema, "bookmark Weekly from www.example.com/x in a.md", "bookmark")
    assert args == {"title": "Weekly", "url": "www.example.com/x", "src_file": "a.md"}


def test_integers_and_integral_numbers_are_written_without_a_fraction() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "number"}, "c": {"type": "number"}},
    }
    args = fill_arguments(schema, "add 2 and 3 and 1.5", "add")
    assert json.dumps(args, separators=(",", ":")) == '{"a":2,"b":3,"c":1.5}'


async def test_function_tool_gets_the_path(server: SimulatorServer) -> None:
    client = await open_session(
        server, {"type": "function", "name": "delete_file", **{"parameters": PATH_PARAMS}}
    )
    await client.recv_until("session.updated")
    call = (await turn(client, "please delete_file /tmp/secret.txt"))["output"][0]
    assert call["type"] == "function_call" and call["name"] == "delete_file"
    assert call["arguments"] == '{"path":"/tmp/secret.txt"}'
    await client.close()


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("please delete_file /tmp/secret.txt", "/tmp/secret.txt"),
        ("please delete_file notes.txt", "notes.txt"),
    ],
)
async def test_mcp_approval_carries_the_path(
    server: SimulatorServer, demo: RunningMCP, text: str, path: str
) -> None:
    client = await open_session(server, mcp_tool(demo.url))  # approval: always
    await listed(client)
    events = await ask(client, text)
    request = events[-1]["response"]["output"][-1]
    assert request["type"] == "mcp_approval_request" and request["name"] == "delete_file"
    assert request["arguments"] == json.dumps({"path": path}, separators=(",", ":"))
    await client.close()


async def test_mcp_add_arguments_are_integers(server: SimulatorServer, demo: RunningMCP) -> None:
    client = await open_session(server, mcp_tool(demo.url, require_approval="never"))
    item = await listed(client)
    add = next(t for t in item["tools"] if t["name"] == "add")
    assert add["input_schema"]["properties"]["a"]["type"] == "number"  # float in Python
    events = await ask(client, "Please add 2 and 3")
    done = next(e for e in events if e["type"] == "response.mcp_call_arguments.done")
    assert done["arguments"] == '{"a":2,"b":3}'
    call = next(o for o in events[-1]["response"]["output"] if o["type"] == "mcp_call")
    assert call["output"] == "5"
    await client.close()
