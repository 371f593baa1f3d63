"""The output audio buffer of a WebRTC call: response audio waiting to play out on the call's
track, and the events only WebRTC and SIP have.

Over WebRTC the server sends no ``response.output_audio.delta``: the audio rides RTP (recorded
WebRTC sessions have none). It keeps an output buffer and reports on it instead. The openai SDK
(``openai.types.realtime.realtime_server_event``) describes the events:

- ``output_audio_buffer.started``: "the server begins streaming audio to the client ... emitted
  after an audio content part has been added (``response.content_part.added``)";
- ``output_audio_buffer.stopped``: "the output audio buffer has been completely drained on the
  server, and no more audio is forthcoming ... emitted after the full response data has been
  sent to the client (``response.done``)";
- ``output_audio_buffer.cleared``: "either in VAD mode when the user has interrupted
  (``input_audio_buffer.speech_started``), or when the client has emitted the
  ``output_audio_buffer.clear`` event to manually cut off the current audio response".

Each carries the ``response_id`` whose audio it is. On an interruption the server truncates the
item itself at the audio it had played (``conversation.item.truncated`` with ``audio_end_ms``):
recorded WebRTC sessions show ``speech_started`` → ``output_audio_buffer.cleared`` →
``conversation.item.truncated`` → ``response.done`` (cancelled) with no client truncate.

"Played" means handed to the track (one 20 ms frame at a time, in real time). The buffer holds
at most ``max_queued_s`` of audio: a response generating further ahead waits (back-pressure),
so memory stays bounded whatever the session's pace.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from . import errors
from .conversation import Conversation
from .input_audio import SAMPLE_RATE, ms
from .peers import PeerClosed

MAX_QUEUED_S = 10.0


class PlayoutHost(Protocol):
    """What the output buffer needs from its session."""

    conversation: Conversation

    async def emit(self, event_type: str, **fields: Any) -> None: ...


@dataclass
class _Segment:
    run_id: str
    key: tuple[str, int]  # (item id, content index)
    samples: np.ndarray
    offset: int = 0  # samples of this segment already played


@dataclass
class _Run:
    queued: int = 0  # samples waiting to play
    started: bool = False  # output_audio_buffer.started was sent
    ended: bool = False  # the response finished generating (response.done was sent)


class Playout:
    """The call's output audio buffer (see the module docstring)."""

    def __init__(self, host: PlayoutHost, max_queued_s: float = MAX_QUEUED_S) -> None:
        self._host = host
        self._limit = max(1, int(max_queued_s * SAMPLE_RATE))
        self._queue: deque[_Segment] = deque()
        self._queued = 0
        self._space = asyncio.Event()
        self._space.set()
        self._runs: dict[str, _Run] = {}  # responses with audio in the buffer, in order
        self._items: dict[tuple[str, int], tuple[str, int]] = {}  # key -> (run id, played)
        self._dropped: set[str] = set()  # cut while still generating: later writes are dropped
        self.closed = False

    @property
    def queued_ms(self) -> int:
        """Audio waiting to play, in milliseconds."""
        return ms(self._queued)

    def holds(self, run_id: str) -> bool:
        """Whether ``run_id``'s audio is waiting or playing."""
        return run_id in self._runs

    async def write(self, run_id: str, item_id: str, content_index: int, pcm: np.ndarray) -> None:
        """Queue a response's 24 kHz audio; waits while the buffer is full. Audio of a response
        that was cut, or written after :meth:`close`, is dropped."""
        while self._queued >= self._limit and not self.closed and run_id not in self._dropped:
            self._space.clear()
            await self._space.wait()
        if self.closed or run_id in self._dropped or not len(pcm):
            return
        run = self._runs.setdefault(run_id, _Run())
        key = (item_id, content_index)
        self._queue.append(_Segment(run_id, key, pcm))
        run.queued += len(pcm)
        self._queued += len(pcm)
        self._items.setdefault(key, (run_id, 0))

    async def end(self, run_id: str) -> None:
        """The response finished generating: ``stopped`` now if its audio has all played, else
        when it has."""
        self._dropped.discard(run_id)
        run = self._runs.get(run_id)
        if run is None:
            return
        run.ended = True
        if run.queued == 0:
            await self._stopped(run_id)

    async def pull(self, count: int) -> np.ndarray:
        """The next ``count`` samples for the track (silence when idle); sends ``started``
        when a response's audio begins and ``stopped`` when it has all played."""
        out = np.zeros(count, np.int16)
        filled = 0
        while filled < count and self._queue:
            seg = self._queue[0]
            run = self._runs[seg.run_id]
            if not run.started:
                run.started = True
                await self._emit("output_audio_buffer.started", response_id=seg.run_id)
            take = min(count - filled, len(seg.samples) - seg.offset)
            out[filled : filled + take] = seg.samples[seg.offset : seg.offset + take]
            seg.offset += take
            filled += take
            run.queued -= take
            self._queued -= take
            owner, played = self._items[seg.key]
            self._items[seg.key] = (owner, played + take)
            if seg.offset == len(seg.samples):
                self._queue.popleft()
                if run.queued == 0 and run.ended:
                    await self._stopped(seg.run_id)
        if self._queued < self._limit:
            self._space.set()
        return out

    async def interrupt(self) -> bool:
        """Cut the audio: ``cleared`` for each response whose audio was waiting or playing, then
        each cut item truncated at what had played. False when nothing was there to cut."""
        if not self._runs:
            return False
        runs, items = self._runs, self._items
        self._runs, self._items = {}, {}
        self._queue.clear()
        self._queued = 0
        self._space.set()
        self._dropped.update(run_id for run_id, run in runs.items() if not run.ended)
        for run_id in runs:
            await self._emit("output_audio_buffer.cleared", response_id=run_id)
        for (item_id, index), (_, played) in items.items():
            await self._truncate(item_id, index, ms(played))
        return True

    def close(self) -> None:
        """The call ended: drop everything and release any waiting writer."""
        self.closed = True
        self._queue.clear()
        self._queued = 0
        self._runs.clear()
        self._items.clear()
        self._dropped.clear()
        self._space.set()

    async def _stopped(self, run_id: str) -> None:
        self._runs.pop(run_id, None)
        for key in [k for k, (owner, _) in self._items.items() if owner == run_id]:
            del self._items[key]
        await self._emit("output_audio_buffer.stopped", response_id=run_id)

    async def _truncate(self, item_id: str, content_index: int, end_ms: int) -> None:
        """The server's own truncation; an item the client deleted meanwhile is skipped."""
        try:
            self._host.conversation.truncate(item_id, content_index, end_ms)
        except errors.RealtimeError:
            return
        await self._emit(
            "conversation.item.truncated",
            item_id=item_id,
            content_index=content_index,
            audio_end_ms=end_ms,
        )

    async def _emit(self, event_type: str, **fields: Any) -> None:
        """Send an event; a closed data channel never stops the audio (the call is ending)."""
        if not self.closed:
            with contextlib.suppress(PeerClosed):
                await self._host.emit(event_type, **fields)
