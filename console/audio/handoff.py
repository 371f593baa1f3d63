"""A bounded hand-off from PortAudio's callback thread to the asyncio loop that never blocks it.

The audio thread must never wait: if it did, PortAudio would drop audio or glitch. ``put`` holds
a lock only for a deque append (no allocation beyond the node, no I/O), drops the oldest item when
the queue is full (counting it), and wakes the loop with ``call_soon_threadsafe`` only when no
wake-up is already pending, so a loop that falls behind gets one callback per batch, not one per
block, and its ready queue cannot grow without bound.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    """Items put from any thread, delivered in order to ``consumer`` on ``loop`` in batches."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        consumer: Callable[[list[T]], object],
        max_items: int,
    ) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.loop = loop
        self.max_items = max_items
        self._consumer = consumer
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self._wake_pending = False
        self._closed = False
        self._dropped = 0
        self._put = 0

    @property
    def dropped(self) -> int:
        """Items dropped (the oldest) because the loop fell behind, or put after closing."""
        return self._dropped

    @property
    def put_count(self) -> int:
        """Items ever put."""
        return self._put

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        """Queue ``item`` (any thread; never blocks beyond a deque append under a lock)."""
        with self._lock:
            self._put += 1
            if self._closed:
                self._dropped += 1
                return
            if len(self._items) >= self.max_items:
                self._items.popleft()
                self._dropped += 1
            self._items.append(item)
            if self._wake_pending:
                return
            self._wake_pending = True
        try:
            self.loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop is closed: nobody will take them
            with self._lock:
                self._dropped += len(self._items)
                self._items.clear()
                self._closed = True

    def close(self) -> None:
        """Stop delivering; what is queued is dropped."""
        with self._lock:
            self._closed = True
            self._items.clear()

    def _drain(self) -> None:
        with self._lock:
            batch = list(self._items)
            self._items.clear()
            self._wake_pending = False
        if batch:
            self._consumer(batch)
