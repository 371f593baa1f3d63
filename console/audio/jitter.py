"""The speaker's jitter buffer and its playback tracker (no threads here; ``Speaker`` locks).

``JitterBuffer`` keeps assistant audio (24 kHz mono int16) per item, in arrival order, bounded
in samples (past the bound the oldest audio is dropped and counted). It waits for
``prebuffer`` samples before it starts an item, unless the item is known to be complete, so that
deltas arriving unevenly do not underrun at once; an item that was interrupted takes no more
audio (the server goes on sending deltas until it sees the cancel).

``PlaybackTracker`` counts, per item, the samples actually handed to the device, as the
openai-agents playback tracker does (``on_play_bytes``), so a truncation can say where the
listener stopped hearing the item: ``samples_played(item_id)``. It is thread-safe on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

import numpy as np

from console.realtime.utils import SAMPLE_RATE, Int16Array

_EMPTY: Int16Array = np.zeros(0, dtype=np.int16)


class PlaybackTracker:
    """Samples played per item, and the item playing now."""

    def __init__(self, sample_rate: int = SAMPLE_RATE, max_items: int = 256) -> None:
        self.sample_rate = sample_rate
        self.max_items = max_items
        self._played: OrderedDict[str, int] = OrderedDict()
        self._current: str | None = None
        self._lock = threading.Lock()

    def on_play(self, item_id: str, samples: int) -> None:
        """Record ``samples`` of ``item_id`` handed to the device."""
        with self._lock:
            self._played[item_id] = self._played.get(item_id, 0) + samples
            self._played.move_to_end(item_id)
            self._current = item_id
            while len(self._played) > self.max_items:
                self._played.popitem(last=False)

    def finished(self, item_id: str) -> None:
        """``item_id`` has played to its end: nothing is playing now."""
        with self._lock:
            if self._current == item_id:
                self._current = None

    @property
    def current_item(self) -> str | None:
        """The item playing now (``None`` between items)."""
        return self._current

    def samples_played(self, item_id: str) -> int:
        """Samples of ``item_id`` handed to the device so far (0 for an unknown item)."""
        return self._played.get(item_id, 0)

    def ms_played(self, item_id: str) -> int:
        """Whole milliseconds of ``item_id`` played."""
        return self.samples_played(item_id) * 1000 // self.sample_rate

    def reset(self) -> None:
        """Forget everything."""
        with self._lock:
            self._played.clear()
            self._current = None


class _Item:
    __slots__ = ("chunks", "complete", "item_id", "offset", "samples")

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        self.chunks: deque[Int16Array] = deque()
        self.offset = 0  # samples of chunks[0] already taken
        self.samples = 0  # samples not yet taken
        self.complete = False


class JitterBuffer:
    """Audio per item, taken in arrival order; not thread-safe (its owner locks)."""

    def __init__(self, max_samples: int, prebuffer: int = 0) -> None:
        self.max_samples = max_samples
        self.prebuffer = prebuffer
        self.dropped_samples = 0
        self.ignored_samples = 0
        self._items: deque[_Item] = deque()
        self._by_id: dict[str, _Item] = {}
        self._closed_ids: deque[str] = deque(maxlen=256)
        self._total = 0
        self._started = False
        self._finished: list[str] = []

    def __len__(self) -> int:
        """Samples waiting to play."""
        return self._total

    @property
    def waiting(self) -> bool:
        """An item is started but its audio ran out before its end (an underrun if playing)."""
        return bool(self._items)

    def append(self, item_id: str, samples: Int16Array) -> bool:
        """Queue samples of ``item_id``; False (ignored) if that item was interrupted."""
        if item_id in self._closed_ids:
            self.ignored_samples += len(samples)
            return False
        if not len(samples):
            return True
        item = self._by_id.get(item_id)
        if item is None:
            item = self._by_id[item_id] = _Item(item_id)
            self._items.append(item)
        item.chunks.append(samples)
        item.samples += len(samples)
        self._total += len(samples)
        if self._total > self.max_samples:
            self._drop_oldest(self._total - self.max_samples)
        return True

    def end_item(self, item_id: str) -> None:
        """No more audio comes for ``item_id``: it may play without prebuffering."""
        item = self._by_id.get(item_id)
        if item is not None:
            item.complete = True

    def take(self, count: int) -> list[tuple[str, Int16Array]]:
        """Up to ``count`` samples as ``(item_id, samples)`` runs; fewer on underrun."""
        if not self._started:
            head = self._items[0] if self._items else None
            if head is None or (self._total < self.prebuffer and not head.complete):
                return []
            self._started = True
        runs: list[tuple[str, Int16Array]] = []
        while count > 0 and self._items:
            item = self._items[0]
            taken = self._take_from(item, count)
            if len(taken):
                runs.append((item.item_id, taken))
                count -= len(taken)
            if item.samples == 0:
                if not item.complete and len(self._items) == 1:
                    break  # more of it may come: an underrun, not the item's end
                self._items.popleft()
                self._by_id.pop(item.item_id, None)
                self._finished.append(item.item_id)
        if not self._items or self._total == 0:
            self._started = False  # prebuffer again before the next audio
        return runs

    def pop_finished(self) -> list[str]:
        """Ids of the items played to their end since the last call."""
        finished, self._finished = self._finished, []
        return finished

    def interrupt(self) -> list[str]:
        """Drop everything queued; those items take no more audio. Their ids, oldest first."""
        ids = [item.item_id for item in self._items]
        self._closed_ids.extend(ids)
        self._items.clear()
        self._by_id.clear()
        self._total = 0
        self._started = False
        return ids

    def close_item(self, item_id: str) -> None:
        """``item_id`` takes no more audio (it was interrupted while nothing of it was queued)."""
        if item_id not in self._closed_ids:
            self._closed_ids.append(item_id)

    def clear(self) -> None:
        """Drop everything queued (items may still get audio later)."""
        self._items.clear()
        self._by_id.clear()
        self._total = 0
        self._started = False

    def _take_from(self, item: _Item, count: int) -> Int16Array:
        parts: list[Int16Array] = []
        while count > 0 and item.chunks:
            head = item.chunks[0]
            available = len(head) - item.offset
            n = min(available, count)
            parts.append(head[item.offset : item.offset + n])
            item.offset += n
            count -= n
            if item.offset == len(head):
                item.chunks.popleft()
                item.offset = 0
        taken = parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else _EMPTY
        item.samples -= len(taken)
        self._total -= len(taken)
        return taken

    def _drop_oldest(self, count: int) -> None:
        while count > 0 and self._items:
            item = self._items[0]
            dropped = self._take_from(item, count)
            count -= len(dropped)
            self.dropped_samples += len(dropped)
            if item.samples == 0:
                self._items.popleft()
                self._by_id.pop(item.item_id, None)
