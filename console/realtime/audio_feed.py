"""Input audio from any thread (a sound card's callback) to the client's event loop, bounded.

``RealtimeClient.append_input_audio`` must run on the loop that owns the socket. A capture
callback runs on PortAudio's thread and must never wait, so ``put`` copies the samples, queues
them under a lock held only for a deque append, and wakes the loop with
``call_soon_threadsafe`` (once per batch, so a loop that falls behind gets one wake-up, not one
per chunk). Past ``max_chunks`` the oldest chunk is dropped and counted: fresh audio matters
more than old audio to a voice conversation. Chunks that reach the loop after the socket closed
are dropped and counted too.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable

from .utils import AudioLike, Int16Array, to_pcm16


class ThreadsafeAudioFeed:
    """Hands PCM16 chunks from any thread to ``append`` on the bound loop."""

    def __init__(
        self,
        append: Callable[[Int16Array], object],
        connected: Callable[[], bool],
        max_chunks: int = 50,
    ) -> None:
        if max_chunks < 1:
            raise ValueError("max_chunks must be at least 1")
        self.max_chunks = max_chunks
        self.dropped = 0
        self._append = append
        self._connected = connected
        self._loop: asyncio.AbstractEventLoop | None = None
        self._chunks: deque[Int16Array] = deque()
        self._lock = threading.Lock()
        self._wake_pending = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver on ``loop`` from now on (the client binds its loop when it connects)."""
        self._loop = loop

    def put(self, audio: AudioLike) -> bool:
        """Queue a copy of ``audio`` (any thread, never blocks); False if dropped at once."""
        samples = to_pcm16(audio)
        loop = self._loop
        with self._lock:
            if loop is None or loop.is_closed():
                self.dropped += 1
                return False
            if len(self._chunks) >= self.max_chunks:
                self._chunks.popleft()
                self.dropped += 1
            self._chunks.append(samples)
            if self._wake_pending:
                return True
            self._wake_pending = True
        try:
            loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop closed meanwhile
            with self._lock:
                self.dropped += len(self._chunks)
                self._chunks.clear()
                self._wake_pending = False
            return False
        return True

    def _drain(self) -> None:
        with self._lock:
            batch = list(self._chunks)
            self._chunks.clear()
            self._wake_pending = False
        for samples in batch:
            if self._connected():
                self._append(samples)
            else:
                self.dropped += 1
