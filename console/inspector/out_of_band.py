"""Out-of-band responses (``conversation: "none"``): what they said, apart from the conversation.

The library's conversation ignores the items of an out-of-band response (they never join the
default conversation), so without this model their output would show nowhere but in the raw
events. ``OutOfBand.observe`` takes every server event, in either dialect, and keeps for each
out-of-band response its metadata, status and outputs (text, transcript, or a call with its
arguments), streamed as the deltas come and settled by ``response.done``.

A response is out-of-band when ``response.created`` says ``conversation_id: null`` (the API's
marker) and no ``conversation.item.added``/``created`` names one of its items afterwards (a
server that leaves the id out, or a default response an odd server sends with a null id, is
taken back as soon as one of its items joins the conversation). A response created with a
conversation id is never tracked here.

Bounded: the newest ``MAX_RESPONSES`` responses, ``MAX_TEXT`` characters of each output, and
metadata within the API's limits (16 pairs, keys of 64 characters, values of 512).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.realtime.dialects import canonical_event_type

MAX_RESPONSES = 50
MAX_TEXT = 4_000
MAX_METADATA_PAIRS, MAX_METADATA_KEY, MAX_METADATA_VALUE = 16, 64, 512
TEXT_DELTAS = frozenset({"response.text.delta", "response.audio_transcript.delta"})
"""Delta types (canonical names) whose ``delta`` is words of an output."""


@dataclass
class OutOfBandOutput:
    """One output item of an out-of-band response."""

    item_id: str
    kind: str
    """``message``, ``function_call``…"""
    text: str = ""
    """The message's text or transcript, or ``name(arguments)`` for a call."""


@dataclass
class OutOfBandResponse:
    """One out-of-band response as far as its events have told."""

    response_id: str
    metadata: dict[str, str] = field(default_factory=dict)
    status: str = "in_progress"
    reason: str | None = None
    outputs: dict[str, OutOfBandOutput] = field(default_factory=dict)

    def summary(self) -> str:
        """``topic=summary, origin=test`` (the metadata), or ``""``."""
        return ", ".join(f"{key}={value}" for key, value in self.metadata.items())


class OutOfBand:
    """The out-of-band responses of a session, newest last; ``version`` changes with them."""

    def __init__(self) -> None:
        self.responses: OrderedDict[str, OutOfBandResponse] = OrderedDict()
        self.version = 0
        self._item_response: dict[str, str] = {}
        """Output item id -> its out-of-band response's id (to find deltas and item.added)."""

    def clear(self) -> None:
        """Forget every response (a replay starts from nothing)."""
        self.responses.clear()
        self._item_response.clear()
        self.version += 1

    def is_out_of_band(self, response_id: str) -> bool:
        return response_id in self.responses

    def observe(self, event: Mapping[str, Any]) -> None:
        """Take one server event into account (most are ignored at once)."""
        kind = event.get("type")
        if not isinstance(kind, str):
            return
        kind = canonical_event_type(kind)
        if kind == "response.created":
            self._created(event.get("response"))
        elif kind in TEXT_DELTAS:
            self._delta(event)
        elif kind in ("response.output_item.added", "response.output_item.done"):
            self._output(event.get("response_id"), event.get("item"))
        elif kind == "conversation.item.created":
            self._joined(event.get("item"))
        elif kind == "response.done":
            self._done(event.get("response"))

    def _created(self, response: Any) -> None:
        if not isinstance(response, Mapping) or response.get("conversation_id") is not None:
            return
        response_id = response.get("id")
        if not isinstance(response_id, str) or response_id in self.responses:
            return
        metadata = response.get("metadata")
        entry = OutOfBandResponse(response_id)
        if isinstance(metadata, Mapping):  # the API's limits, whatever a server sends
            pairs = list(metadata.items())[:MAX_METADATA_PAIRS]
            entry.metadata = {
                str(k)[:MAX_METADATA_KEY]: str(v)[:MAX_METADATA_VALUE] for k, v in pairs
            }
        self.responses[response_id] = entry
        while len(self.responses) > MAX_RESPONSES:
            _, oldest = self.responses.popitem(last=False)
            for item_id in oldest.outputs:
                self._item_response.pop(item_id, None)
        self.version += 1

    def _output(self, response_id: Any, item: Any) -> None:
        entry = self.responses.get(str(response_id))
        if entry is None or not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            return
        output = entry.outputs.get(item["id"])
        if output is None:
            output = OutOfBandOutput(item["id"], str(item.get("type") or "item"))
            entry.outputs[item["id"]] = output
            self._item_response[item["id"]] = entry.response_id
        text = item_text(item)
        if text:
            output.text = text[:MAX_TEXT]
        self.version += 1

    def _delta(self, event: Mapping[str, Any]) -> None:
        response_id = self._item_response.get(str(event.get("item_id")))
        entry = self.responses.get(response_id or "")
        delta = event.get("delta")
        if entry is None or not isinstance(delta, str):
            return
        output = entry.outputs[str(event["item_id"])]
        if len(output.text) < MAX_TEXT:
            output.text = (output.text + delta)[:MAX_TEXT]
            self.version += 1

    def _joined(self, item: Any) -> None:
        """An item joined the conversation: its response was not out-of-band after all."""
        item_id = item.get("id") if isinstance(item, Mapping) else None
        response_id = self._item_response.get(str(item_id))
        if response_id is not None:
            entry = self.responses.pop(response_id)
            for output_id in entry.outputs:
                self._item_response.pop(output_id, None)
            self.version += 1

    def _done(self, response: Any) -> None:
        if not isinstance(response, Mapping):
            return
        entry = self.responses.get(str(response.get("id")))
        if entry is None:
            return
        entry.status = str(response.get("status") or "unknown")
        details = response.get("status_details")
        if isinstance(details, Mapping):
            reason = details.get("reason")
            entry.reason = str(reason) if reason else None
        output = response.get("output")
        for item in output if isinstance(output, list) else ():
            self._output(entry.response_id, item)
        self.version += 1


def item_text(item: Mapping[str, Any]) -> str:
    """What an output item says: a message's text or transcript, a call's ``name(args)``."""
    if item.get("type") == "function_call":
        return f"{item.get('name') or '?'}({item.get('arguments') or ''})"
    parts = item.get("content")
    texts = (
        [
            str(part.get("text") or part.get("transcript") or "")
            for part in parts
            if isinstance(part, Mapping)
        ]
        if isinstance(parts, list)
        else []
    )
    return "".join(texts)
