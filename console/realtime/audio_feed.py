"""Input audio from any thread (a sound card's callback) to the client's event loop, bounded.

``RealtimeClient.append_input_audio`` must run on the loop that owns the socket. A capture
callback runs on PortAudio's thread and must never wait, so ``put`` copies the samples and hands
them over through a ``Handoff`` (bounded, drop-oldest, one wake-up per batch). Past
``max_chunks`` waiting, the oldest chunk is dropped and counted; chunks that reach the loop
after the socket closed are dropped and counted too, under the hand-off's lock like the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .handoff import Handoff
from .utils import AudioLike, Int16Array, to_pcm16


class ThreadsafeAudioFeed:
    """Hands PCM16 chunks from any thread to ``append`` on the bound loop."""

    def __init__(
        self,
        append: Callable[[Int16Array], object],
        connected: Callable[[], bool],
        max_chunks: int = 50,
    ) -> None:
        self._append = append
        self._connected = connected
        self._handoff: Handoff[Int16Array] = Handoff(None, self._deliver, max_chunks)

    @property
    def max_chunks(self) -> int:
        """Chunks that may wait for the loop before the oldest is dropped."""
        return self._handoff.max_items

    @property
    def dropped(self) -> int:
        """Chunks dropped: the loop behind, no loop bound, or no socket when they arrived."""
        return self._handoff.dropped

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver on ``loop`` from now on (the client binds its loop when it connects)."""
        self._handoff.bind(loop)

    def put(self, audio: AudioLike) -> bool:
        """Queue a copy of ``audio`` (any thread, never blocks); False if dropped at once."""
        return self._handoff.put(to_pcm16(audio))

    def _deliver(self, batch: list[Int16Array]) -> None:
        for samples in batch:
            if self._connected():
                self._append(samples)
            else:
                self._handoff.drop()
