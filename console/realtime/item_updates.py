"""What a server event does to one conversation item: its raw fields and its ``formatted`` view.

``RealtimeConversation`` finds the item and keeps everything around it (the order, the queued
speech and transcripts, the audio retention, the bounds); these functions change only the item
they are given. An item is the server's item (a plain dict) plus ``formatted`` (``Formatted``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from . import mcp_items
from .audio_codec import AudioDecoder
from .dialects import TEXT_PART_TYPES
from .formatted import Formatted
from .images import image_facts
from .utils import AudioFormatError, Int16Array, empty_pcm16

Item = dict[str, Any]


def new_item(source: Mapping[str, Any]) -> Item:
    """A stored copy of the server's item: empty ``formatted`` audio and transcript, the text
    of its text parts, and for a message with ``input_image`` parts ``images``: each one's
    ``ImageFacts`` (format, size; None when unreadable), read once here."""
    item: Item = copy.deepcopy(dict(source))
    formatted = Formatted(audio=empty_pcm16(), text="", transcript="")
    item["formatted"] = formatted
    content = item.get("content") or []
    formatted["text"] = "".join(
        part.get("text") or "" for part in content if part.get("type") in TEXT_PART_TYPES
    )
    images = [image_facts(part) for part in content if part.get("type") == "input_image"]
    if images:
        formatted["images"] = images
    return item


def is_user_message(item: Mapping[str, Any]) -> bool:
    return item.get("type") == "message" and item.get("role") == "user"


def apply_type_rules(item: Item) -> None:
    """Status by type (user messages and function outputs are complete on arrival, others keep
    the server's, else ``in_progress``) and ``formatted``'s ``tool``, ``output`` or ``mcp``."""
    formatted = item["formatted"]
    kind = item.get("type")
    if is_user_message(item):
        item["status"] = "completed"
    elif kind == "function_call":
        item["status"] = item.get("status") or "in_progress"
        formatted["tool"] = {
            "type": "function",
            "name": item.get("name"),
            "call_id": item.get("call_id"),
            "arguments": item.get("arguments") or "",
        }
    elif kind == "function_call_output":
        item["status"] = "completed"
        formatted["output"] = item.get("output")
    elif kind == "message":
        item["status"] = item.get("status") or "in_progress"
    elif kind in mcp_items.MCP_ITEM_TYPES:
        formatted["mcp"] = mcp_items.new_view(item)


def audio_from_content(audio: AudioDecoder, content: list[dict[str, Any]]) -> Int16Array:
    """Audio a user item carries inline (``input_audio.audio``), if any and decodable."""
    for part in content:
        data = part.get("audio") if part.get("type") == "input_audio" else None
        if isinstance(data, str) and data:
            try:
                return audio.decode_input(data)
            except AudioFormatError:
                return empty_pcm16()
    return empty_pcm16()


def sync_from_server(stored: Item, source: Mapping[str, Any]) -> None:
    """Take the status and the final arguments of the server's copy of a stored item."""
    # User messages and function outputs are complete on arrival (reference rule).
    settled = stored.get("type") == "function_call_output" or is_user_message(stored)
    if source.get("status") and not settled:
        stored["status"] = source["status"]
    tool = stored["formatted"].get("tool")
    if tool is not None and source.get("arguments"):
        tool["arguments"] = stored["arguments"] = source["arguments"]
    mcp_items.sync(stored, source)
    if stored.get("status") != "in_progress":
        stored["formatted"].finish_audio()  # one array of exactly its size from now on


def truncate_audio(item: Item, end_index: int) -> None:
    """Keep the audio before ``end_index`` (what was played) and drop the transcript."""
    formatted = item["formatted"]
    formatted["transcript"] = ""
    formatted["audio"] = formatted["audio"][:end_index].copy()


def set_input_transcript(item: Item, index: int, transcript: str, shown: str) -> None:
    """The input transcript on its content part (as sent) and in ``formatted`` (``shown``)."""
    content = item.get("content") or []
    if 0 <= index < len(content):
        content[index]["transcript"] = transcript
    item["formatted"]["transcript"] = shown


def add_text_like(item: Item, index: int, key: str, delta: str) -> None:
    """Append a text or transcript delta to its content part and to ``formatted[key]``."""
    content = item.get("content") or []
    if 0 <= index < len(content):
        content[index][key] = (content[index].get(key) or "") + delta
    item["formatted"][key] += delta


def add_arguments(item: Item, delta: str) -> None:
    """Append a function call's arguments delta to the item and to ``formatted["tool"]``."""
    item["arguments"] = (item.get("arguments") or "") + delta
    tool = item["formatted"].setdefault(
        "tool",
        {"type": "function", "name": item.get("name"), "call_id": item.get("call_id")},
    )
    tool["arguments"] = (tool.get("arguments") or "") + delta
