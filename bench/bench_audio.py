"""Benchmark: audio latency through our code, idle and under a 2,000 events/s flood, and CPU.

Real streams through a private PulseAudio null sink (tests/audio/pulse.py), in one asyncio loop:

(a) microphone block -> its ``input_audio_buffer.append`` frame written on the socket: a
    ``Microphone`` on the sink's monitor feeds ``client.append_input_audio`` of a
    ``RealtimeClient`` connected to ``SimulatorServer(pace="fast")``; from PortAudio's callback
    (the block that completed a chunk) to the end of ``ws.send`` of that frame.
(b) audio delta frame -> output callback: a second client connects to a small server here that
    sends a ``response.output_audio.delta`` of 20 ms every 20 ms (real time, as a live response
    plays); each is appended to a ``Speaker`` (prebuffer 0); from the delta's handler to the
    PortAudio callback that takes its first sample. A delta can wait behind the rest of the one
    before it (at most 20 ms of playback order, not overhead): both figures are printed.
(c) CPU of the process (capture + playback + both meters + the clients) over the phase.
(d) Device calls: how long ``VoiceSession.start``/``retry``/``stop`` take on the device thread,
    and how late a 5 ms ticker on the loop wakes meanwhile; then the same stream opens and closes
    made directly on the loop (as the console did before), for comparison. "at once" closes
    streams just opened, still in PulseAudio's start-up stall (push-to-talk pressed twice quickly
    did that); on the loop it closes them as the console did before: Pa_StopStream, which waits
    for the device's buffers, then close.

Flood: a third client connected to bench/flood_server.py (a child process) at ``--rate`` events/s,
folding every event into its conversation as the console would.

    python3 bench/bench_audio.py [--seconds 8] [--rate 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.server import serve

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from console.audio.capture import Microphone  # noqa: E402
from console.audio.levels import LevelMeter  # noqa: E402
from console.audio.playback import Speaker  # noqa: E402
from console.audio.voice import VoiceSession  # noqa: E402
from console.realtime import RealtimeAPI, RealtimeClient  # noqa: E402
from console.realtime.utils import base64_to_pcm16  # noqa: E402
from console.simulator import SimulatorServer  # noqa: E402
from tests.audio.pulse import PrivatePulse  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def fmt(values: list[float]) -> str:
    p50, p99 = pct(values, 0.5) * 1e3, pct(values, 0.99) * 1e3
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (n={len(values)})"


class StampedMicrophone(Microphone):
    """Stamps each block in PortAudio's callback; ``block_time`` is the latest block's stamp."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stamps: deque[float] = deque(maxlen=1000)
        self.block_time = 0.0

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        self.stamps.append(time.perf_counter())
        super()._callback(indata, frames, time_info, status)

    def _on_blocks(self, blocks: list[Any]) -> None:
        for block in blocks:
            if self.stamps:
                self.block_time = self.stamps.popleft()
            super()._on_blocks([block])


class StampedSpeaker(Speaker):
    """Records when each 24 kHz sample position is first taken by PortAudio's callback."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.taken: list[tuple[float, int]] = []  # (time, total samples taken after)
        self.total_taken = 0

    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        before = sum(self.tracker._played.values())
        super()._callback(outdata, frames, time_info, status)
        after = sum(self.tracker._played.values())
        if after > before:
            self.taken.append((time.perf_counter(), after))


async def paced_deltas(ws: Any) -> None:
    """Sends session.created, then a 20 ms audio delta every 20 ms, paced in real time."""
    tone = (8000 * np.sin(2 * np.pi * 440 * np.arange(480) / 24000)).astype("<i2").tobytes()
    delta = base64.b64encode(tone).decode()
    await ws.send(json.dumps({"type": "session.created", "session": {}}))
    loop = asyncio.get_running_loop()
    began, n = loop.time(), 0
    with contextlib.suppress(Exception):
        while True:
            frame = {"type": "response.output_audio.delta", "item_id": "item_paced", "delta": delta}
            await ws.send(
                json.dumps(
                    {
                        **frame,
                        "event_id": f"e{n}",
                        "response_id": "r",
                        "output_index": 0,
                        "content_index": 0,
                    }
                )
            )
            n += 1
            await asyncio.sleep(max(0.0, began + n * 0.02 - loop.time()))


async def phase(name: str, seconds: float, flood_url: str | None) -> None:
    async with SimulatorServer(pace="fast") as fast, serve(paced_deltas, "127.0.0.1", 0) as paced:
        mic_client = RealtimeClient(url=fast.url)
        await mic_client.connect()
        await mic_client.wait_for_session_created(10)
        mic_client.update_session(turn_detection=None)
        pending: deque[float] = deque()
        mic_latency: list[float] = []
        ws = mic_client.realtime._ws
        assert ws is not None
        real_send = ws.send

        async def timed_send(frame: Any, *args: Any) -> None:
            await real_send(frame, *args)
            if '"input_audio_buffer.append"' in frame and pending:
                mic_latency.append(time.perf_counter() - pending.popleft())

        ws.send = timed_send  # type: ignore[method-assign]
        in_meter, out_meter = LevelMeter(), LevelMeter()

        def on_chunk(chunk: np.ndarray) -> None:
            pending.append(mic.block_time)
            in_meter.push(chunk)
            mic_client.append_input_audio(chunk)

        mic = StampedMicrophone(on_chunk)
        speaker = StampedSpeaker(prebuffer_ms=0, on_output=out_meter.push)
        appended: list[tuple[float, int, bool]] = []  # (time, first sample position, queued)
        position = 0

        def on_delta(event: dict[str, Any]) -> None:
            nonlocal position
            samples = base64_to_pcm16(event["delta"])
            queued = speaker.buffered_samples > 0
            appended.append((time.perf_counter(), position, queued))
            speaker.append(event["item_id"], samples)
            position += len(samples)

        port = next(iter(paced.sockets)).getsockname()[1]
        speaker_client = RealtimeAPI(url=f"ws://127.0.0.1:{port}/v1/realtime")
        speaker_client.on("server.response.output_audio.delta", on_delta)

        flood_client = None
        if flood_url:
            flood_client = RealtimeClient(url=flood_url)
            flood_client.on("realtime.event", lambda event: None)
            await flood_client.connect()

        mic.start()
        speaker.start()
        await mic.wait_started(10)
        await speaker.wait_output(0.3, 10)  # past PulseAudio's start-up stall
        await speaker_client.connect()  # the deltas start now
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)  # a bench measures over a fixed time
        cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        mic.stop()
        speaker.stop()
        for client in (mic_client, speaker_client, flood_client):
            if client is not None:
                await client.disconnect()

    delta_all: list[float] = []
    delta_latency: list[float] = []
    taken = speaker.taken
    index = 0
    for at, first, queued in appended:
        while index < len(taken) and taken[index][1] <= first:
            index += 1
        if index < len(taken):
            delta_all.append(taken[index][0] - at)
            if not queued:
                delta_latency.append(taken[index][0] - at)
    print(f"[{name}]")
    print(
        f"  (a) mic block -> append frame sent:   {fmt(mic_latency)}; "
        f"dropped blocks {mic.dropped_blocks}"
    )
    print(f"  (b) audio delta -> output callback:   {fmt(delta_all)}")
    print(f"      of which into an empty buffer:    {fmt(delta_latency)}")
    print(
        f"  (c) CPU, capture+playback+meters+clients: {cpu * 100:.1f} % of one core; "
        f"underruns {speaker.underruns}"
    )


class Ticker:
    """Wakes every 5 ms on the loop and keeps the worst lateness since the last ``take``."""

    def __init__(self) -> None:
        self.worst = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.005
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - due)

    async def take(self) -> float:
        await asyncio.sleep(0.02)  # let a wake-up that a stall delayed be counted
        worst, self.worst = self.worst, 0.0
        return worst


async def device_calls(rounds: int) -> None:
    """(d): VoiceSession's device calls on the device thread, then the same calls on the loop."""
    ticker = Ticker()
    task = asyncio.get_running_loop().create_task(ticker.run())
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")  # no connection needed
    mic, speaker = Microphone(lambda _chunk: None), Speaker()
    voice = VoiceSession(client, mic, speaker)
    took: dict[str, list[float]] = {}
    late: dict[str, list[float]] = {}

    async def timed(name: str, call: Any) -> None:
        began = time.perf_counter()
        result = call()
        if asyncio.iscoroutine(result):
            await result
        took.setdefault(name, []).append(time.perf_counter() - began)
        late.setdefault(name, []).append(await ticker.take())

    def stop_then_close() -> None:
        for stream in (mic._stream, speaker._stream):
            if stream is not None:
                stream.stop()  # waits for the device's buffers to play out
        mic.stop()
        speaker.stop()

    await ticker.take()
    for _ in range(rounds):
        await timed("thread: start", voice.start)
        await mic.wait_started(10)
        await timed("thread: retry", voice.retry)
        await mic.wait_started(10)
        await timed("thread: stop", voice.stop)
        await timed("thread: start", voice.start)
        await timed("thread: stop at once", voice.stop)  # still in PulseAudio's start-up stall
    for _ in range(rounds):
        await timed("loop: open", lambda: (speaker.start(), mic.start()))
        await mic.wait_started(10)
        await timed("loop: close", lambda: (mic.stop(), speaker.stop()))
        await timed("loop: open", lambda: (speaker.start(), mic.start()))
        await timed("loop: stop at once", stop_then_close)  # as the console closed before
    task.cancel()
    print("[device calls]")
    for name, durations in took.items():
        print(
            f"  (d) {name:<21} takes p50 {pct(durations, 0.5) * 1e3:7.1f} ms, "
            f"max {max(durations) * 1e3:7.1f} ms; "
            f"the loop's worst lateness {max(late[name]) * 1e3:7.1f} ms"
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--rounds", type=int, default=5, help="of (d)'s device calls")
    args = parser.parse_args()
    pulse = PrivatePulse()
    pulse.start()
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    try:
        await device_calls(args.rounds)
        await phase("idle", args.seconds, None)
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BENCH / "flood_server.py"),
            f"--rate={args.rate}",
            f"--seconds={args.seconds + 30}",
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # it reports our client's closing as a traceback
        )
        assert server.stdout is not None
        port = int((await server.stdout.readline()).split()[1])
        try:
            await phase(
                f"flood {args.rate:.0f} events/s",
                args.seconds,
                f"ws://127.0.0.1:{port}/v1/realtime",
            )
        finally:
            server.terminate()
            await server.wait()
    finally:
        pulse.stop()


if __name__ == "__main__":
    asyncio.run(main())
