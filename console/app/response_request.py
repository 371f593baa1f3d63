"""A ``response.create``'s options from the response form's fields, checked before sending.

The form (``screens/response_form.py``) keeps what the user typed, as text; ``build_response``
turns it into the ``response`` object ``RealtimeClient.create_response`` takes (GA spelling:
the library sends it in the connection's dialect) or into the reasons, field by field, why it
cannot go. A field left empty is left out, so the session's setting applies to the response.
The limits are the API's (the SDK's ``RealtimeResponseCreateParams``): at most 16 metadata
pairs, keys of at most 64 characters and values of at most 512; ``max_output_tokens`` from 1
to 4096 or ``inf``; ``input`` a list of items or references to items of the conversation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from console.app.widgets.tools_editor import ToolsError, parse_tools

MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
MAX_OUTPUT_TOKENS = 4096
TOOL_CHOICE_MODES = ("auto", "none", "required")
INPUT_ITEM_TYPES = ("message", "function_call", "function_call_output", "item_reference")
FIELDS = (
    "conversation",
    "metadata",
    "input",
    "instructions",
    "tools",
    "tool_choice",
    "output_modalities",
    "max_output_tokens",
    "voice",
)
"""The form's fields, in its order (each has its own error line)."""


@dataclass
class ResponseFields:
    """What the form holds, as typed. Empty means "the session's" (left out)."""

    conversation: str = "auto"
    """``auto`` (the default conversation) or ``none`` (out-of-band)."""
    metadata: str = ""
    """``key=value`` lines (spaces around the key and the value are dropped)."""
    input: str = ""
    """A JSON list of items, item ids (strings) or ``item_reference`` objects; empty: no input."""
    references: list[str] = field(default_factory=list)
    """Conversation item ids picked in the form, sent as ``item_reference`` after ``input``."""
    instructions: str = ""
    tools: str = ""
    """A JSON array of function tools, as the session's tools editor takes."""
    tool_choice: str = ""
    """``auto``, ``none``, ``required`` or a function's name."""
    output_modalities: str = ""
    """``text`` or ``audio``."""
    max_output_tokens: str = ""
    voice: str = ""
    """A voice name, or a custom voice as JSON ``{"id": "voice_..."}``."""


@dataclass
class Checked:
    """``response`` to send (when ``errors`` is empty) and the reason for each refused field."""

    response: dict[str, Any]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def build_response(
    fields: ResponseFields, item_ids: Collection[str], session_tools: Collection[str]
) -> Checked:
    """Check every field (all reasons at once, not only the first); ``item_ids`` are the
    conversation's, ``session_tools`` the tool names the session has (a ``tool_choice`` naming
    a function must find it among the response's tools, else among these)."""
    response: dict[str, Any] = {}
    errors: dict[str, str] = {}
    parsers: dict[str, Callable[[], Any]] = {
        "conversation": lambda: _conversation(fields.conversation),
        "metadata": lambda: _metadata(fields.metadata),
        "input": lambda: _input(fields.input, fields.references, item_ids),
        "instructions": lambda: fields.instructions or None,
        "tools": lambda: _tools(fields.tools),
        "output_modalities": lambda: _modalities(fields.output_modalities),
        "max_output_tokens": lambda: _max_tokens(fields.max_output_tokens),
        "voice": lambda: _voice(fields.voice),
    }
    for name, parse in parsers.items():
        try:
            value = parse()
        except ValueError as error:
            errors[name] = str(error)
            continue
        if value is not None:
            response[name] = value
    tool_names = (
        [tool["name"] for tool in response["tools"]] if "tools" in response else session_tools
    )
    try:
        choice = _tool_choice(fields.tool_choice, tool_names, "tools" in response)
    except ValueError as error:
        errors["tool_choice"] = str(error)
    else:
        if choice is not None:
            response["tool_choice"] = choice
    return Checked(response, errors)


def _conversation(text: str) -> str | None:
    if text not in ("auto", "none"):
        raise ValueError(f"must be auto or none, not {text!r}")
    return "none" if text == "none" else None  # auto is the default: left out


def _metadata(text: str) -> dict[str, str] | None:
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key:
            raise ValueError(f"line {number}: write key=value")
        if len(key) > MAX_METADATA_KEY:
            raise ValueError(f"line {number}: key longer than {MAX_METADATA_KEY} characters")
        if len(value) > MAX_METADATA_VALUE:
            raise ValueError(f"line {number}: value longer than {MAX_METADATA_VALUE} characters")
        if key in pairs:
            raise ValueError(f"line {number}: the key {key!r} is there twice")
        pairs[key] = value
    if len(pairs) > MAX_METADATA_PAIRS:
        raise ValueError(f"{len(pairs)} pairs: at most {MAX_METADATA_PAIRS}")
    return pairs or None


def _input(
    text: str, references: list[str], item_ids: Collection[str]
) -> list[dict[str, Any]] | None:
    if not text.strip() and not references:
        return None  # no input: the response reads the conversation
    entries: list[Any] = []
    if text.strip():
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        if not isinstance(value, list):
            raise ValueError("must be a JSON list of items or item ids ([] for no context)")
        entries = value
    items: list[dict[str, Any]] = []
    for index, entry in enumerate([*entries, *references], 1):
        if isinstance(entry, str):
            entry = {"type": "item_reference", "id": entry}
        if not isinstance(entry, dict):
            raise ValueError(f"entry {index}: an item object or an item id, not {entry!r}")
        kind = entry.get("type")
        if kind not in INPUT_ITEM_TYPES:
            raise ValueError(f"entry {index}: type must be one of {', '.join(INPUT_ITEM_TYPES)}")
        if kind == "item_reference" and entry.get("id") not in item_ids:
            raise ValueError(f"entry {index}: no item {entry.get('id')!r} in the conversation")
        items.append(entry)
    return items


def _tools(text: str) -> list[dict[str, Any]] | None:
    if not text.strip():
        return None
    try:
        return parse_tools(text)
    except ToolsError as error:
        raise ValueError(str(error)) from None


def _tool_choice(text: str, tools: Collection[str], own_tools: bool) -> str | None:
    choice = text.strip()
    if not choice or choice in TOOL_CHOICE_MODES:
        return choice or None
    if choice not in tools:
        where = "this response's tools" if own_tools else "the session's tools"
        raise ValueError(f"no function {choice!r} among {where}")
    return choice


def _modalities(text: str) -> list[str] | None:
    if not text:
        return None
    if text not in ("text", "audio"):
        raise ValueError(f"must be text or audio, not {text!r}")
    return [text]


def _max_tokens(text: str) -> int | str | None:
    value = text.strip()
    if not value:
        return None
    if value == "inf":
        return "inf"
    if not value.isdigit() or not 1 <= int(value) <= MAX_OUTPUT_TOKENS:
        raise ValueError(f"a whole number from 1 to {MAX_OUTPUT_TOKENS}, or inf")
    return int(value)


def _voice(text: str) -> str | dict[str, str] | None:
    value = text.strip()
    if not value:
        return None
    if value.startswith("{"):
        try:
            custom: Any = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"column {exc.colno}: {exc.msg}") from None
        if set(custom) != {"id"} or not isinstance(custom["id"], str) or not custom["id"]:
            raise ValueError('a custom voice is {"id": "voice_..."}')
        return {"id": custom["id"]}
    if any(char.isspace() for char in value):
        raise ValueError(f"a voice name has no spaces: {value!r}")
    return value
