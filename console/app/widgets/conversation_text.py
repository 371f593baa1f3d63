"""How a conversation item reads: its title line, its body and its JSON detail (pure functions)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.text import Text

from console.app.widgets.conversation_mcp import mcp_body
from console.inspector.payloads import image_placeholder
from console.inspector.transcripts import TranscriptNote
from console.realtime.images import ImageFacts

SAMPLE_RATE = 24_000
TIMES = "\u00d7"  # the multiplication sign of an image's size
ROLE_STYLES = {"user": "bold cyan", "assistant": "bold green", "system": "bold magenta"}

FiguresFor = Callable[[str], str]
"""Per-response figures for an item id (first audio, done, tokens, cost), or ``""``."""
NoteFor = Callable[[str], TranscriptNote | None]
"""An item's transcription logprobs and failure (``Transcripts.note``), if any."""
LOW_STYLE = "underline bold yellow"
"""A low-confidence token of a transcript (logprob below ``LOW_LOGPROB``)."""
FAILED_STYLE = "bold red"


def item_title(item: dict[str, Any], truncated_ms: int | None, figures: str) -> Text:
    """``assistant · completed · audio 2.4 s · first audio 210 ms …`` for one item."""
    kind = item.get("role") or str(item.get("type", "item")).replace("_", " ")
    title = Text(str(kind), style=ROLE_STYLES.get(str(kind), "bold yellow"))
    status = item.get("status")
    details = [str(status)] if status else []
    if truncated_ms is not None:
        details.append(f"truncated at {truncated_ms} ms")
    audio = (item.get("formatted") or {}).get("audio")
    released = (item.get("formatted") or {}).get("audio_released")
    if audio is not None and len(audio):
        details.append(f"audio {len(audio) / SAMPLE_RATE:.1f} s")
    elif released:
        details.append(f"audio {released / SAMPLE_RATE:.1f} s released (memory limit)")
    if figures:
        details.append(figures)
    if details:
        title.append(" · " + " · ".join(details), style="dim")
    return title


def image_label(facts: ImageFacts | None) -> str:
    """``[image 640 by 480 PNG, 52 KB]``, written with the multiplication sign, in decimal
    units; ``[image]`` when the part is not a data URL this can read."""
    if facts is None:
        return "[image]"
    if facts.size < 1000:
        size = f"{facts.size} B"
    elif facts.size < 999_500:
        size = f"{facts.size / 1000:.0f} KB"
    else:
        size = f"{facts.size / 1_000_000:.1f} MB"
    return f"[image {facts.width}{TIMES}{facts.height} {facts.format}, {size}]"


def item_body(item: dict[str, Any], transcribing: bool = True) -> str:
    """What the item says: its images' labels, then text, transcript, a call with its
    arguments, or an output.

    A user's audio without a transcript waits for one only if the session transcribes.
    """
    images = (item.get("formatted") or {}).get("images") or []
    said = _item_words(item, transcribing)
    return "\n".join([*(image_label(facts) for facts in images), *([said] if said else [])])


def _item_words(item: dict[str, Any], transcribing: bool) -> str:
    formatted = item.get("formatted") or {}
    kind = item.get("type")
    if kind == "function_call_output":
        return str(formatted.get("output") or item.get("output") or "")
    tool = formatted.get("tool")
    if kind == "function_call" or tool:
        tool = tool or {}
        name = tool.get("name") or item.get("name") or "?"
        return f"{name}({tool.get('arguments') or item.get('arguments') or ''})"
    transcript = formatted.get("transcript") or ""
    text = formatted.get("text") or ""
    if transcript and text and transcript != text:
        return f"{text}\n{transcript}"
    if transcript or text:
        return str(transcript or text)
    if item.get("role") == "user" and audio_length(item):
        return "(awaiting transcript)" if transcribing else "(no transcription)"
    return "(truncated)" if item.get("role") == "assistant" and item.get("status") else ""


def audio_length(item: dict[str, Any]) -> int:
    audio = (item.get("formatted") or {}).get("audio")
    return 0 if audio is None else len(audio)


def item_detail(item: dict[str, Any]) -> str:
    """The item as JSON, audio replaced by its length (for the detail screen)."""
    shown = {key: value for key, value in item.items() if key != "formatted"}
    if isinstance(item.get("content"), list):  # an image's data URL as its size, not 14 MB
        shown["content"] = [_shown_part(part) for part in item["content"]]
    formatted = dict(item.get("formatted") or {})
    if "audio" in formatted:
        samples = len(formatted["audio"])
        formatted["audio"] = f"<{samples} samples, {samples / SAMPLE_RATE:.2f} s>"
    shown["formatted"] = formatted
    return json.dumps(shown, indent=2, ensure_ascii=False, default=str)


def _shown_part(part: Any) -> Any:
    url = part.get("image_url") if isinstance(part, dict) else None
    if isinstance(url, str) and url.startswith("data:"):
        return {**part, "image_url": image_placeholder(url)}
    return part


MAX_BODY_CHARS = 4_000
"""Longer bodies are cut on screen (the detail screen has everything)."""


def item_text(
    item: dict[str, Any],
    truncated_ms: int | None,
    figures: str,
    *,
    transcribing: bool = True,
    note: TranscriptNote | None = None,
    answerable: bool = True,
) -> Text:
    """Title and body of one item, as the conversation pane draws it.

    A user item's ``note`` adds its logprobs to the title (mean and minimum, and how many
    tokens were low-confidence), marks those tokens in the transcript, and says why its
    transcription failed. ``answerable`` False (a replay): an MCP approval request offers no keys.
    """
    summary = note.summary() if note is not None else ""
    text = item_title(item, truncated_ms, " · ".join(part for part in (summary, figures) if part))
    style = ROLE_STYLES.get(str(item.get("role")), "")
    style = style.replace("bold ", "") if style else ""
    transcript = str((item.get("formatted") or {}).get("transcript") or "")
    if note is not None and note.failure and not transcript.strip():
        text.append(f"\n✗ transcription failed — {note.failure}", style=FAILED_STYLE)
        return text
    mcp = mcp_body(item, answerable)  # an MCP item reads in words (conversation_mcp)
    body = mcp[0] if mcp is not None else item_body(item, transcribing)
    style = mcp[1] if mcp is not None else style
    if len(body) > MAX_BODY_CHARS:
        hidden = len(body) - MAX_BODY_CHARS
        body = f"{body[:MAX_BODY_CHARS]} … {hidden:,} more characters (Enter shows all)"
    if note is not None and note.low_count and body == transcript:
        text.append("\n")
        text.append_text(marked_transcript(note, transcript, style))
    elif body:
        text.append("\n" + body, style=style)
    return text


def marked_transcript(note: TranscriptNote, transcript: str, style: str) -> Text:
    """The transcript with its low-confidence tokens marked, when the tokens spell it out (as
    they do when streamed one per delta); else the transcript as it is."""
    if "".join(token.text for token in note.tokens) != transcript:
        return Text(transcript, style=style)
    marked = Text(style=style)
    for token in note.tokens:
        marked.append(token.text, style=LOW_STYLE if token.low else "")
    return marked
