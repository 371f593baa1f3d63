"""Conversation items and the ordered item list of the default conversation.

Items are kept in a dialect-neutral form (GA content type names); :mod:`.dialect` renders them.
Audio is held as 24 kHz int16 arrays so that truncation and retrieval work on samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import errors, ids

SAMPLE_RATE = 24000


def count_tokens(text: str) -> int:
    """A rough token estimate (about four characters per token)."""
    return max(1, (len(text) + 3) // 4) if text else 0


def placeholder_transcript(audio: np.ndarray) -> str:
    """The simulator's stand-in for recognising speech: ``[speech 1.4 s]``."""
    return f"[speech {len(audio) / SAMPLE_RATE:.1f} s]"


@dataclass
class Part:
    """One content part: ``input_text``, ``input_audio``, ``input_image``, ``item_reference``,
    ``output_text`` or ``output_audio``."""

    type: str
    text: str | None = None
    transcript: str | None = None
    audio: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def audio_ms(self) -> int:
        """Length of the part's audio in milliseconds (0 without audio)."""
        return 0 if self.audio is None else len(self.audio) * 1000 // SAMPLE_RATE


@dataclass(eq=False)  # identity: list membership and removal never compare fields
class Item:
    """A conversation item: a message, a function call or a function call's output, or an MCP
    item (:mod:`.mcp_items`; its other fields are in ``extra``)."""

    type: str
    id: str = field(default_factory=lambda: ids.new_id("item"))
    role: str | None = None
    status: str = "completed"
    content: list[Part] = field(default_factory=list)
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    counted: tuple[int, int] = (0, 0)  # (text, audio) tokens in the conversation's totals

    def tokens(self) -> tuple[int, int]:
        """What the item costs as response input: (text tokens, audio tokens)."""
        text = count_tokens(self.text() or self.output or self.arguments or "")
        audio = sum(p.audio_ms() // 50 for p in self.content if p.audio is not None)
        return text, audio

    def text(self) -> str:
        """What the item says, as plain text (transcripts, or a placeholder, stand in for audio)."""
        pieces = []
        for part in self.content:
            if part.text is not None:
                pieces.append(part.text)
            elif part.transcript:
                pieces.append(part.transcript)
            elif part.audio is not None:
                pieces.append(placeholder_transcript(part.audio))
        return " ".join(s for s in pieces if s).strip()


class Conversation:
    """The default conversation: an ordered list of items addressable by id.

    Per-turn cost does not grow with the history: items are indexed by id, and the input
    tokens of all items are kept as running totals (:meth:`recount` after an item changes).
    """

    def __init__(self) -> None:
        self.id = ids.new_id("conv")
        self.items: list[Item] = []
        self._by_id: dict[str, Item] = {}
        self.text_tokens = 0
        self.audio_tokens = 0

    def get(self, item_id: str) -> Item | None:
        """The item with ``item_id``, or None."""
        return self._by_id.get(item_id)

    def __contains__(self, item: Item) -> bool:
        return self._by_id.get(item.id) is item

    def previous_id(self, item: Item) -> str | None:
        """Id of the item before ``item`` (None at the start); searched from the end, where
        items being streamed are."""
        items = self.items
        for index in range(len(items) - 1, -1, -1):
            if items[index] is item:
                return items[index - 1].id if index > 0 else None
        return None

    def recount(self, item: Item) -> None:
        """Update the running token totals after ``item`` (in the conversation) changed."""
        if item not in self:
            return
        text, audio = item.tokens()
        self.text_tokens += text - item.counted[0]
        self.audio_tokens += audio - item.counted[1]
        item.counted = (text, audio)

    def last_id(self) -> str | None:
        """Id of the last item (the ``previous_item_id`` of an appended item)."""
        return self.items[-1].id if self.items else None

    def insert(self, item: Item, previous_item_id: str | None, *, at_end: bool) -> str | None:
        """Insert ``item``; returns the id of the item before it (None at the start).

        ``at_end`` appends (no ``previous_item_id`` given); otherwise ``previous_item_id`` None
        inserts at the start and an id inserts after that item.
        """
        if item.id in self._by_id:
            raise errors.RealtimeError(
                f"Item with id '{item.id}' already exists.",
                code="item_create_duplicate_id",
                param="item.id",
            )
        previous: str | None
        if at_end:
            previous = self.last_id()
            self.items.append(item)
        elif previous_item_id is None:
            self.items.insert(0, item)
            previous = None
        else:
            after = self._by_id.get(previous_item_id)
            if after is None:
                raise errors.RealtimeError(
                    "Error adding item: the previous item with id "
                    f"'{previous_item_id}' does not exist.",
                    code="item_create_invalid_previous_item_id",
                    param="previous_item_id",
                )
            self.items.insert(self.items.index(after) + 1, item)
            previous = previous_item_id
        self._by_id[item.id] = item
        item.counted = (0, 0)
        self.recount(item)
        return previous

    def _existing(self, item_id: str, doing: str, code: str) -> Item:
        """The item, or the real "Error <doing> item: ... does not exist." error."""
        item = self.get(item_id)
        if item is None:
            raise errors.RealtimeError(
                f"Error {doing} item: the item with id '{item_id}' does not exist.",
                code=code,
                param="item_id",
            )
        return item

    def delete(self, item_id: str) -> None:
        """Remove an item or raise the real ``item_delete_invalid_item_id`` error."""
        item = self._existing(item_id, "deleting", "item_delete_invalid_item_id")
        self.items.remove(item)
        del self._by_id[item_id]
        self.text_tokens -= item.counted[0]
        self.audio_tokens -= item.counted[1]
        item.counted = (0, 0)

    def retrieve(self, item_id: str) -> Item:
        """The item or the real ``item_retrieve_invalid_item_id`` error."""
        return self._existing(item_id, "retrieving", "item_retrieve_invalid_item_id")

    def truncate(self, item_id: str, content_index: int, audio_end_ms: int) -> None:
        """Cut an assistant audio part at ``audio_end_ms`` and drop its transcript.

        Errors as the real API: unknown item, not an assistant audio message, or a cut past
        the end ("Audio content of X ms is already shorter than Y ms").
        """
        item = self._existing(item_id, "truncating", "item_truncate_invalid_item_id")
        if item.type != "message" or item.role != "assistant":
            raise errors.RealtimeError(
                "Only model output audio messages can be truncated",
                code="unsupported_content_type",
                param="item_id",
            )
        if not 0 <= content_index < len(item.content):
            raise errors.invalid_value(
                "content_index",
                f"Invalid 'content_index': the item has no content at index {content_index}.",
            )
        part = item.content[content_index]
        if part.type != "output_audio" or part.audio is None:
            raise errors.RealtimeError(
                "Only model output audio messages can be truncated",
                code="unsupported_content_type",
                param="content_index",
            )
        length_ms = part.audio_ms()
        if audio_end_ms > length_ms:
            raise errors.invalid_value(
                "audio_end_ms",
                f"Audio content of {length_ms} ms is already shorter than {audio_end_ms} ms",
            )
        part.audio = part.audio[: audio_end_ms * SAMPLE_RATE // 1000]
        part.transcript = ""
        self.recount(item)

    def has_assistant_audio(self) -> bool:
        """Whether the model has spoken in this conversation (the voice is then fixed)."""
        return any(
            p.type == "output_audio" and p.audio is not None and len(p.audio)
            for item in self.items
            for p in item.content
        )
