"""The speaker: assistant audio from a jitter buffer to a sounddevice output stream.

The loop ``append``s 24 kHz int16 deltas keyed by item id. PortAudio's callback takes what one
block needs from the ``JitterBuffer`` (zeros on underrun), resamples it to the device's rate
with one continuous soxr stream (silence included, so there are no edges), counts the samples
per item in the ``PlaybackTracker`` and hands the played audio to the loop (``on_output``, for
the meter) through a bounded ``Handoff``. The stream stays open between responses: a new stream
through PulseAudio takes up to two seconds to start.

``interrupt()`` (barge-in, push-to-talk) empties the buffer at once, refuses the rest of the
interrupted items' deltas and returns ``(item_id, samples_played)`` for
``client.cancel_response``. What is already in the device's own buffer (the ``latency="low"``
block or two) still plays, and was counted: the count is what the listener hears.

Playback marks (``on_mark``): when an item's first sample reaches the listener, and when its
playing stops (played to its end, or cut by ``interrupt()``, with the milliseconds played). The
time is measured in the PortAudio callback: the wall clock there, plus how far ahead of the DAC
the block is written (PortAudio's ``outputBufferDacTime - currentTime``, else the stream's output
latency), plus the sample's place in the block. The resampler's own delay (a few ms) is not
counted. A cut item's mark is at the time its last sample handed to the device is heard. Marks
wait in their own small queue, in order, and the hand-off wakes the loop for them: when the
loop falls behind, the hand-off drops the oldest played audio (the meter's), never a mark.

``start``/``stop`` are PortAudio calls that can take a second or two: call them on the device
thread (``devices.in_device_thread``), passing the loop to ``start``. Everything else here is the
loop's side and never calls PortAudio.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from time import time as wall_clock
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from console.realtime.handoff import Handoff
from console.realtime.utils import SAMPLE_RATE, AudioLike, Int16Array, samples_to_ms, to_pcm16

from .devices import (
    DeviceInfo,
    DeviceSpec,
    close_stream,
    device_call,
    find_device,
    sounddevice,
    stream_error,
)
from .jitter import JitterBuffer, PlaybackTracker
from .resample import OutputConverter

OutputCallback = Callable[[Int16Array], object]
NoticeCallback = Callable[[str], object]
_Message = tuple[str, Any]
_MAX_TRACKED = 256
"""Items whose heard-until time is kept (those playing or cut off; one or two in practice)."""
_MAX_MARKS = 256
"""Marks waiting for the loop (two per item: only a loop stalled for minutes loses any)."""
_MAX_DAC_AHEAD_S = 2.0
"""A DAC time further ahead than this is not believed (some host APIs report garbage)."""


@dataclass(frozen=True, slots=True)
class PlaybackMark:
    """An item's audio started or stopped reaching the listener."""

    kind: Literal["started", "stopped"]
    item_id: str
    at: float
    """Epoch seconds when the item's first (started) or last (stopped) sample is heard."""
    played_ms: int | None = None
    """Stopped: whole milliseconds of the item handed to the device (as a truncation counts)."""
    interrupted: bool = False
    """Stopped: cut by ``interrupt()`` rather than played to its end."""


MarkCallback = Callable[[PlaybackMark], object]


class Speaker:
    """An output device playing assistant audio per item, counting what was played."""

    opens_device = True
    """``start``/``stop`` are device calls (for the device thread)."""

    def __init__(
        self,
        *,
        device: DeviceSpec = None,
        samplerate: float | None = None,
        channels: int | None = None,
        block_ms: float | None = None,
        prebuffer_ms: float = 60.0,
        max_buffer_seconds: float = 600.0,
        on_output: OutputCallback | None = None,
        on_notice: NoticeCallback | None = None,
        on_mark: MarkCallback | None = None,
    ) -> None:
        """``block_ms`` ``None`` lets PortAudio choose the block size: fixed sizes that are not
        a power of two made ALSA's PulseAudio plugin free-run with underflows while an input
        stream was open. ``prebuffer_ms`` of an item are buffered before it starts (unless it is
        complete); ``max_buffer_seconds`` bounds the buffer (the oldest audio is dropped past it).
        """
        self.device = device
        self.samplerate = samplerate
        self.channels = channels
        self.block_ms = block_ms
        self.on_output = on_output
        self.on_notice = on_notice
        self.on_mark = on_mark
        self.notice: str | None = None
        self.device_info: DeviceInfo | None = None
        self.tracker = PlaybackTracker()
        self.underruns = 0
        self.frames_out = 0
        self._buffer = JitterBuffer(
            int(max_buffer_seconds * SAMPLE_RATE), int(prebuffer_ms * SAMPLE_RATE / 1000)
        )
        self._lock = threading.Lock()
        self._stream: Any = None
        self._converter: OutputConverter | None = None
        self._fifo: npt.NDArray[np.float32] = np.zeros((0, 1), dtype=np.float32)
        self._handoff: Handoff[_Message] | None = None
        self._flush = False
        self._stopping = False
        self._ended = False
        self._frame_waiters: list[tuple[int, asyncio.Future[bool]]] = []
        self._drain_waiters: list[asyncio.Future[bool]] = []
        self._latency = 0.0
        self._heard_until: dict[str, float] = {}
        """Per item playing (or cut), when its last sample handed to the device is heard."""
        self._marks: deque[PlaybackMark] = deque(maxlen=_MAX_MARKS)
        """Marks not yet reported, oldest first (the callback and ``interrupt`` add, under the
        lock; the loop takes them)."""

    # -- the loop's side -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the output stream is open and has not ended (asks nothing of PortAudio)."""
        return self._stream is not None and not self._ended

    @property
    def buffered_samples(self) -> int:
        """24 kHz samples waiting to play."""
        return len(self._buffer)

    @property
    def dropped_messages(self) -> int:
        """Played audio handed to the loop and dropped because the loop fell behind (the meter
        missed it; nothing else is lost)."""
        return self._handoff.dropped if self._handoff is not None else 0

    @property
    def dropped_samples(self) -> int:
        """Samples dropped because the buffer was full."""
        return self._buffer.dropped_samples

    def samples_played(self, item_id: str) -> int:
        """24 kHz samples of ``item_id`` handed to the device so far."""
        return self.tracker.samples_played(item_id)

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Open and start the stream, reporting to ``loop`` (default: the running one, when
        called on it); ``AudioUnavailable`` if it cannot. Blocks: use the device thread."""
        if self._stream is not None:
            return
        loop = loop or asyncio.get_running_loop()
        sd = sounddevice()
        info = find_device("output", self.device)
        rate = float(self.samplerate or info.default_samplerate)
        channels = int(self.channels or info.channels("output"))
        self.device_info = info
        self._converter = OutputConverter(rate, channels)
        self._fifo = np.zeros((0, channels), dtype=np.float32)
        self._handoff = Handoff(loop, self._on_messages, 256)
        self._stopping = False
        self._ended = False
        self.notice = None
        try:
            stream = sd.OutputStream(
                device=info.index,
                samplerate=rate,
                channels=channels,
                dtype="float32",
                blocksize=0
                if self.block_ms is None
                else max(1, round(rate * self.block_ms / 1000)),
                latency="low",
                callback=self._callback,
                finished_callback=self._finished,
            )
            stream.start()
            self._latency = _seconds(getattr(stream, "latency", 0.0))
        except Exception as exc:
            self._handoff.close()
            self._handoff = None
            raise stream_error("output", info, exc) from None
        self._stream = stream

    def stop(self) -> None:
        """Stop and close the stream; queued audio stays (``start`` plays it). Blocks."""
        close_stream(self._detach())

    def _detach(self) -> Any:
        """Forget the stream (no more messages from it) and return it, to be closed."""
        self._stopping = True
        stream, self._stream = self._stream, None
        if self._handoff is not None:
            self._handoff.close()
            self._handoff = None
        return stream

    def append(self, item_id: str, audio: AudioLike) -> bool:
        """Queue a delta of ``item_id`` (24 kHz PCM16); False if the item was interrupted."""
        samples = to_pcm16(audio)
        with self._lock:
            return self._buffer.append(item_id, samples)

    def end_item(self, item_id: str) -> None:
        """No more audio comes for ``item_id`` (its audio is done): play it out."""
        with self._lock:
            self._buffer.end_item(item_id)

    def play(self, item_id: str, audio: AudioLike) -> bool:
        """Play a whole item's audio (the conversation pane's replay)."""
        queued = self.append(item_id, audio)
        self.end_item(item_id)
        return queued

    def interrupt(self) -> tuple[str, int] | None:
        """Stop playback at once: ``(item_id, samples_played)`` of the item cut, or ``None``.

        The interrupted items (the one playing and any queued) take no more deltas.
        """
        heard_until: float | None = None
        with self._lock:
            self._buffer.interrupt()
            current = self.tracker.current_item
            if current is not None:
                self._buffer.close_item(current)
                self.tracker.finished(current)
                heard_until = self._heard_until.pop(current, None)
                played = self.tracker.samples_played(current)
                at = wall_clock() if heard_until is None else heard_until
                cut = PlaybackMark("stopped", current, at, samples_to_ms(played), interrupted=True)
                self._marks.append(cut)
            self._flush = True
        if current is None:
            return None
        self._report_marks()  # after those the callback queued before it
        return current, played

    def _report_marks(self) -> None:
        """Hand the waiting marks, oldest first, to ``on_mark`` (the loop's side)."""
        with self._lock:
            marks = list(self._marks)
            self._marks.clear()
        for mark in marks:
            if self.on_mark is None:
                continue
            try:
                self.on_mark(mark)
            except Exception as exc:
                self._notify(f"playback mark hook failed: {type(exc).__name__}: {exc}")

    async def wait_output(self, seconds: float, timeout: float | None = None) -> bool:
        """True once the device has pulled ``seconds`` more audio (silence counts)."""
        rate = self._converter.out_rate if self._converter else SAMPLE_RATE
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._frame_waiters.append((self.frames_out + math.ceil(seconds * rate), future))
        return await self._wait(future, timeout)

    async def wait_drained(self, timeout: float | None = None) -> bool:
        """True once everything queued has been handed to the device."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        with self._lock:
            if not len(self._buffer):
                return True
            self._drain_waiters.append(future)
        return await self._wait(future, timeout)

    async def _wait(self, future: asyncio.Future[bool], timeout: float | None) -> bool:
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False

    def _on_messages(self, messages: list[_Message]) -> None:
        self._report_marks()  # any wake-up brings them, the "marks" one may have been dropped
        for kind, payload in messages:
            if kind == "played" and self.on_output is not None:
                try:
                    self.on_output(payload)
                except Exception as exc:
                    self._notify(f"audio output hook failed: {type(exc).__name__}: {exc}")
            elif kind == "resolve" and not payload.done():
                payload.set_result(True)
            elif kind == "vanished" and not self._stopping:
                name = self.device_info.name if self.device_info else "the output device"
                stream = self._detach()
                device_call(partial(close_stream, stream))  # closing may block: not on the loop
                self._notify(f"speaker stopped: {name!r} is gone or failed; start it again")

    def _notify(self, text: str) -> None:
        self.notice = text
        if self.on_notice is not None:
            with contextlib.suppress(Exception):
                self.on_notice(text)

    # -- PortAudio's thread --------------------------------------------------------------------

    def _callback(
        self, outdata: npt.NDArray[np.float32], frames: int, time: Any, status: Any
    ) -> None:
        converter, handoff = self._converter, self._handoff
        if converter is None or handoff is None:
            outdata.fill(0)
            return
        heard_at = wall_clock() + _dac_ahead(time, self._latency)  # outdata[0] reaches the ear
        with self._lock:
            if self._flush:
                self._flush = False
                self._fifo = self._fifo[:0]
                converter.reset()
            parts = [self._fifo] if len(self._fifo) else []
            have = len(self._fifo)
            while have < frames:
                want = max(1, math.ceil((frames - have) / converter.ratio))
                runs = self._buffer.take(want)
                played = [samples for _, samples in runs]
                self._track(runs, heard_at + have / converter.out_rate, handoff)
                got = sum(len(s) for s in played)
                if got:
                    audio = played[0] if len(played) == 1 else np.concatenate(played)
                    handoff.put(("played", audio))
                if got < want:
                    if got and self._buffer.waiting:
                        self.underruns += 1
                    played.append(np.zeros(want - got, dtype=np.int16))
                block = converter.convert(np.concatenate(played) if len(played) > 1 else played[0])
                parts.append(block)
                have += len(block)
            out = np.concatenate(parts) if len(parts) > 1 else parts[0]
            outdata[:] = out[:frames]
            self._fifo = out[frames:]
            self.frames_out += frames
            self._signal_waiters(handoff)

    def _track(
        self, runs: list[tuple[str, Int16Array]], at: float, handoff: Handoff[_Message]
    ) -> None:
        """Count the runs taken (heard from ``at``) and mark items that start or end in them."""
        marked = False
        for item_id, samples in runs:
            if self.tracker.samples_played(item_id) == 0:
                self._marks.append(PlaybackMark("started", item_id, at))
                marked = True
            self.tracker.on_play(item_id, len(samples))
            at += len(samples) / SAMPLE_RATE
            heard = self._heard_until
            heard[item_id] = at
            if len(heard) > _MAX_TRACKED:
                del heard[next(iter(heard))]
        for item_id in self._buffer.pop_finished():
            self.tracker.finished(item_id)
            played = samples_to_ms(self.tracker.samples_played(item_id))
            end = self._heard_until.pop(item_id, at)
            self._marks.append(PlaybackMark("stopped", item_id, end, played))
            marked = True
        if marked:
            handoff.put(("marks", None))  # wakes the loop, which takes them

    def _signal_waiters(self, handoff: Handoff[_Message]) -> None:
        if self._frame_waiters:
            due = [f for n, f in self._frame_waiters if n <= self.frames_out]
            self._frame_waiters = [(n, f) for n, f in self._frame_waiters if n > self.frames_out]
            for future in due:
                handoff.put(("resolve", future))
        if self._drain_waiters and not len(self._buffer):
            for future in self._drain_waiters:
                handoff.put(("resolve", future))
            self._drain_waiters = []

    def _finished(self) -> None:
        self._ended = True
        handoff = self._handoff
        if not self._stopping and handoff is not None:
            handoff.put(("vanished", None))


def _seconds(value: Any) -> float:
    """A latency in seconds (0 for anything that is not a sane one)."""
    return float(value) if isinstance(value, int | float) and 0 <= value < _MAX_DAC_AHEAD_S else 0.0


def _dac_ahead(time_info: Any, fallback: float) -> float:
    """Seconds until the block being written is heard: PortAudio's DAC time, if it gives one."""
    try:
        ahead = float(time_info.outputBufferDacTime) - float(time_info.currentTime)
    except (AttributeError, TypeError, ValueError):
        return fallback
    return ahead if 0.0 < ahead < _MAX_DAC_AHEAD_S else fallback
