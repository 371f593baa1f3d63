"""The outgoing frames of one ``RealtimeAPI`` connection, bounded in bytes.

``send`` is synchronous and one writer task drains the queue in order. While the link stalls
(a slow network, a server that stops reading), a microphone keeps appending audio: unbounded,
the queue grew without limit. Two bounds, counted over the frames queued or being written:

- past ``max_audio_bytes``, a new ``input_audio_buffer.append`` is dropped (neither dispatched
  nor sent) and counted; ``RealtimeAPI`` reports a ``send_queue_full`` error once per stall (a
  stall ends when the queue is back under half the bound). The newest audio is the one lost, so
  what the event log shows as sent was sent, and the client's copy of the input audio (whose
  positions VAD offsets index) stays aligned with the server's. An append into an empty queue
  always goes, however large (a whole WAV file);
- other events still queue, up to ``max_bytes`` in all; past it ``send`` raises
  ``SendQueueFull`` and nothing is dispatched or sent.
"""

from __future__ import annotations

import asyncio

MAX_QUEUED_AUDIO_BYTES = 1024 * 1024
"""Queued bytes past which audio appends are dropped: about 16 s of 24 kHz PCM16 audio."""
MAX_QUEUED_BYTES = 64 * 1024 * 1024
"""Queued bytes past which ``send`` refuses any event."""


class SendQueueFull(ConnectionError):
    """Raised by ``RealtimeAPI.send`` when the link has stalled with ``max_bytes`` queued."""


class SendQueue:
    """Frames waiting for the writer, with their size in bytes (JSON is ASCII here)."""

    def __init__(
        self,
        max_audio_bytes: int = MAX_QUEUED_AUDIO_BYTES,
        max_bytes: int = MAX_QUEUED_BYTES,
    ) -> None:
        if not 0 < max_audio_bytes <= max_bytes:
            raise ValueError("need 0 < max_audio_bytes <= max_bytes")
        self.max_audio_bytes = max_audio_bytes
        self.max_bytes = max_bytes
        self.bytes = 0
        """Bytes of the frames queued or being written."""
        self.stalled = False
        """Whether audio was dropped since the queue was last under half its audio bound."""
        self._frames: asyncio.Queue[str] = asyncio.Queue()

    def admit(self, size: int, audio: bool) -> bool:
        """Whether a frame of ``size`` bytes may be queued now; False for audio to drop.

        Raises ``SendQueueFull`` for any other frame past ``max_bytes``.
        """
        if audio:
            return not (self.bytes and self.bytes + size > self.max_audio_bytes)
        if self.bytes + size > self.max_bytes:
            mib = self.max_bytes / (1024 * 1024)
            raise SendQueueFull(
                f"the link has stalled: {self.bytes:,} bytes are waiting to be sent and this"
                f" event ({size:,} bytes) would pass the {mib:g} MiB limit; nothing was sent"
            )
        return True

    def dropped(self) -> bool:
        """Note an audio frame dropped; True if it is the first of this stall."""
        first, self.stalled = not self.stalled, True
        return first

    def put(self, frame: str) -> None:
        self.bytes += len(frame)
        self._frames.put_nowait(frame)

    async def get(self) -> str:
        return await self._frames.get()

    def done(self, frame: str) -> None:
        """``frame`` (from ``get``) was written, or discarded."""
        self.bytes -= len(frame)
        self._frames.task_done()
        if self.stalled and self.bytes <= self.max_audio_bytes // 2:
            self.stalled = False

    def discard_all(self) -> None:
        """Forget what is queued (the socket closed), so ``join`` returns."""
        while not self._frames.empty():
            self.done(self._frames.get_nowait())

    async def join(self) -> None:
        """Wait until every frame put was written or discarded."""
        await self._frames.join()
