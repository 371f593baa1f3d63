"""``build_response``: the response form's fields as a ``response`` object, each refused field
with its reason (the API's limits), empty fields left out."""

from __future__ import annotations

import pytest

from console.app.response_request import ResponseFields, build_response

ITEMS = {"item_a", "item_b"}


def check(**fields: object) -> tuple[dict[str, object], dict[str, str]]:
    checked = build_response(ResponseFields(**fields), ITEMS, {"session_tool"})  # type: ignore[arg-type]
    return checked.response, checked.errors


def test_empty_fields_send_a_bare_request() -> None:
    assert check() == ({}, {})


def test_every_field_in_its_wire_shape() -> None:
    response, errors = check(
        conversation="none",
        metadata="a=1\n\nb = two words\n",
        input='[{"type": "message", "role": "user", "content": []}, "item_a"]',
        references=["item_b"],
        instructions="Be brief.",
        tools='[{"type": "function", "name": "f"}]',
        tool_choice="f",
        output_modalities="audio",
        max_output_tokens="4096",
        voice="marin",
    )
    assert errors == {}
    assert response == {
        "conversation": "none",
        "metadata": {"a": "1", "b": "two words"},
        "input": [
            {"type": "message", "role": "user", "content": []},
            {"type": "item_reference", "id": "item_a"},
            {"type": "item_reference", "id": "item_b"},
        ],
        "instructions": "Be brief.",
        "tools": [{"type": "function", "name": "f"}],
        "tool_choice": "f",
        "output_modalities": ["audio"],
        "max_output_tokens": 4096,
        "voice": "marin",
    }


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"conversation": "other"}, "conversation", "must be auto or none"),
        ({"metadata": "novalue"}, "metadata", "line 1: write key=value"),
        ({"metadata": "=v"}, "metadata", "line 1: write key=value"),
        ({"metadata": "a=1\na=2"}, "metadata", "the key 'a' is there twice"),
        ({"metadata": "k" * 65 + "=v"}, "metadata", "key longer than 64"),
        ({"metadata": "k=" + "v" * 513}, "metadata", "value longer than 512"),
        ({"metadata": "\n".join(f"k{i}=v" for i in range(17))}, "metadata", "17 pairs: at most 16"),
        ({"input": "[1,"}, "input", "line 1, column 4"),
        ({"input": "{}"}, "input", "must be a JSON list"),
        ({"input": "[3]"}, "input", "entry 1: an item object or an item id"),
        ({"input": '[{"type": "x"}]'}, "input", "entry 1: type must be one of"),
        ({"references": ["item_gone"]}, "input", "no item 'item_gone' in the conversation"),
        ({"tools": "{}"}, "tools", "tools must be a JSON array"),
        ({"tool_choice": "session_tool", "tools": "[]"}, "tool_choice", "this response's tools"),
        ({"tool_choice": "nothing"}, "tool_choice", "among the session's tools"),
        ({"output_modalities": "video"}, "output_modalities", "must be text or audio"),
        ({"max_output_tokens": "0"}, "max_output_tokens", "from 1 to 4096"),
        ({"max_output_tokens": "4097"}, "max_output_tokens", "from 1 to 4096"),
        ({"max_output_tokens": "-5"}, "max_output_tokens", "from 1 to 4096"),
        ({"voice": "two words"}, "voice", "no spaces"),
        ({"voice": '{"id": 3}'}, "voice", "custom voice"),
        ({"voice": "{oops"}, "voice", "column 2"),
    ],
)
def test_a_refused_field_says_why(fields: dict[str, object], field: str, reason: str) -> None:
    response, errors = check(**fields)
    assert list(errors) == [field] and reason in errors[field]
    assert field not in response


def test_every_reason_at_once() -> None:
    _, errors = check(metadata="x", max_output_tokens="x", voice="a b")
    assert set(errors) == {"metadata", "max_output_tokens", "voice"}


def test_session_choices_and_inf() -> None:
    response, errors = check(tool_choice="session_tool", max_output_tokens="inf", input="[]")
    assert errors == {}
    assert response == {"tool_choice": "session_tool", "max_output_tokens": "inf", "input": []}
