"""Hostile frames shared by the fuzzers: hypothesis strategies and a seeded raw-frame generator.

Each generator yields ``(kind, frame)`` where ``frame`` is ``str`` (a text frame) or ``bytes``
(a binary frame). The kinds cover wrong types, huge and deeply nested values, invalid base64,
odd byte counts, unknown and duplicate ids, out-of-order events, binary frames and hostile
tool schemas; oversized frames are sent by the tests themselves (they close the socket).
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

WRONG_TYPES: list[Any] = [None, True, 0, -1, 2**70, 1.5, -0.0, "", "x" * 40, [], {}, [1, "a"]]

JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)


def nested(depth: int, kind: str = "list") -> str:
    """JSON text nested ``depth`` levels deep (lists or objects)."""
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def odd_audio(n_bytes: int = 481) -> str:
    """Base64 of an odd number of bytes: not whole PCM16 samples."""
    return base64.b64encode(bytes(range(256)) * (n_bytes // 256) + bytes(n_bytes % 256)).decode()


INVALID_BASE64 = ["!!!!", "abc", "a===", "\u00e9\u00e9\u00e9\u00e9", "YWJj\nZA", "====", "A" * 5]

HOSTILE_SCHEMAS: list[dict[str, Any]] = [
    {"type": "string", "pattern": "(a+)+b"},
    {"type": "string", "minLength": 10_000_000},
    {"type": "array", "minItems": 100, "items": {"type": "array", "minItems": 100}},
    {"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}},
    {"type": "object", "properties": {"x": {"type": 7}}},
    {"type": ["string", {"evil": True}]},
    {"enum": []},
    {"type": "integer", "minimum": 10, "maximum": 1},
]


def tool(parameters: Any, name: Any = "hostile") -> dict[str, Any]:
    return {"type": "function", "name": name, "description": "x", "parameters": parameters}


# -- frames a hostile client sends to a server (simulator, relay) ---------------------------


def client_templates() -> list[dict[str, Any]]:
    """Well-formed GA client events that the mutations start from."""
    user = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "hello"}],
    }
    return [
        {"type": "session.update", "session": {"type": "realtime", "instructions": "x"}},
        {"type": "input_audio_buffer.append", "audio": base64.b64encode(bytes(480)).decode()},
        {"type": "input_audio_buffer.commit"},
        {"type": "input_audio_buffer.clear"},
        {"type": "conversation.item.create", "item": user},
        {"type": "conversation.item.retrieve", "item_id": "item_x"},
        {"type": "conversation.item.delete", "item_id": "item_x"},
        {
            "type": "conversation.item.truncate",
            "item_id": "item_x",
            "content_index": 0,
            "audio_end_ms": 1,
        },
        {"type": "response.cancel"},
    ]


def bad_client_frames(rng: random.Random, count: int) -> Iterator[tuple[str, str | bytes]]:
    """``count`` bad client frames, every one of which a server must answer with ``error``."""
    templates = client_templates()
    makers = [
        lambda: ("not_json", rng.choice(["{", "nope", "", "{'a': 1}", "[1,", "\u0000"])),
        lambda: ("not_object", json.dumps(rng.choice([[], [1], 3, "s", None, True]))),
        lambda: ("type_wrong", json.dumps({"type": rng.choice([*WRONG_TYPES[:-3], [1]])})),
        lambda: ("type_unknown", json.dumps({"type": f"bogus.{rng.randrange(10**6)}"})),
        lambda: ("no_type", json.dumps({"event_id": "e", "item": {}})),
        lambda: (
            "field_wrong_type",
            json.dumps(_wrong_field(rng, rng.choice(templates))),
        ),
        lambda: ("nested_deep", '{"type": "session.update", "session": ' + nested(5000) + "}"),
        lambda: (
            "nested_obj",
            '{"type": "conversation.item.create", "item": ' + nested(3000, "o") + "}",
        ),
        lambda: (
            "invalid_base64",
            json.dumps({"type": "input_audio_buffer.append", "audio": rng.choice(INVALID_BASE64)}),
        ),
        lambda: (
            "unknown_id",
            json.dumps(
                {
                    "type": rng.choice(["conversation.item.retrieve", "conversation.item.delete"]),
                    "item_id": f"item_unknown_{rng.randrange(10**6)}",
                }
            ),
        ),
        lambda: (
            "truncate_unknown",
            json.dumps(
                {
                    "type": "conversation.item.truncate",
                    "item_id": "item_nope",
                    "content_index": rng.choice([0, -1, 10**9]),
                    "audio_end_ms": rng.choice([-5, 0, 10**12]),
                }
            ),
        ),
        lambda: (
            "out_of_order",
            json.dumps(
                {
                    "type": "conversation.item.create",
                    "previous_item_id": f"item_future_{rng.randrange(10**6)}",
                    "item": templates[4]["item"],
                }
            ),
        ),
        lambda: ("nested_field", _nested_field(rng)),
        lambda: (
            "huge_value",
            json.dumps({"type": "session.update", "session": {"x" * 20_000: 1}}),
        ),
        lambda: (
            "huge_number",
            '{"type": "session.update", "session": {"temperature": ' + "9" * 5000 + "}}",
        ),
        lambda: ("binary", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))),
        lambda: (
            "hostile_schema_type",
            json.dumps(
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "tools": [tool(rng.choice(WRONG_TYPES[:9]))]},
                }
            ),
        ),
    ]
    for _ in range(count):
        kind, frame = rng.choice(makers)()
        yield kind, frame


def _nested_field(rng: random.Random) -> str:
    """A ``session.update`` whose prompt, tracing or tool schema nests 200 to 900 levels deep:
    the frame parses, the value is refused (past the simulator's 100-level limit)."""
    inner = nested(rng.randrange(200, 900), rng.choice(["list", "o"]))
    field = rng.choice(
        [
            '"prompt": {"id": "p", "variables": %s}',
            '"tracing": {"metadata": %s}',
            '"tools": [{"type": "function", "name": "f", "parameters": {"default": %s}}]',
            '"tools": [{"type": "mcp", "server_label": "m", "headers": %s}]',
        ]
    )
    return '{"type": "session.update", "session": {"type": "realtime", ' + field % inner + "}}"


def _wrong_field(rng: random.Random, template: dict[str, Any]) -> dict[str, Any]:
    """``template`` with one of its fields (or the first level below) replaced by a wrong type."""
    event = json.loads(json.dumps(template))
    keys = [k for k in event if k != "type"]
    if not keys:
        event["item_id"] = rng.choice(WRONG_TYPES)
        event["type"] = "conversation.item.retrieve"
        return event
    key = rng.choice(keys)
    value = event[key]
    if isinstance(value, dict) and value and rng.random() < 0.5:
        inner = rng.choice([k for k in value if k != "type"] or list(value))
        value[inner] = rng.choice(WRONG_TYPES)
        if inner == "type" or event["type"] in ("session.update",):
            value["tools"] = 7  # a wrong type the server must refuse, whatever else it allows
    else:
        event[key] = rng.choice([w for w in WRONG_TYPES if not isinstance(w, dict)])
    return event


# -- frames a hostile server sends to a client -----------------------------------------------


def bad_server_frames(rng: random.Random, count: int) -> Iterator[tuple[str, str | bytes]]:
    """``count`` bad server frames, every one of which the client must report as ``error``.

    Every frame refers to items the client never saw (ids start with ``ghost_``) or is
    not a well-formed event, so none can be applied to the conversation.
    """

    def ghost() -> str:
        return f"ghost_{rng.randrange(10**6)}"

    makers = [
        lambda: ("not_json", rng.choice(["{", "nope", "", "[1,", "\u0000", "{'a': 1}"])),
        lambda: ("not_object", json.dumps(rng.choice([[], [1], 3, "s", None, True]))),
        lambda: (
            "type_wrong",
            json.dumps({"type": rng.choice([w for w in WRONG_TYPES if not isinstance(w, str)])}),
        ),
        lambda: ("no_type", json.dumps({"event_id": "e", "item": {}})),
        lambda: ("nested_deep", nested(200_000)),
        lambda: ("nested_obj", nested(100_000, "o")),
        lambda: ("binary", bytes([0xFF, 0xFE]) + bytes(rng.randrange(256) for _ in range(20))),
        lambda: (
            "unknown_id",
            json.dumps(
                {
                    "type": rng.choice(
                        [
                            "response.output_audio.delta",
                            "response.output_text.delta",
                            "response.output_audio_transcript.delta",
                            "response.function_call_arguments.delta",
                            "conversation.item.deleted",
                            "conversation.item.truncated",
                        ]
                    ),
                    "item_id": ghost(),
                    "content_index": 0,
                    "delta": "x",
                    "audio_end_ms": 1,
                }
            ),
        ),
        lambda: (
            "invalid_base64",
            json.dumps(
                {
                    "type": "response.output_audio.delta",
                    "item_id": ghost(),
                    "delta": rng.choice(INVALID_BASE64),
                }
            ),
        ),
        lambda: (
            "id_wrong_type",
            json.dumps(
                {
                    "type": rng.choice(
                        ["response.output_audio.delta", "conversation.item.deleted"]
                    ),
                    "item_id": rng.choice(WRONG_TYPES),
                    "delta": "AAAA",
                }
            ),
        ),
        lambda: (
            "item_wrong_type",
            json.dumps(
                {
                    "type": rng.choice(["conversation.item.added", "conversation.item.done"]),
                    "item": rng.choice(WRONG_TYPES[:9]),
                }
            ),
        ),
        lambda: (
            "out_of_order",
            json.dumps(
                {
                    "type": "response.output_item.done",
                    "response_id": ghost(),
                    "output_index": 0,
                }
            ),
        ),
    ]
    for _ in range(count):
        yield rng.choice(makers)()
