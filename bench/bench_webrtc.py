"""Benchmark: the audio latency the simulator's WebRTC edges add on the server side.

(a) RTP receive → engine: for each decoded 20 ms frame (48 kHz stereo, as aiortc's Opus decoder
    hands it over), the time of ``InboundAudio.convert`` (to mono 24 kHz) plus
    ``Connection.feed_input_audio`` (buffer, server VAD, turn events) on a session with server
    VAD on; speech (a 440 Hz tone) and silence alternate so turns are detected.
(b) engine → RTP send: ``PlayoutTrack.recv`` paced in real time while a response's audio plays
    from the call's ``Playout``; the figure is how late each frame is handed to the encoder after
    its due time (pulling, resampling to 48 kHz, building the frame, and loop scheduling).

Neither includes the Opus codec or the network (aiortc's). Prints p50/p99/max in milliseconds.

    python3 bench/bench_webrtc.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import statistics
import time
from collections.abc import AsyncIterator

import av
import numpy as np

from console.simulator.connection import Connection
from console.simulator.dialect import GA
from console.simulator.playout import Playout
from console.simulator.rtc_media import InboundAudio, PlayoutTrack


class QuietPeer:
    """A peer that takes every event and sends no client events."""

    async def send(self, message: str) -> None:
        return None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        await asyncio.Future()
        yield ""


def figures(name: str, samples_s: list[float]) -> None:
    ms = sorted(x * 1000 for x in samples_s)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{name}: n={len(ms)} p50={statistics.median(ms):.3f} ms "
        f"p99={p99:.3f} ms max={ms[-1]:.3f} ms"
    )


def wire_frame(index: int) -> av.AudioFrame:
    """20 ms of 48 kHz stereo: a tone for 1 s, then 1 s of silence, and so on."""
    n = np.arange(index * 960, (index + 1) * 960)
    loud = (index // 50) % 2 == 0
    mono = (np.sin(2 * np.pi * 440 * n / 48000) * 10000 * loud).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(np.repeat(mono, 2).reshape(1, -1), "s16", "stereo")
    frame.sample_rate = 48000
    frame.pts = index * 960
    frame.time_base = fractions.Fraction(1, 48000)
    return frame


async def inbound(seconds: float) -> list[float]:
    connection = Connection(QuietPeer(), GA, "gpt-realtime", "fast", None)
    convert = InboundAudio()
    out: list[float] = []
    for index in range(int(seconds * 50)):
        frame = wire_frame(index)
        start = time.perf_counter()
        pcm = convert.convert(frame)
        await connection.feed_input_audio(pcm)
        out.append(time.perf_counter() - start)
    return out


async def outbound(seconds: float) -> list[float]:
    connection = Connection(QuietPeer(), GA, "gpt-realtime", "fast", None)
    playout = Playout(connection, max_queued_s=seconds + 1)
    connection.audio_out = playout
    speech = (np.sin(np.arange(int(seconds * 24000)) / 5) * 8000).astype(np.int16)
    await playout.write("resp_bench", "item_bench", 0, speech)
    track = PlayoutTrack(playout)
    late: list[float] = []
    start = time.monotonic()  # the track's clock starts at its first frame, just after this
    await track.recv()
    for index in range(1, int(seconds * 50)):
        await track.recv()
        late.append(max(0.0, time.monotonic() - (start + index * 0.02)))
    track.stop()
    return late


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    figures("(a) RTP receive -> engine (convert + VAD)", await inbound(args.seconds))
    figures("(b) engine -> RTP send (frame lateness)", await outbound(args.seconds))


if __name__ == "__main__":
    asyncio.run(main())
