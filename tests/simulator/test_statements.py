"""Statements the user asks a tool to keep ("remember that my favourite colour is green"): the
simulator picks the tool from words related to its name or description ("remember" → memory)
and fills a key/value pair from "<key> is <value>", styled as the property's description asks
("lowercase and underscores"). Checked against the console's own ``set_memory`` tool (schema
and handler), and against other schemas, so nothing depends on that tool's name."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from console.inspector.tools import GET_WEATHER, SET_MEMORY, demo_tools
from console.simulator import SimulatorServer
from console.simulator.tool_args import fill_arguments
from console.simulator.tool_choice import choose_tools

from .helpers import Client

MEMORY_CASES = [
    ("Please remember that my favourite colour is green", "favourite_colour", "green"),
    ("Save in memory that my name is Bob", "name", "Bob"),
    ("Remember my favourite colour is dark blue.", "favourite_colour", "dark blue"),
    ("Don't forget that my dog's name is Rex!", "dog_name", "Rex"),
    ("remember: the wifi password is hunter two", "wifi_password", "hunter two"),
]


@pytest.mark.parametrize(("text", "key", "value"), MEMORY_CASES)
def test_memory_arguments_from_a_statement(text: str, key: str, value: str) -> None:
    args = fill_arguments(SET_MEMORY["parameters"], text, SET_MEMORY["name"])
    assert args == {"key": key, "value": value}
    memory: dict[str, Any] = {}
    handler = dict((d["name"], h) for d, h in demo_tools(memory))["set_memory"]
    assert handler(args) == {"ok": True}  # the demo tool accepts them
    assert memory == {key: value}


@pytest.mark.parametrize("text", [t for t, _, _ in MEMORY_CASES])
def test_memory_words_pick_the_memory_tool(text: str) -> None:
    pick = choose_tools(text, [GET_WEATHER, SET_MEMORY], "auto")
    assert [t["name"] for t in pick.tools] == ["set_memory"]


@pytest.mark.parametrize(
    "text",
    [
        "tell me a joke",
        "what is your name?",
        "is it green?",
        "First, say something long enough to keep",  # common verbs are no cue
        "Please note this down",
    ],
)
def test_no_memory_tool_without_a_reason(text: str) -> None:
    assert choose_tools(text, [GET_WEATHER, SET_MEMORY], "auto").tools == []


VARIABLE = {  # another key/value shape: "name" is the key here, described in other words
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "Variable name, in lower case with hyphens"},
        "content": {"type": "string", "description": "What to store"},
    },
    "required": ["name", "content"],
}
PROFILE = {  # no key/value pair: a property named like the statement's subject gets its value
    "type": "object",
    "properties": {
        "favourite_colour": {"type": "string"},
        "city": {"type": "string"},
        "age": {"type": "integer"},
    },
}


def test_key_style_comes_from_the_description() -> None:
    args = fill_arguments(VARIABLE, "Store that the retry limit is five", "store_variable")
    assert args == {"name": "retry-limit", "content": "five"}


def test_a_property_named_like_the_subject_gets_the_value() -> None:
    args = fill_arguments(PROFILE, "my favourite colour is green and my city is Oslo", "update")
    assert args["favourite_colour"] == "green"
    assert args["city"] == "Oslo"
    jsonschema.validate(args, PROFILE)


def test_questions_are_not_statements() -> None:
    args = fill_arguments(SET_MEMORY["parameters"], "What is my name?", "set_memory")
    assert args["key"] != "what"
    jsonschema.validate(args, SET_MEMORY["parameters"])


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize(("text", "key", "value"), MEMORY_CASES[:2])
async def test_the_simulator_calls_set_memory_with_a_usable_key(
    server: SimulatorServer, dialect: str, text: str, key: str, value: str
) -> None:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    tools = [SET_MEMORY, GET_WEATHER]
    session: dict[str, Any] = {"tools": tools, "tool_choice": "auto", "turn_detection": None}
    if dialect == "ga":
        session = {"type": "realtime", "tools": tools, "tool_choice": "auto"}
        session["audio"] = {"input": {"turn_detection": None}}
    await client.send("session.update", session=session)
    await client.recv_until("session.updated")
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")
    output = (await client.recv_until("response.done"))["response"]["output"]
    calls = [o for o in output if o["type"] == "function_call"]
    assert [c["name"] for c in calls] == ["set_memory"]
    assert json.loads(calls[0]["arguments"]) == {"key": key, "value": value}
    await client.close()
