"""``RealtimeConversation``: the client-side record of items and responses, built from events.

Each item is the server's item (a plain dict) plus a ``formatted`` dict the library keeps:
``audio`` (numpy int16 at 24 kHz), ``text``, ``transcript``, and ``tool`` (function calls) or
``output`` (function outputs). It accepts both wire dialects' event names (see ``dialects``).

Fixes over the reference (its defects 4, 11, 13 and issue #113): an input transcript that
arrives before its item is kept; a repeated ``conversation.item.created`` returns the stored
item instead of a detached copy; messages keep the server's status instead of being forced to
``in_progress`` (client-created system messages end ``completed``); ``response.done`` updates
the stored response (status, usage); assistant audio accumulates without copying all earlier
audio per delta (a delta is a list append; ``formatted["audio"]`` joins on read, see
``formatted``); odd-length audio raises a clear error; manually committed audio goes to the
item ``input_audio_buffer.committed`` names (the reference gave it to the next user item, even
a text one). Deltas for items of out-of-band responses (``conversation: "none"``), which
never join the conversation, are ignored rather than reported as unknown items; ``event_id``
is not required. Audio is decoded by an ``AudioDecoder`` (``audio_codec``): the client's follows
the session's formats (G.711 becomes 24 kHz PCM16); a conversation on its own reads PCM16.
MCP items (``mcp_list_tools``, ``mcp_call``, ``mcp_approval_request`` and ``_response``) get
``formatted["mcp"]``, documented in ``mcp_items``; ``conversation_mcp`` processes their events.

This module finds the item an event names and keeps what surrounds items (their order, queued
speech and transcripts, audio retention, bounds); ``item_updates`` changes the item itself and
``response_log`` keeps the responses.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from . import item_updates as updates
from .audio_buffer import InputAudioBuffer
from .audio_codec import AudioDecoder, Pcm16Decoder
from .conversation_mcp import MCP_PROCESSORS, EarlyStatuses, McpProcessors
from .dialects import canonical_event_type
from .item_updates import Item
from .response_log import ResponseLog
from .retention import DEFAULT_MAX_AUDIO_SECONDS, AudioRetention, ForgottenIds
from .utils import SAMPLE_RATE, Int16Array, empty_pcm16

Processed = dict[str, Any]
"""What ``process_event`` returns: ``{"item": item or None, "delta": delta or None}``."""


_PROCESSORS: dict[str, str] = {
    "conversation.item.created": "_item_created",
    "conversation.item.done": "_item_done",
    "conversation.item.truncated": "_item_truncated",
    "conversation.item.deleted": "_item_deleted",
    "conversation.item.input_audio_transcription.delta": "_input_transcript_delta",
    "conversation.item.input_audio_transcription.completed": "_input_transcript",
    "input_audio_buffer.committed": "_committed",
    "input_audio_buffer.speech_started": "_speech_started",
    "input_audio_buffer.speech_stopped": "_speech_stopped",
    "response.created": "_response_created",
    "response.done": "_response_done",
    "response.output_item.added": "_output_item_added",
    "response.output_item.done": "_output_item_done",
    "response.content_part.added": "_content_part_added",
    "response.audio_transcript.delta": "_audio_transcript_delta",
    "response.audio.delta": "_audio_delta",
    "response.text.delta": "_text_delta",
    "response.function_call_arguments.delta": "_arguments_delta",
    **MCP_PROCESSORS,
}
"""Server event type (reference spelling; GA names are mapped first) -> processor method."""


class ConversationError(ValueError):
    """A server event the conversation cannot apply (unknown item, missing field)."""


def _require(event: Mapping[str, Any], key: str) -> Any:
    if key not in event or event[key] is None:
        raise ConversationError(f'{event.get("type")}: missing "{key}"')
    return event[key]


class RealtimeConversation(McpProcessors):
    """Items and responses of one session, in the order the server announced them."""

    default_frequency = SAMPLE_RATE

    def __init__(
        self,
        audio: AudioDecoder | None = None,
        *,
        max_audio_seconds: float | None = DEFAULT_MAX_AUDIO_SECONDS,
        max_items: int | None = 10_000,
    ) -> None:
        """``audio`` decodes audio payloads (default: 24 kHz PCM16, as the reference did);
        ``max_audio_seconds`` bounds the audio kept in all (``retention``), ``max_items`` the
        items (the oldest are let go locally, ``forgotten``; the server keeps them)."""
        self.audio: AudioDecoder = audio or Pcm16Decoder()
        self.retention = AudioRetention(max_audio_seconds)
        self.max_items = max_items
        self.forgotten = ForgottenIds()
        self.item_lookup: dict[str, Item] = {}
        self.items: list[Item] = []
        self._response_log = ResponseLog()
        self.queued_speech_items: dict[str, dict[str, Any]] = {}
        self.queued_transcript_items: dict[str, dict[str, Any]] = {}
        self.queued_input_audio: Int16Array | None = None
        self.committed_input_audio: dict[str, Int16Array] = {}
        self.mcp_early = EarlyStatuses()
        self._processors: dict[str, Callable[..., Processed]] = {
            event_type: getattr(self, name) for event_type, name in _PROCESSORS.items()
        }

    @property
    def response_lookup(self) -> dict[str, dict[str, Any]]:
        """Responses by id (``response.created``, updated by ``response.done``)."""
        return self._response_log.lookup

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Responses in the order the server created them (the oldest go past ``max_items``)."""
        return self._response_log.entries

    @classmethod
    def handles(cls, event_type: str) -> bool:
        """Whether ``process_event`` has a processor for this server event type."""
        return canonical_event_type(event_type) in _PROCESSORS

    def clear(self) -> bool:
        """Forget every item, response and queued segment."""
        self.item_lookup.clear()
        self.items.clear()
        self._response_log.clear()
        self.queued_speech_items.clear()
        self.queued_transcript_items.clear()
        self.queued_input_audio = None
        self.committed_input_audio.clear()
        self.mcp_early.clear()
        self.retention.clear()
        self.forgotten.clear()
        return True

    def queue_input_audio(self, input_audio: Int16Array) -> Int16Array:
        """Keep manually committed audio for the next user message item."""
        self.queued_input_audio = input_audio
        return input_audio

    def process_event(self, event: Mapping[str, Any], *args: Any) -> Processed:
        """Apply one server event; returns ``{"item", "delta"}``.

        Raises ``ConversationError`` for an event without a type, a type with no processor, a
        missing field or an unknown item.
        """
        event_type = event.get("type")
        if not event_type:
            raise ConversationError('Missing "type" on event')
        processor = self._processors.get(canonical_event_type(event_type))
        if processor is None:
            raise ConversationError(f'Missing conversation event processor for "{event_type}"')
        return processor(event, *args)

    def get_item(self, item_id: str) -> Item | None:
        """The stored (live) item, or ``None``."""
        return self.item_lookup.get(item_id)

    def get_items(self) -> list[Item]:
        """A new list of the stored items, in conversation order."""
        return list(self.items)

    # -- items -------------------------------------------------------------------------------

    def _known_item(self, event: Mapping[str, Any]) -> Item | None:
        """The item an event's ``item_id`` names; ``None`` for out-of-band response items."""
        return self._lookup(event.get("type"), _require(event, "item_id"))

    def _lookup(self, event_type: Any, item_id: str) -> Item | None:
        item = self.item_lookup.get(item_id)
        if (
            item is None
            and not self._response_log.announced(item_id)
            and item_id not in self.forgotten
        ):
            raise ConversationError(f'{event_type}: Item "{item_id}" not found')
        return item

    def _item_created(self, event: Mapping[str, Any]) -> Processed:
        source = _require(event, "item")
        item_id = _require(source, "id")
        if item_id in self.item_lookup:
            return {"item": self.item_lookup[item_id], "delta": None}
        item = updates.new_item(source)
        formatted = item["formatted"]
        content = item.get("content") or []
        speech = self.queued_speech_items.pop(item_id, None)
        if speech is not None and speech.get("audio") is not None:
            formatted["audio"] = speech["audio"]
        queued_transcript = self.queued_transcript_items.pop(item_id, None)
        if queued_transcript is not None:
            formatted["transcript"] = queued_transcript["transcript"]
            index = queued_transcript.get("content_index", 0)
            if 0 <= index < len(content):
                content[index]["transcript"] = queued_transcript["raw"]
        updates.apply_type_rules(item)
        if updates.is_user_message(item):
            self._user_audio(item, content)
        self.item_lookup[item_id] = item
        self.items.append(item)
        self._retain(item)
        if self.max_items is not None and len(self.items) > self.max_items:
            self._forget_oldest(len(self.items) - self.max_items)
        self._response_log.joined(item_id)
        self._mcp_item_created(item)
        return {"item": item, "delta": None}

    def _user_audio(self, item: Item, content: list[dict[str, Any]]) -> None:
        """A user message's audio: manually committed audio (tied to it by id, or queued for
        the next message with audio), else the speech slice it has, else its inline audio."""
        formatted = item["formatted"]
        committed = self.committed_input_audio.pop(item["id"], None)
        has_audio = any(part.get("type") == "input_audio" for part in content)
        if committed is not None:
            formatted["audio"] = committed
        elif self.queued_input_audio is not None and has_audio:
            formatted["audio"] = self.queued_input_audio
            self.queued_input_audio = None
        elif not len(formatted["audio"]):
            formatted["audio"] = updates.audio_from_content(self.audio, content)

    def _item_done(self, event: Mapping[str, Any]) -> Processed:
        """GA's ``conversation.item.done``: create the item if unseen, else take its status."""
        source = _require(event, "item")
        stored = self.item_lookup.get(_require(source, "id"))
        if stored is None:
            return self._item_created(event)
        updates.sync_from_server(stored, source)
        return {"item": stored, "delta": None}

    def _item_truncated(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        if item is None:
            return {"item": None, "delta": None}
        end_index = int(_require(event, "audio_end_ms")) * self.default_frequency // 1000
        updates.truncate_audio(item, end_index)
        self._retain(item)
        return {"item": item, "delta": None}

    def _item_deleted(self, event: Mapping[str, Any]) -> Processed:
        item_id = _require(event, "item_id")
        item = self.item_lookup.pop(item_id, None)
        if item is None and item_id in self.forgotten:
            return {"item": None, "delta": None}  # let go already (past max_items)
        if item is None:
            raise ConversationError(f'conversation.item.deleted: Item "{item_id}" not found')
        self.items.remove(item)
        self.retention.forget(item_id)
        return {"item": item, "delta": None}

    # -- input audio and its transcript ------------------------------------------------------

    def _input_transcript(self, event: Mapping[str, Any]) -> Processed:
        item_id = _require(event, "item_id")
        transcript = event.get("transcript") or ""
        shown = transcript or " "  # the reference's marker for "transcribed, but empty"
        index = int(event.get("content_index") or 0)
        item = self.item_lookup.get(item_id)
        if item is None:
            self.queued_transcript_items[item_id] = {
                "transcript": shown,
                "raw": transcript,
                "content_index": index,
            }
            return {"item": None, "delta": None}
        updates.set_input_transcript(item, index, transcript, shown)
        return {"item": item, "delta": {"transcript": transcript}}

    def _input_transcript_delta(self, event: Mapping[str, Any]) -> Processed:
        item = self.item_lookup.get(_require(event, "item_id"))
        delta = event.get("delta") or ""
        if item is None or not delta:
            return {"item": None, "delta": None}
        item["formatted"]["transcript"] += delta
        return {"item": item, "delta": {"transcript": delta}}

    def _committed(self, event: Mapping[str, Any]) -> Processed:
        """Tie manually committed audio to the item the commit creates (by its id)."""
        item_id = _require(event, "item_id")
        if self.queued_input_audio is not None:
            self.committed_input_audio[item_id] = self.queued_input_audio
            self.queued_input_audio = None
        return {"item": None, "delta": None}

    def _speech_started(self, event: Mapping[str, Any]) -> Processed:
        item_id = _require(event, "item_id")
        self.queued_speech_items[item_id] = {"audio_start_ms": _require(event, "audio_start_ms")}
        return {"item": None, "delta": None}

    def _speech_stopped(
        self, event: Mapping[str, Any], input_audio: InputAudioBuffer | Int16Array | None = None
    ) -> Processed:
        item_id = _require(event, "item_id")
        end_ms = _require(event, "audio_end_ms")
        speech = self.queued_speech_items.setdefault(item_id, {"audio_start_ms": end_ms})
        speech["audio_end_ms"] = end_ms
        if isinstance(input_audio, InputAudioBuffer):
            speech["audio"] = input_audio.slice_ms(speech["audio_start_ms"], end_ms)
        elif input_audio is not None and len(input_audio):
            start = int(speech["audio_start_ms"]) * self.default_frequency // 1000
            end = int(end_ms) * self.default_frequency // 1000
            speech["audio"] = input_audio[start:end].copy()
        return {"item": None, "delta": None}

    # -- responses ---------------------------------------------------------------------------

    def _response_created(self, event: Mapping[str, Any]) -> Processed:
        response = _require(event, "response")
        self._response_log.created(_require(response, "id"), response, self.max_items)
        return {"item": None, "delta": None}

    def _response_done(self, event: Mapping[str, Any]) -> Processed:
        response = _require(event, "response")
        self._response_log.done(_require(response, "id"), response, self.max_items)
        return {"item": None, "delta": None}

    def _output_item_added(self, event: Mapping[str, Any]) -> Processed:
        response_id = _require(event, "response_id")
        if response_id not in self._response_log.lookup:
            raise ConversationError(
                f'response.output_item.added: Response "{response_id}" not found'
            )
        item_id = _require(_require(event, "item"), "id")
        self._response_log.add_output(response_id, item_id, joined=item_id in self.item_lookup)
        return {"item": None, "delta": None}

    def _output_item_done(self, event: Mapping[str, Any]) -> Processed:
        source = event.get("item")
        if not source:
            raise ConversationError('response.output_item.done: Missing "item"')
        item = self._lookup(event.get("type"), _require(source, "id"))
        if item is not None:
            updates.sync_from_server(item, source)
        return {"item": item, "delta": None}

    def _content_part_added(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        if item is None:
            return {"item": None, "delta": None}
        item.setdefault("content", []).append(copy.deepcopy(_require(event, "part")))
        return {"item": item, "delta": None}

    def _audio_transcript_delta(self, event: Mapping[str, Any]) -> Processed:
        return self._text_like_delta(event, "transcript")

    def _text_delta(self, event: Mapping[str, Any]) -> Processed:
        return self._text_like_delta(event, "text")

    def _text_like_delta(self, event: Mapping[str, Any], key: str) -> Processed:
        """Append a text or transcript delta to its content part and to ``formatted[key]``."""
        item = self._known_item(event)
        delta = event.get("delta") or ""
        if item is None:
            return {"item": None, "delta": None}
        updates.add_text_like(item, int(event.get("content_index") or 0), key, delta)
        return {"item": item, "delta": {key: delta}}

    def _audio_delta(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        chunk = self.audio.decode_output(_require(event, "item_id"), _require(event, "delta"))
        if item is None:
            return {"item": None, "delta": None}
        return self._add_audio(item, chunk)

    def add_track_audio(self, item_id: str, chunk: Int16Array) -> Processed:
        """Audio of an item that came on a WebRTC track, not in deltas; as an audio delta."""
        item = self.item_lookup.get(item_id)
        return self._add_audio(item, chunk) if item is not None else {"item": None, "delta": None}

    def _add_audio(self, item: Item, chunk: Int16Array) -> Processed:
        samples = item["formatted"].stream_audio(chunk)  # joined when read (formatted)
        self._retain(item, samples)
        return {"item": item, "delta": {"audio": chunk}}

    def _forget_oldest(self, count: int) -> None:
        """Let the oldest items go (in batches of a tenth, so trimming the list stays cheap)."""
        count = max(count, (self.max_items or 0) // 10)
        for item in self.items[:count]:
            self.item_lookup.pop(item["id"], None)
            self.retention.forget(item["id"])
            self.forgotten.add(item["id"])
        del self.items[:count]

    def _retain(self, item: Item, samples: int | None = None) -> None:
        """Count this item's audio (``samples``, if known); let the oldest items' audio go past
        the retention limit."""
        if samples is None:
            samples = item["formatted"].audio_samples()
        for item_id in self.retention.note(item["id"], samples):
            released = self.item_lookup.get(item_id)
            if released is not None:
                formatted = released["formatted"]
                formatted["audio_released"] = formatted.audio_samples()
                formatted["audio"] = empty_pcm16()

    def _arguments_delta(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        delta = event.get("delta") or ""
        if item is None:
            return {"item": None, "delta": None}
        updates.add_arguments(item, delta)
        return {"item": item, "delta": {"arguments": delta}}
