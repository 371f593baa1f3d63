"""How much a conversation keeps: audio in seconds and items in number, the oldest let go first.

The reference kept every item's audio until the item was deleted: about 48 KB a second of
speech, without end. Here the conversation notes each item's audio length as it grows; past
``max_seconds`` in all, the oldest items' audio is released (``formatted["audio"]`` becomes
empty and ``formatted["audio_released"]`` holds how many samples it had). Text, transcripts
and the items themselves stay.
"""

from __future__ import annotations

from collections import OrderedDict, deque

from console.defaults import MAX_AUDIO_SECONDS

from .utils import SAMPLE_RATE

DEFAULT_MAX_AUDIO_SECONDS = MAX_AUDIO_SECONDS
"""Audio a conversation keeps in all by default: 30 minutes, about 86 MB of 24 kHz PCM16."""


class AudioRetention:
    """Samples kept per item, oldest first; says which items must let their audio go."""

    def __init__(self, max_seconds: float | None = DEFAULT_MAX_AUDIO_SECONDS) -> None:
        """``None`` keeps everything (the reference's behaviour)."""
        if max_seconds is not None and not max_seconds > 0:
            raise ValueError(f"max_seconds must be positive or None, not {max_seconds!r}")
        self.max_seconds = max_seconds
        self.max_samples = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
        self.kept_samples = 0
        self.released_samples = 0
        self.released_items = 0
        self._by_item: OrderedDict[str, int] = OrderedDict()

    @property
    def kept_seconds(self) -> float:
        return self.kept_samples / SAMPLE_RATE

    def note(self, item_id: str, samples: int) -> list[str]:
        """``item_id`` now holds ``samples``; the ids (older ones) whose audio must go."""
        if not samples and item_id not in self._by_item:
            return []  # an item without audio holds nothing to let go
        self.kept_samples += samples - self._by_item.get(item_id, 0)
        self._by_item[item_id] = samples
        if self.max_samples is None:
            return []
        release: list[str] = []
        while self.kept_samples > self.max_samples:  # from the oldest, without copying the table
            oldest, count = next(iter(self._by_item.items()))
            if oldest == item_id:
                break
            release.append(oldest)
            self.forget(oldest)
            self.released_samples += count
            self.released_items += 1
        return release

    def forget(self, item_id: str) -> None:
        """The item went (deleted, cleared) or let its audio go."""
        self.kept_samples -= self._by_item.pop(item_id, 0)

    def clear(self) -> None:
        self._by_item.clear()
        self.kept_samples = 0


class ForgottenIds:
    """Ids of items the conversation let go (past ``max_items``), remembered up to ``limit``.

    Events that still name one (a late delete, a transcript) are ignored rather than reported
    as unknown items.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self.count = 0
        """Items let go in all."""
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def add(self, item_id: str) -> None:
        self.count += 1
        self._order.append(item_id)
        self._ids.add(item_id)
        if len(self._order) > self.limit:
            self._ids.discard(self._order.popleft())

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._ids

    def clear(self) -> None:
        self._order.clear()
        self._ids.clear()
