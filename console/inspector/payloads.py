"""How one event reads in the console: audio redacted, JSON text, composer input checked.

Audio deltas carry kilobytes of base64 that nobody reads; the events pane, the detail screen and
the clipboard show ``"<4,800 bytes of audio>"`` instead (the decoded size, computed from the
base64 length, so nothing is decoded). An image part's data URL (up to 14 MB) shows as
``"<data:image/png;base64, 53,248 bytes>"``; MCP tools' header values and authorization read as
``••••••`` (``redaction.mask_tool_secrets``). Only the containers on the path to an audio field are
copied: the caller's event is never mutated and the rest is shared. No Textual here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from console.realtime.redaction import mask_tool_secrets

AUDIO_DELTA_TYPES = frozenset({"response.output_audio.delta", "response.audio.delta"})
"""GA and beta names of the server's audio chunks (their ``delta`` is base64 audio)."""

AUDIO_PART_TYPES = frozenset({"input_audio", "audio", "output_audio"})
"""Content part types whose ``audio`` field is base64 audio."""


_JSON_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class ComposerError(ValueError):
    """Why composer text is not a sendable client event; ``line``/``column`` for JSON syntax."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def audio_placeholder(data: str) -> str:
    """``"<N bytes of audio>"`` for base64 ``data`` (N decoded, from the length alone)."""
    size = len(data.rstrip("=")) * 3 // 4
    return f"<{size:,} bytes of audio>"


def _redact_field(container: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = container.get(key)
    if not isinstance(value, str):
        return None
    return {**container, key: audio_placeholder(value)}


def image_placeholder(url: str) -> str:
    """``"<data:image/png;base64, 53,248 bytes>"`` for a base64 data URL (size from the length)."""
    head, _, payload = url.partition(",")
    return f"<{head}, {len(payload.rstrip('=')) * 3 // 4:,} bytes>"


def _redact_part(part: Any) -> Any:
    if isinstance(part, dict) and part.get("type") in AUDIO_PART_TYPES:
        redacted = _redact_field(part, "audio")
        if redacted is not None:
            return redacted
    if isinstance(part, dict) and part.get("type") == "input_image":
        url = part.get("image_url")
        if isinstance(url, str) and url.startswith("data:"):
            return {**part, "image_url": image_placeholder(url)}
    return part


def _redact_list(values: Any, redact: Callable[[Any], Any]) -> Any:
    """``values`` with ``redact`` applied to each element; the same list if nothing changed."""
    if not isinstance(values, list):
        return values
    redacted = [redact(value) for value in values]
    if all(new is old for new, old in zip(redacted, values, strict=True)):
        return values
    return redacted


def _redact_item(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    content = _redact_list(item.get("content"), _redact_part)
    return item if content is item.get("content") else {**item, "content": content}


def display_event(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with base64 audio replaced by its size and MCP secrets masked; a copy only
    where something changed."""
    event = mask_tool_secrets(event)
    event_type = event.get("type")
    if event_type == "input_audio_buffer.append":
        return _redact_field(event, "audio") or event
    if event_type in AUDIO_DELTA_TYPES:
        return _redact_field(event, "delta") or event
    result = event
    item = event.get("item")
    if item is not None:
        new_item = _redact_item(item)
        if new_item is not item:
            result = {**result, "item": new_item}
    part = event.get("part")
    if part is not None:
        new_part = _redact_part(part)
        if new_part is not part:
            result = {**result, "part": new_part}
    response = event.get("response")
    if isinstance(response, dict):
        output = _redact_list(response.get("output"), _redact_item)
        if output is not response.get("output"):
            result = {**result, "response": {**response, "output": output}}
    return result


def event_json(event: dict[str, Any]) -> str:
    """Indented JSON of ``display_event(event)`` (non-ASCII kept, odd values as ``repr``)."""
    return json.dumps(display_event(event), indent=2, ensure_ascii=False, default=repr)


def search_text(event: dict[str, Any]) -> str:
    """What the events filter searches in ``event``: its JSON as the detail screen shows it
    (audio as ``<N bytes of audio>``, so kilobytes of base64 are never scanned), casefolded."""
    return json.dumps(display_event(event), ensure_ascii=False, default=repr).casefold()


def error_summary(event: dict[str, Any]) -> str:
    """``"code: message"`` of an ``error`` event (what the events list shows on its row)."""
    error = event.get("error")
    if not isinstance(error, dict):
        return str(error) if error is not None else ""
    code = error.get("code") or error.get("type") or ""
    message = error.get("message") or ""
    return f"{code}: {message}" if code and message else str(code or message)


def parse_client_event(text: str) -> dict[str, Any]:
    """The client event in composer ``text``; raises ``ComposerError`` saying what is wrong."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ComposerError(
            f"line {error.lineno}, column {error.colno}: {error.msg}",
            line=error.lineno,
            column=error.colno,
        ) from None
    if not isinstance(value, dict):
        kind = _JSON_KINDS.get(type(value), type(value).__name__)
        raise ComposerError(f"a client event is a JSON object, not {kind}")
    event_type = value.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ComposerError('a client event needs a "type" string, e.g. "response.create"')
    return value
