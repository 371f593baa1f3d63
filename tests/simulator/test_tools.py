"""Function calls: arguments validate against the tool's JSON Schema (checked with jsonschema),
use the user's words and numbers, and tool_choice is honoured; the reply uses the output."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.simulator import SimulatorServer
from console.simulator.tool_args import fill_arguments

from .helpers import Client

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {}},
    {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 2, "maxLength": 20},
            "days": {"type": "integer", "minimum": 1, "maximum": 14},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "detailed": {"type": "boolean"},
        },
        "required": ["city", "days", "unit"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "properties": {
            "theme": {"type": "string", "enum": ["light", "dark"]},
            "colors": {
                "type": "array",
                "items": {"type": "string", "pattern": "^#[0-9a-f]{6}$", "examples": ["#aabbcc"]},
                "minItems": 5,
                "maxItems": 5,
            },
        },
        "required": ["theme", "colors"],
    },
    {
        "type": "object",
        "$defs": {
            "point": {
                "type": "object",
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                "required": ["x", "y"],
            }
        },
        "properties": {
            "start": {"$ref": "#/$defs/point"},
            "end": {"$ref": "#/$defs/point"},
            "label": {"anyOf": [{"type": "null"}, {"type": "string", "default": "route"}]},
            "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "multipleOf": 0.25},
            "when": {"type": "string", "format": "date", "default": "2025-01-01"},
        },
        "required": ["start", "end"],
    },
    {
        "type": "object",
        "allOf": [
            {"properties": {"a": {"type": "integer", "const": 3}}, "required": ["a"]},
            {"properties": {"b": {"type": ["string", "null"]}}, "required": ["b"]},
        ],
    },
]


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize(
    "text", ["", "weather in Paris for 3 days in fahrenheit", "no 99 -5 1.5 Zed"]
)
def test_arguments_validate(schema: dict[str, Any], text: str) -> None:
    jsonschema.validate(fill_arguments(schema, text, "tool"), schema, format_checker=FORMATS)


FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
CONSTRAINED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "loc": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
        "unit": {"type": "string", "enum": ["c", "f"]},
        "when": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        "day": {"type": "string", "format": "date"},
        "mail": {"type": "string", "format": "email"},
        "id": {"type": "string", "format": "uuid"},
        "site": {"type": "string", "format": "uri"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "phone": {"type": "string", "pattern": "^\\+?[0-9]{7,12}$", "minLength": 8},
        "odd": {"type": "string", "pattern": "^(?=.*[0-9])[a-z0-9]{4}$"},  # beyond the generator
    },
    "required": ["loc", "unit", "when", "day", "mail", "id", "site", "code", "phone"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    "text", ["", "get weather in Zürich 日本 😀 12 unit f", "code ABC in celsius", "c f Zürich"]
)
def test_pattern_format_and_enum_arguments_validate(text: str) -> None:
    args = fill_arguments(CONSTRAINED, text, "get_weather")
    jsonschema.validate(args, CONSTRAINED, format_checker=FORMATS)
    assert "odd" not in args  # an optional field nothing fits is left out


def test_enum_values_match_whole_words_and_words_are_unicode() -> None:
    args = fill_arguments(CONSTRAINED, "get weather in Zürich 12 unit f", "get_weather")
    assert args["loc"]["city"] == "Zürich"
    assert args["unit"] == "f"  # not "c" from inside "Zürich"
    code = {"type": "object", "properties": {"code": CONSTRAINED["properties"]["code"]}}
    assert fill_arguments(code, "the code is ABC", "x")["code"] == "ABC"  # a fitting user word


def test_arguments_use_the_users_words() -> None:
    args = fill_arguments(
        SCHEMAS[1], "get weather in Paris for 3 days in fahrenheit", "get_weather"
    )
    assert args["city"] == "Paris"
    assert args["days"] == 3
    assert args["unit"] == "fahrenheit"


leaf = st.one_of(
    st.builds(
        lambda lo, span: {"type": "integer", "minimum": lo, "maximum": lo + span},
        st.integers(-50, 50),
        st.integers(0, 20),
    ),
    st.builds(lambda lo: {"type": "number", "minimum": lo}, st.floats(-10, 10)),
    st.builds(lambda n: {"type": "string", "minLength": n}, st.integers(0, 8)),
    st.builds(
        lambda xs: {"enum": xs}, st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=4)
    ),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.builds(
        lambda fmt: {"type": "string", "format": fmt},
        st.sampled_from(["date", "date-time", "time", "email", "uuid", "uri", "ipv4", "ipv6"]),
    ),
    st.builds(
        lambda pattern, n: {"type": "string", "pattern": pattern, "maxLength": n},
        st.sampled_from(
            [
                "^[A-Z]{3}$",
                "^#[0-9a-f]{6}$",
                "^\\d{3}-\\d{4}$",
                "^[a-z0-9_-]{1,64}$",
                "^(red|green|blue)$",
                "^[^@\\s]+@[^@\\s]+\\.com$",
                "ab+c",
            ]
        ),
        st.integers(8, 64),
    ),
    st.builds(
        lambda xs: {"type": "string", "enum": xs},
        st.lists(st.sampled_from(["c", "f", "Zürich", "unit", "x y"]), min_size=1, max_size=3),
    ),
)
schemas = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(
            lambda props, n: {"type": "object", "properties": props, "required": sorted(props)[:n]},
            st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner, max_size=4),
            st.integers(0, 4),
        ),
        st.builds(
            lambda items, n: {"type": "array", "items": items, "minItems": n},
            inner,
            st.integers(0, 3),
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    schema=schemas,
    text=st.one_of(
        st.text(max_size=40),
        st.lists(st.sampled_from(["c", "f", "Zürich", "ABC", "red", "12", "日本", "x"])).map(
            " ".join
        ),
    ),
)
def test_arguments_validate_generated(schema: dict[str, Any], text: str) -> None:
    wrapped = {"type": "object", "properties": {"value": schema}, "required": ["value"]}
    jsonschema.validate(fill_arguments(wrapped, text), wrapped, format_checker=FORMATS)


TOOLS = [
    {"type": "function", "name": "get_weather", "parameters": SCHEMAS[1]},
    {"type": "function", "name": "set_color", "parameters": SCHEMAS[2]},
]


async def start(server: SimulatorServer, tool_choice: Any = "auto") -> Client:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send(
        "session.update",
        session={
            "type": "realtime",
            "output_modalities": ["text"],
            "instructions": "Speak like a pirate.",
            "tools": TOOLS,
            "tool_choice": tool_choice,
            "audio": {"input": {"turn_detection": None}},
        },
    )
    await client.recv_until("session.updated")
    return client


async def turn(client: Client, text: str, **response: Any) -> dict[str, Any]:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create", **({"response": response} if response else {}))
    return (await client.recv_until("response.done"))["response"]


@pytest.mark.parametrize(
    ("tool_choice", "text", "expected"),
    [
        ("auto", "tell me a joke", None),
        ("auto", "please get weather for Rome", "get_weather"),
        ("auto", "call set_color with a dark theme", "set_color"),
        ("none", "please get weather for Rome", None),
        ("required", "hello", "get_weather"),
        ("required", "use set color", "set_color"),
        ({"type": "function", "name": "set_color"}, "get weather in Rome", "set_color"),
    ],
)
async def test_tool_choice(
    server: SimulatorServer, tool_choice: Any, text: str, expected: str | None
) -> None:
    client = await start(server, tool_choice)
    output = (await turn(client, text))["output"][0]
    if expected is None:
        assert output["type"] == "message"
    else:
        assert output["type"] == "function_call" and output["name"] == expected
        schema = next(t["parameters"] for t in TOOLS if t["name"] == expected)
        jsonschema.validate(json.loads(output["arguments"]), schema)
        assert output["call_id"].startswith("call_")
    await client.close()


async def test_describes_instructions_and_tools(server: SimulatorServer) -> None:
    client = await start(server)
    text = (await turn(client, "What are your instructions?"))["output"][0]["content"][0]["text"]
    assert text == "My instructions are: Speak like a pirate."
    text = (await turn(client, "which tools do you have?"))["output"][0]["content"][0]["text"]
    assert text == "I have 2 tools: get_weather, set_color."
    text = (await turn(client, "instructions?", instructions="Per-response rules."))["output"][0][
        "content"
    ][0]["text"]
    assert text == "My instructions are: Per-response rules."
    await client.close()


async def test_function_output_round_trip_and_args_stream(server: SimulatorServer) -> None:
    client = await start(server)
    start_at = len(client.received)
    call = (await turn(client, "get weather for Lima, 5 days"))["output"][0]
    deltas = [
        e["delta"]
        for e in client.received[start_at:]
        if e["type"] == "response.function_call_arguments.delta"
    ]
    assert "".join(deltas) == call["arguments"]
    assert json.loads(call["arguments"])["city"] == "Lima"
    await client.send(
        "conversation.item.create",
        item={
            "type": "function_call_output",
            "call_id": call["call_id"],
            "output": '{"sky": "clear"}',
        },
    )
    await client.send("response.create")
    reply = (await client.recv_until("response.done"))["response"]["output"][0]
    assert reply["content"][0]["text"] == 'The get_weather tool returned: {"sky": "clear"}'
    await client.close()


async def test_max_output_tokens_makes_response_incomplete(server: SimulatorServer) -> None:
    client = await start(server)
    done = await turn(
        client, "a fairly long sentence that goes on and on and on", max_output_tokens=3
    )
    assert done["status"] == "incomplete"
    assert done["status_details"]["reason"] == "max_output_tokens"
    assert len(done["output"][0]["content"][0]["text"]) <= 12
    await client.close()


async def test_response_input_with_item_reference(server: SimulatorServer) -> None:
    client = await start(server)
    item = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "remember me"}],
    }
    await client.send("conversation.item.create", item=item)
    ref = (await client.recv_until("conversation.item.added"))["item"]["id"]
    await client.send(
        "response.create",
        response={"conversation": "none", "input": [{"type": "item_reference", "id": ref}]},
    )
    done = (await client.recv_until("response.done"))["response"]
    assert done["output"][0]["content"][0]["text"] == "You said: remember me"
    await client.close()
