"""A bounded hand-off from any thread to an asyncio loop that never blocks the thread.

A sound card's callback (PortAudio's thread) must never wait: if it did, audio would be lost or
glitch. ``put`` holds a lock only for a deque append, drops the oldest item when the queue is
full (counting it: fresh audio matters more than old audio to a voice conversation), and wakes
the loop with ``call_soon_threadsafe`` only when no wake-up is already pending, so a loop that
falls behind gets one callback per batch, not one per item, and its ready queue cannot grow
without bound. Every count is changed under the lock, the loop side's too (``drop``).

One implementation for the library's input audio (``audio_feed``) and the console's microphone
and speaker (``console.audio``).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    """Items put from any thread, delivered in order and in batches to ``consumer`` on a loop.

    The loop is given at construction or later with ``bind``; items put while no open loop is
    bound, or after ``close``, are dropped and counted.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop | None,
        consumer: Callable[[list[T]], object],
        max_items: int,
    ) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.max_items = max_items
        self._loop = loop
        self._consumer = consumer
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self._wake_pending = False
        self._closed = False
        self._dropped = 0
        self._put = 0

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop items are delivered on (``RuntimeError`` if none is bound yet)."""
        if self._loop is None:
            raise RuntimeError("the hand-off is bound to no loop yet")
        return self._loop

    @property
    def dropped(self) -> int:
        """Items dropped: the oldest when the loop fell behind, those put with no open loop or
        after closing, and those the consumer could not use (``drop``)."""
        return self._dropped

    @property
    def put_count(self) -> int:
        """Items ever put."""
        return self._put

    def __len__(self) -> int:
        return len(self._items)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver on ``loop`` from now on (reopens a closed hand-off).

        Items still waiting for the previous loop are dropped and counted.
        """
        with self._lock:
            self._dropped += len(self._items)
            self._items.clear()
            self._loop = loop
            self._wake_pending = False
            self._closed = False

    def put(self, item: T) -> bool:
        """Queue ``item`` (any thread; never blocks beyond a deque append under a lock).

        False when it was dropped at once (no open loop, or closed).
        """
        with self._lock:
            self._put += 1
            loop = self._loop
            if self._closed or loop is None or loop.is_closed():
                self._dropped += 1
                return False
            if len(self._items) >= self.max_items:
                self._items.popleft()
                self._dropped += 1
            self._items.append(item)
            if self._wake_pending:
                return True
            self._wake_pending = True
        try:
            loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop closed meanwhile: nobody will take them
            with self._lock:
                self._dropped += len(self._items)
                self._items.clear()
                self._wake_pending = False
                self._closed = True
            return False
        return True

    def drop(self, count: int = 1) -> None:
        """Count items the consumer received but could not use (from the loop)."""
        with self._lock:
            self._dropped += count

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
