"""Which conversation items the model still reads: an estimate from each response's usage.

With ``truncation`` (``auto``, or ``retention_ratio`` with ``token_limits``) the server drops
the oldest items from what the model reads once the conversation outgrows its limit. No event
says so: the items stay in the conversation (retrievable, listed), and only the usage shows it.
``ContextWindow`` works from what every server sends, so it holds against OpenAI as against
the simulator:

- each item gets an estimated input-token cost. A response's output items share its
  ``usage.output_tokens`` (split by the length of their text); other items start from a
  heuristic (text: four characters a token; user audio: ``USER_AUDIO_MS_PER_TOKEN``) that the
  next usage corrects: when a response's ``input_tokens`` is what the previous context plus the
  new items explain, the surplus is spread over the new items (and over the base, the
  instructions and tools, when no item is new). An assistant item cut where the listener
  stopped hearing it (``conversation.item.truncated``) is re-learnt the same way: it now costs
  between nothing and its estimate.
- the items of a response's input are those in the conversation when it was created, less
  those already dropped. Predicted input = base + their estimates. When ``input_tokens`` falls
  more than ``MIN_DEFICIT`` below the least the items can cost (the learnt ones their estimate,
  new ones half of theirs, cut ones nothing), the server dropped items: the oldest ones, as many
  as cover the shortfall from the prediction, are marked "not in the model's context", and stay
  marked (the server drops from the start and does not bring items back).

Limits (the README says them too): it is an estimate. A response's items are assumed to cost
as input what they cost as output. Per-item costs are heuristics calibrated in aggregate, so
which item is the last dropped can be off by one. A drop smaller than half of what was added
since the previous response goes unseen. A response with its own ``instructions``, ``tools``
or ``input`` (or out of band), or a session update that changed instructions or tools, changes
the base by an unknown amount: such a response re-learns the base and detects nothing. Items
older than ``MAX_ITEMS`` are forgotten. ``cached_tokens`` is kept with each drop (a drop
changes the context's start, so the cache usually misses) as a hint, not as evidence.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .speech_windows import SpeechWindows

MAX_ITEMS = 10_000
MAX_DROPS = 1_000
MIN_DEFICIT = 16
"""Tokens: a smaller shortfall is rounding, not a dropped item."""
CHARS_PER_TOKEN = 4
USER_AUDIO_MS_PER_TOKEN = 100
ITEM_OVERHEAD = 2
JOINS = ("conversation.item.added", "conversation.item.created", "conversation.item.done")


@dataclass
class _Item:
    text_chars: int = 0
    audio_ms: int = 0
    tokens: float = 0.0
    calibrated: bool = False
    """The estimate has been checked against a usage (else it is the heuristic)."""
    dropped: bool = False
    cut: bool = False
    """Truncated (``conversation.item.truncated``) since its cost was learnt: it now costs
    somewhere between nothing and its estimate, until the next usage says."""

    def heuristic(self) -> float:
        text = -(-self.text_chars // CHARS_PER_TOKEN)
        return ITEM_OVERHEAD + text + self.audio_ms / USER_AUDIO_MS_PER_TOKEN


@dataclass(frozen=True)
class Drop:
    """One detected truncation: the response that showed it and the items it dropped."""

    response_id: str
    input_tokens: int
    predicted: int
    cached_tokens: int | None
    item_ids: tuple[str, ...]


@dataclass
class _Pending:
    """A response between ``response.created`` and ``response.done``."""

    context: list[str]
    custom: bool
    changed_base: bool


class ContextWindow:
    """Items in conversation order with their estimated cost, and those dropped."""

    def __init__(self) -> None:
        self.base: float | None = None
        """Tokens of the instructions and tools (learnt from the first usage)."""
        self.drops: list[Drop] = []
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self._pending: dict[str, _Pending] = {}
        self._speech = SpeechWindows(64)
        """VAD windows by item id (``speech_stopped`` comes before the item joins)."""
        self._custom_requests = 0
        self._base_changed = False
        self._session_key: str | None = None

    def is_dropped(self, item_id: str) -> bool:
        item = self._items.get(item_id)
        return item is not None and item.dropped

    def why_dropped(self, item_id: str) -> str | None:
        """The evidence for an item's mark, in words (the item detail shows it), or None."""
        drop = next((d for d in reversed(self.drops) if item_id in d.item_ids), None)
        if drop is None:
            return None
        cached = "" if drop.cached_tokens is None else f", {drop.cached_tokens} of them cached"
        return (
            f"✂ Not in the model's context since {drop.response_id}: it read "
            f"{drop.input_tokens} input tokens{cached} where the items before it predicted "
            f"about {drop.predicted} (an estimate from usage; see the README)."
        )

    def estimate(self, item_id: str) -> int | None:
        """The item's estimated input tokens, if it is known."""
        item = self._items.get(item_id)
        return None if item is None else round(item.tokens)

    def clear(self) -> None:
        """A new session: nothing known."""
        self.base = None
        self.drops.clear()
        self._items.clear()
        self._pending.clear()
        self._speech.clear()
        self._custom_requests = 0
        self._base_changed = False
        self._session_key = None

    def observe(self, source: str, event: dict[str, Any]) -> set[str]:
        """Take one event in; the ids of items newly marked dropped."""
        kind = event.get("type")
        if source == "client":
            if kind == "response.create":
                self._note_request(event.get("response"))
            return set()
        if source != "server":
            return set()
        if kind in JOINS:
            self._join(event.get("item"), event.get("previous_item_id"))
        elif kind == "conversation.item.deleted":
            self._items.pop(str(event.get("item_id")), None)
        elif kind == "conversation.item.truncated":
            self._note_cut(event.get("item_id"))
        elif kind in ("input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped"):
            self._note_speech(event)
        elif kind in ("session.created", "session.updated"):
            if kind == "session.created":  # a new session: a new conversation
                self.clear()
            self._note_session(event.get("session"))
        elif kind == "response.created":
            self._created(event.get("response"))
        elif kind == "response.done":
            return self._done(event.get("response"))
        return set()

    # -- what joins the conversation ----------------------------------------------------------

    def _join(self, raw: Any, previous: Any) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            return
        item_id = raw["id"]
        item = self._items.get(item_id)
        if item is None:
            item = _Item()
            last = next(reversed(self._items), None)
            if isinstance(previous, str) and previous != last and previous in self._items:
                self._insert_after(previous, item_id, item)  # rare: not at the end
            else:
                self._items[item_id] = item
            while len(self._items) > MAX_ITEMS:
                self._items.popitem(last=False)
        item.text_chars = max(item.text_chars, _text_chars(raw))
        window = self._speech.get(item_id)
        if window is not None:
            item.audio_ms = max(0, window[1] - window[0])
        if not item.calibrated:
            item.tokens = item.heuristic()

    def _insert_after(self, previous: str, item_id: str, item: _Item) -> None:
        entries = list(self._items.items())
        index = next(i for i, (key, _) in enumerate(entries) if key == previous)
        entries.insert(index + 1, (item_id, item))
        self._items = OrderedDict(entries)

    def _note_speech(self, event: dict[str, Any]) -> None:
        closed = self._speech.observe(event)
        item = self._items.get(closed[0]) if closed is not None else None
        if closed is not None and item is not None and not item.calibrated:
            item.audio_ms = max(0, closed[2] - closed[1])  # joined before the stop: rare
            item.tokens = item.heuristic()

    def _note_cut(self, item_id: Any) -> None:
        """An assistant item cut where the listener stopped hearing it: its audio after the cut
        (and its transcript) no longer cost anything; how much remains the next usage says."""
        item = self._items.get(item_id) if isinstance(item_id, str) else None
        if item is not None:
            item.cut, item.calibrated = True, False

    def _note_session(self, session: Any) -> None:
        if not isinstance(session, dict):
            return
        key = repr((session.get("instructions"), session.get("tools"), session.get("prompt")))
        if self._session_key is not None and key != self._session_key:
            self._base_changed = True
        self._session_key = key

    def _note_request(self, response: Any) -> None:
        """A ``response.create`` with its own input, instructions or tools, or out of band."""
        if isinstance(response, dict) and (
            {"instructions", "tools", "input"} & response.keys()
            or response.get("conversation") == "none"
        ):
            self._custom_requests += 1

    # -- responses --------------------------------------------------------------------------

    def _created(self, response: Any) -> None:
        if not isinstance(response, dict) or not isinstance(response.get("id"), str):
            return
        context = [item_id for item_id, item in self._items.items() if not item.dropped]
        custom = self._custom_requests > 0 or response.get("conversation_id", "") is None
        self._custom_requests = max(0, self._custom_requests - 1)
        self._pending[response["id"]] = _Pending(context, custom, self._base_changed)
        self._base_changed = False
        while len(self._pending) > 64:
            self._pending.pop(next(iter(self._pending)))

    def _done(self, response: Any) -> set[str]:
        if not isinstance(response, dict):
            return set()
        pending = self._pending.pop(str(response.get("id")), None)
        usage = response.get("usage")
        outputs = []
        for entry in _list(response.get("output")):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                outputs.append(entry["id"])
                if entry["id"] in self._items:  # its final text (added items come empty)
                    item = self._items[entry["id"]]
                    item.text_chars = max(item.text_chars, _text_chars(entry))
        if pending is None or not isinstance(usage, dict):
            return set()
        input_tokens, output_tokens = usage.get("input_tokens"), usage.get("output_tokens")
        if not isinstance(input_tokens, int) or not isinstance(output_tokens, int):
            return set()
        in_conversation = [item_id for item_id in outputs if item_id in self._items]
        if not input_tokens or (outputs and not in_conversation):
            return set()  # nothing billed (cancelled early), or out of band
        dropped = self._account(str(response.get("id")), pending, input_tokens, usage)
        self._share_output(in_conversation, output_tokens)
        return dropped

    def _account(
        self, response_id: str, pending: _Pending, input_tokens: int, usage: dict[str, Any]
    ) -> set[str]:
        if pending.custom:  # its own input or instructions: nothing learnt of the conversation
            return set()
        ids = [i for i in pending.context if i in self._items and not self._items[i].dropped]
        context = [self._items[item_id] for item_id in ids]
        old = sum(item.tokens for item in context if item.calibrated)
        new = [item for item in context if not item.calibrated]
        # A new item costs about its estimate and at least half of it; a cut one, half of it
        # and at least nothing.
        for item in new:
            if item.cut:
                item.tokens /= 2
        new_tokens = sum(item.tokens for item in new)
        new_least = sum(0.0 if item.cut else item.tokens / 2 for item in new)
        for item in new:
            item.calibrated, item.cut = True, False
        if self.base is None or pending.changed_base:
            self.base = max(0.0, input_tokens - old - new_tokens)
            return set()
        assert self.base is not None
        predicted = self.base + old + new_tokens
        if self.base + old + new_least - input_tokens > MIN_DEFICIT:
            deficit = predicted - input_tokens
            return self._drop(response_id, ids, deficit, input_tokens, predicted, usage)
        surplus = input_tokens - self.base - old
        if new_tokens > 0 and surplus > 0:
            for item in new:
                item.tokens *= surplus / new_tokens
        elif not new:
            self.base = max(0.0, self.base + surplus)
        return set()

    def _drop(
        self,
        response_id: str,
        ids: list[str],
        deficit: float,
        input_tokens: int,
        predicted: float,
        usage: dict[str, Any],
    ) -> set[str]:
        """Mark the oldest items that cover ``deficit`` (at least one, never the newest)."""
        marked: list[str] = []
        covered = 0.0
        for item_id in ids[:-1]:
            item = self._items[item_id]
            if marked and covered + item.tokens / 2 > deficit:
                break
            item.dropped = True
            marked.append(item_id)
            covered += item.tokens
        details = usage.get("input_token_details")
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        self.drops.append(
            Drop(
                response_id,
                input_tokens,
                round(predicted),
                cached if isinstance(cached, int) else None,
                tuple(marked),
            )
        )
        del self.drops[:-MAX_DROPS]
        return set(marked)

    def _share_output(self, item_ids: list[str], output_tokens: int) -> None:
        """A response's items cost, as input later, about what they cost as output."""
        items = [self._items[item_id] for item_id in item_ids]
        weights = [max(1.0, item.heuristic()) for item in items]
        total = sum(weights)
        for item, weight in zip(items, weights, strict=True):
            item.tokens = output_tokens * weight / total
            item.calibrated = True


def _text_chars(item: dict[str, Any]) -> int:
    """Characters of what an item says: text, transcripts, arguments, output."""
    chars = sum(len(str(item.get(key) or "")) for key in ("arguments", "output", "name"))
    for part in _list(item.get("content")):
        if isinstance(part, dict):
            chars += len(str(part.get("text") or part.get("transcript") or ""))
    return chars


def _list(value: Any) -> list[Any]:
    """``value`` if it is a list, else empty (a malformed event reads as carrying nothing)."""
    return value if isinstance(value, list) else []
