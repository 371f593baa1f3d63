"""Microphones: a sounddevice input stream, or a WAV file paced in real time (``--input-wav``).

Both deliver 24 kHz mono int16 chunks of 20 to 40 ms to ``on_chunk`` on the event loop (the console
passes ``client.append_input_audio``), and share the same surface: ``start``, ``stop``, ``mute``,
``wait_started``, ``dropped_blocks``, ``notice``, ``opens_device``.

``Microphone.start``/``stop`` are PortAudio calls that can take a second or two: call them on the
device thread (``devices.in_device_thread``), passing the loop to ``start``; ``running`` and the
chunk delivery are the loop's side and never call PortAudio. A ``WavMicrophone`` opens no device:
its ``start``/``stop`` are cheap and run on the loop.

``Microphone`` opens the device at its own rate and channels (mono or stereo). PortAudio's
callback only copies the block and puts it in a bounded ``Handoff`` that wakes the loop with
``call_soon_threadsafe``; when the loop falls behind the oldest blocks are dropped and counted
(``dropped_blocks``), and the audio thread never blocks. Resampling (soxr, one stream per
microphone so block edges are seamless) and chunking happen on the loop. A device that vanishes
mid-stream (PortAudio ends the stream, or the callback stops) becomes a ``notice`` string and
an ``on_notice`` call, never an exception (the dead stream is closed on the device thread);
``start`` again (after ``devices.rescan()`` if the device changed) resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from console.realtime.handoff import Handoff
from console.realtime.utils import SAMPLE_RATE, Int16Array

from .devices import (
    AudioUnavailable,
    DeviceInfo,
    DeviceSpec,
    close_stream,
    device_call,
    find_device,
    sounddevice,
)
from .devices import stream_error as _stream_error
from .resample import Chunker, InputConverter, resample
from .wav import read_wav

TAIL_SILENCE_S = 1.0
"""Silence a ``WavMicrophone`` sends after its file (see the class)."""

ChunkCallback = Callable[[Int16Array], object]
NoticeCallback = Callable[[str], object]


class _Source:
    """What both microphones share: chunking, mute, delivery, notices, waiting for audio."""

    opens_device = True
    """Whether ``start``/``stop`` are device calls (for the device thread) or cheap loop calls."""

    def __init__(
        self,
        on_chunk: ChunkCallback,
        *,
        chunk_ms: float,
        max_chunk_ms: float,
        out_rate: int,
        on_notice: NoticeCallback | None,
    ) -> None:
        if not 20 <= chunk_ms <= max_chunk_ms:
            raise ValueError("chunks must be at least 20 ms and chunk_ms <= max_chunk_ms")
        self.on_chunk = on_chunk
        self.on_notice = on_notice
        self.out_rate = out_rate
        self.mute = False
        self.notice: str | None = None
        self.chunks_delivered = 0
        self._chunker = Chunker(
            int(out_rate * chunk_ms / 1000), int(out_rate * max_chunk_ms / 1000)
        )
        self._armed = False
        self._flowing = False
        self._start_waiters: list[asyncio.Future[bool]] = []

    async def wait_started(self, timeout: float | None = None) -> bool:
        """True once the first chunk since ``start`` was delivered (audio really flows);
        False on timeout, or at once if never started."""
        if self._flowing or not self._armed:
            return self._flowing
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._start_waiters.append(future)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            if future in self._start_waiters:
                self._start_waiters.remove(future)

    def _arm(self) -> None:
        """Before a start (on any thread: only plain flags change; no stream delivers yet)."""
        self.notice = None
        self._chunker.clear()
        self._flowing = False
        self._armed = True

    def _push(self, samples: Int16Array) -> None:
        for chunk in self._chunker.push(samples):
            if not self._flowing:
                self._flowing = True
                for future in self._start_waiters:
                    if not future.done():
                        future.set_result(True)
            if self.mute:
                continue
            self.chunks_delivered += 1
            try:
                self.on_chunk(chunk)
            except Exception as exc:  # the app's callback failed (not connected...): say so
                self._notify(f"microphone audio not sent: {type(exc).__name__}: {exc}")

    def _notify(self, text: str) -> None:
        self.notice = text
        if self.on_notice is not None:
            with contextlib.suppress(Exception):
                self.on_notice(text)


class Microphone(_Source):
    """A capture device delivering 24 kHz mono int16 chunks to ``on_chunk`` on the loop."""

    def __init__(
        self,
        on_chunk: ChunkCallback,
        *,
        device: DeviceSpec = None,
        samplerate: float | None = None,
        channels: int | None = None,
        block_ms: float = 20.0,
        chunk_ms: float = 20.0,
        max_chunk_ms: float = 40.0,
        max_blocks: int = 25,
        out_rate: int = SAMPLE_RATE,
        on_notice: NoticeCallback | None = None,
    ) -> None:
        """``samplerate``/``channels`` default to the device's own; ``max_blocks`` bounds the
        hand-off (25 blocks of 20 ms: half a second of backlog before the oldest is dropped).
        """
        super().__init__(
            on_chunk,
            chunk_ms=chunk_ms,
            max_chunk_ms=max_chunk_ms,
            out_rate=out_rate,
            on_notice=on_notice,
        )
        self.device = device
        self.samplerate = samplerate
        self.channels = channels
        self.block_ms = block_ms
        self.max_blocks = max_blocks
        self.device_info: DeviceInfo | None = None
        self.overflows = 0
        self._stream: Any = None
        self._handoff: Handoff[npt.NDArray[Any]] | None = None
        self._converter: InputConverter | None = None
        self._stopping = False
        self._ended = False
        self._dropped_before = 0

    @property
    def running(self) -> bool:
        """True while the stream is open and has not ended (asks nothing of PortAudio)."""
        return self._stream is not None and not self._ended

    @property
    def dropped_blocks(self) -> int:
        """Blocks dropped (oldest first) because the loop fell behind, over all starts."""
        return self._dropped_before + (self._handoff.dropped if self._handoff else 0)

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Open and start the stream, delivering on ``loop`` (default: the running one, when
        called on it); ``AudioUnavailable`` if it cannot. Blocks: use the device thread."""
        if self._stream is not None:
            return
        loop = loop or asyncio.get_running_loop()
        sd = sounddevice()
        info = find_device("input", self.device)
        rate = float(self.samplerate or info.default_samplerate)
        channels = int(self.channels or info.channels("input"))
        self.device_info = info
        self._converter = InputConverter(rate, channels, self.out_rate)
        self._handoff = Handoff(loop, self._on_blocks, self.max_blocks)
        self._stopping = False
        self._ended = False
        self._arm()
        try:
            stream = sd.InputStream(
                device=info.index,
                samplerate=rate,
                channels=channels,
                dtype="float32",
                blocksize=max(1, round(rate * self.block_ms / 1000)),
                latency="low",
                callback=self._callback,
                finished_callback=self._finished,
            )
            stream.start()
        except Exception as exc:
            self._release()
            raise _stream_error("input", info, exc) from None
        self._stream = stream

    def stop(self) -> None:
        """Stop and close the stream (pending blocks are dropped, not delivered). Blocks."""
        close_stream(self._detach())

    def _detach(self) -> Any:
        """Forget the stream (no more delivery) and return it, to be closed."""
        self._stopping = True
        stream, self._stream = self._stream, None
        self._release()
        return stream

    def _release(self) -> None:
        if self._handoff is not None:
            self._handoff.close()
            self._dropped_before += self._handoff.dropped
        self._handoff = None

    # -- PortAudio's thread ------------------------------------------------------------------

    def _callback(self, indata: npt.NDArray[Any], frames: int, time: Any, status: Any) -> None:
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        handoff = self._handoff
        if handoff is not None:
            handoff.put(indata.copy())

    def _finished(self) -> None:
        self._ended = True
        if self._stopping:
            return
        handoff = self._handoff
        if handoff is not None:
            with contextlib.suppress(RuntimeError):
                handoff.loop.call_soon_threadsafe(self._vanished)

    # -- the loop ------------------------------------------------------------------------------

    def _on_blocks(self, blocks: list[npt.NDArray[Any]]) -> None:
        converter = self._converter
        if converter is None:
            return
        for block in blocks:
            self._push(converter.convert(block))

    def _vanished(self) -> None:
        if self._stopping:
            return
        name = self.device_info.name if self.device_info else "the input device"
        stream = self._detach()
        device_call(partial(close_stream, stream))  # closing may block: not on the loop
        self._notify(f"microphone stopped: {name!r} is gone or failed; start it again to retry")


class WavMicrophone(_Source):
    """A WAV file (any rate, channels, integer PCM) as the microphone, paced in real time.

    After the file's last sample it sends ``tail_silence_s`` of silence, once, as a live
    microphone keeps sending after the speaker stops: a file that ends in speech would otherwise
    leave the server's VAD waiting for the silence that ends the turn (``speech_started`` and
    nothing after it). A looping file has no end, so no tail.
    """

    opens_device = False

    def __init__(
        self,
        on_chunk: ChunkCallback,
        path: str | Path,
        *,
        chunk_ms: float = 20.0,
        loop_file: bool = False,
        out_rate: int = SAMPLE_RATE,
        on_notice: NoticeCallback | None = None,
        on_end: Callable[[], object] | None = None,
        tail_silence_s: float = TAIL_SILENCE_S,
    ) -> None:
        """``loop_file`` starts over at the end; otherwise the tail of silence follows and then
        ``on_end`` is called."""
        super().__init__(
            on_chunk,
            chunk_ms=chunk_ms,
            max_chunk_ms=chunk_ms,
            out_rate=out_rate,
            on_notice=on_notice,
        )
        self.path = Path(path)
        self.loop_file = loop_file
        self.on_end = on_end
        self.chunk_samples = int(out_rate * chunk_ms / 1000)
        self.dropped_blocks = 0
        self.samples = self._load()
        self.tail_samples = max(0, round(tail_silence_s * out_rate))
        self.position = 0
        """Samples sent so far, the tail's included (past ``len(samples)``)."""
        self._task: asyncio.Task[None] | None = None

    def _load(self) -> Int16Array:
        try:
            wav = read_wav(self.path)
        except (OSError, ValueError) as exc:
            raise AudioUnavailable(f"cannot read {self.path}: {exc}") from None
        return resample(wav.samples, wav.rate, wav.channels, self.out_rate)

    @property
    def duration(self) -> float:
        """Seconds of audio in the file (at 24 kHz)."""
        return len(self.samples) / self.out_rate

    @property
    def running(self) -> bool:
        """True while the file is being streamed."""
        return self._task is not None and not self._task.done()

    @property
    def finished(self) -> bool:
        """The whole file (and its tail of silence) was sent: ``start`` sends nothing more."""
        return not self.loop_file and self.position >= self._end

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Start streaming from the current position (on the loop: no device, nothing blocks);
        a finished file starts nothing."""
        if self.running or self.finished:
            return
        self._arm()
        loop = loop or asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name="wav-microphone")

    def stop(self) -> None:
        """Stop streaming (``start`` resumes where it stopped)."""
        if self._task is not None:
            self._task.cancel()
        self._task = None

    @property
    def _end(self) -> int:
        """Where streaming ends: the file's end, then its tail (none when the file loops)."""
        return len(self.samples) + (0 if self.loop_file else self.tail_samples)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        began = loop.time()
        sent = 0
        while True:
            if self.position >= self._end:
                if not self.loop_file or not len(self.samples):
                    break
                self.position = 0
            if self.position < len(self.samples):
                chunk = self.samples[self.position : self.position + self.chunk_samples]
            else:  # the tail of silence
                chunk = np.zeros(min(self.chunk_samples, self._end - self.position), np.int16)
            self.position += len(chunk)
            if len(chunk) < self.chunk_samples:
                chunk = np.concatenate([chunk, np.zeros(self.chunk_samples - len(chunk), np.int16)])
            self._push(chunk)
            sent += len(chunk)
            delay = began + sent / self.out_rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)  # real-time pacing, not waiting for an event
        self._task = None
        if self.on_end is not None:
            self.on_end()
