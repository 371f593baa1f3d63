"""Audio redaction, event JSON and composer parsing (no Textual)."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys

import pytest

from console.inspector.payloads import (
    ComposerError,
    audio_placeholder,
    display_event,
    error_summary,
    event_json,
    parse_client_event,
)

AUDIO = base64.b64encode(bytes(4800)).decode()


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 4800, 4801, 4802])
def test_placeholder_counts_decoded_bytes(size: int) -> None:
    data = base64.b64encode(bytes(size)).decode()
    assert audio_placeholder(data) == f"<{size:,} bytes of audio>"
    assert audio_placeholder(data.rstrip("=")) == f"<{size:,} bytes of audio>"


def test_input_audio_append_redacted_without_mutating() -> None:
    event = {"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": "e1"}
    before = copy.deepcopy(event)
    shown = display_event(event)
    assert shown == {
        "type": "input_audio_buffer.append",
        "audio": "<4,800 bytes of audio>",
        "event_id": "e1",
    }
    assert event == before


@pytest.mark.parametrize("event_type", ["response.output_audio.delta", "response.audio.delta"])
def test_audio_deltas_redacted_in_both_dialects(event_type: str) -> None:
    event = {"type": event_type, "delta": AUDIO, "item_id": "i"}
    assert display_event(event)["delta"] == "<4,800 bytes of audio>"
    assert event["delta"] == AUDIO


def test_text_deltas_untouched_and_not_copied() -> None:
    event = {"type": "response.output_text.delta", "delta": "AAAA"}
    assert display_event(event) is event


@pytest.mark.parametrize(
    "event_type",
    [
        "conversation.item.create",
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.created",
        "conversation.item.retrieved",
    ],
)
@pytest.mark.parametrize("part_type", ["input_audio", "audio", "output_audio"])
def test_item_audio_parts_redacted(event_type: str, part_type: str) -> None:
    text_part = {"type": "input_text", "text": "hi"}
    event = {
        "type": event_type,
        "item": {"type": "message", "content": [text_part, {"type": part_type, "audio": AUDIO}]},
    }
    before = copy.deepcopy(event)
    shown = display_event(event)
    assert shown["item"]["content"][1] == {"type": part_type, "audio": "<4,800 bytes of audio>"}
    assert shown["item"]["content"][0] is text_part
    assert event == before


def test_response_done_output_redacted() -> None:
    item = {"type": "message", "content": [{"type": "output_audio", "audio": AUDIO}]}
    plain = {"type": "function_call", "name": "f"}
    event = {"type": "response.done", "response": {"id": "r", "output": [plain, item]}}
    before = copy.deepcopy(event)
    shown = display_event(event)
    assert shown["response"]["output"][1]["content"][0]["audio"] == "<4,800 bytes of audio>"
    assert shown["response"]["output"][0] is plain
    assert shown["response"]["id"] == "r"
    assert event == before


def test_audio_part_without_audio_left_alone() -> None:
    event = {"type": "conversation.item.added", "item": {"content": [{"type": "audio"}]}}
    assert display_event(event) is event


def test_event_json_is_indented_and_keeps_unicode() -> None:
    text = event_json({"type": "response.audio.delta", "delta": AUDIO, "note": "café [b]"})
    assert json.loads(text) == {
        "type": "response.audio.delta",
        "delta": "<4,800 bytes of audio>",
        "note": "café [b]",
    }
    assert "café" in text and '\n  "type"' in text


def test_error_summary() -> None:
    event = {"type": "error", "error": {"code": "invalid_value", "message": "Bad voice"}}
    assert error_summary(event) == "invalid_value: Bad voice"
    assert error_summary({"type": "error", "error": {"message": "oops"}}) == "oops"
    assert error_summary({"type": "error"}) == ""


def test_parse_client_event_accepts_objects_with_type() -> None:
    assert parse_client_event('{"type": "response.create"}') == {"type": "response.create"}


def test_parse_client_event_reports_line_and_column() -> None:
    with pytest.raises(ComposerError) as caught:
        parse_client_event('{\n  "type": "response.create"\n  "response": {}\n}')
    assert str(caught.value) == "line 3, column 3: Expecting ',' delimiter"
    assert (caught.value.line, caught.value.column) == (3, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "not an array"),
        ('"x"', "not a string"),
        ("{}", '"type" string'),
        ('{"type": 3}', '"type" string'),
        ('{"type": ""}', '"type" string'),
    ],
)
def test_parse_client_event_rejects_non_events(text: str, message: str) -> None:
    with pytest.raises(ComposerError, match=message):
        parse_client_event(text)


def test_payloads_do_not_import_textual() -> None:
    code = "import sys, console.inspector.payloads; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
