"""Benchmark: the audio latency our code adds on a WebRTC call, in both directions.

- Microphone block to RTP send: a 20 ms block of 24 kHz audio is handed to
  ``client.append_input_audio`` at a random phase of the track's 20 ms clock (as a sound card's
  callback would); the figure is the time until the outbound track's ``recv()`` (which aiortc's
  RTP sender calls, then encodes and sends) returns the frame holding the block's first sample.
- RTP receive to the output callback: a received 48 kHz stereo frame (what aiortc's Opus
  decoder gives) goes through the transport's conversion and the client's track routing; the
  figure is the time until the ``conversation.updated`` audio delta reaches a listener (the
  console's speaker appends there).

No network: the two edges are driven in-process, so the figures are our code's, not the
network's or the codec's. Prints p50/p99/max in ms for each.

    python3 bench/bench_webrtc_audio.py [--blocks 500] [--frames 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.realtime import RealtimeClient
from console.realtime.webrtc_audio import FRAME_SAMPLES, InboundAudio, OutboundAudioTrack

BLOCK = 480  # 20 ms at 24 kHz


def _figures(name: str, values: list[float]) -> None:
    ms = np.array(values) * 1000
    p50, p99 = np.percentile(ms, [50, 99])
    print(f"{name}: n={len(ms)} p50={p50:.2f} ms p99={p99:.2f} ms max={ms.max():.2f} ms")


async def microphone_to_send(blocks: int) -> tuple[list[float], list[float]]:
    """Push blocks in real time on a random phase; time each frame from the push that made it
    whole to its send (our code), and each block's first sample to its send (with framing).
    A stall of the loop makes a burst of blocks, as a late sound card does."""
    track = OutboundAudioTrack()
    completed: list[tuple[int, float]] = []  # (audio frames made after a push, push time)
    firsts: list[tuple[int, float]] = []  # (48 kHz index of a block's first sample, push time)
    ours: list[float] = []
    with_framing: list[float] = []
    sent = 0  # audio frames sent
    index = 0

    async def sender() -> None:  # what aiortc's RTCRtpSender does with the track
        nonlocal sent
        while len(ours) < blocks - 2:
            frame = await track.recv()
            now = time.perf_counter()
            if not frame.to_ndarray().any():
                continue  # silence between blocks: no audio of ours in it
            sent += 1
            while completed and completed[0][0] < sent:
                completed.pop(0)
            if completed:
                ours.append(now - completed[0][1])
            while firsts and firsts[0][0] < sent * FRAME_SAMPLES:
                with_framing.append(now - firsts.pop(0)[1])

    task = asyncio.create_task(sender())
    await asyncio.sleep(random.uniform(0, 0.02))  # a random phase against the track's clock
    start = time.perf_counter()
    tone = (np.sin(np.arange(1, BLOCK + 1) / 5) * 8000 + 100).astype(np.int16)
    for n in range(blocks):
        delay = start + n * 0.02 - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.perf_counter()
        track.push(tone)
        firsts.append((index, now))
        index += 2 * BLOCK
        made = (sent * FRAME_SAMPLES + track.queued_samples) // FRAME_SAMPLES
        completed.append((made, now))
    await asyncio.wait_for(task, 10)
    return ours, with_framing


def receive_to_output(frames: int) -> list[float]:
    """Convert received frames and route them to the playing item; time each to its listener."""
    client = RealtimeClient(transport="webrtc")
    receive = client.realtime.receive
    receive("response.created", {"type": "response.created", "response": {"id": "r1"}})
    item = {"id": "i1", "type": "message", "role": "assistant", "status": "in_progress"}
    receive(
        "conversation.item.added",
        {"type": "conversation.item.added", "item": item | {"content": []}},
    )
    part = {"type": "output_audio", "transcript": ""}
    event = {"response_id": "r1", "item_id": "i1", "content_index": 0, "part": part}
    receive("response.content_part.added", {"type": "response.content_part.added", **event})
    arrived: list[float] = []
    client.on("conversation.updated", lambda payload: arrived.append(time.perf_counter()))
    inbound = InboundAudio()
    stereo = (np.sin(np.arange(2 * FRAME_SAMPLES) / 7) * 8000).astype(np.int16).reshape(1, -1)
    latencies = []
    for n in range(frames):
        frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
        frame.sample_rate, frame.pts = 48_000, n * FRAME_SAMPLES
        start = time.perf_counter()
        samples = inbound.convert(frame)  # as RealtimeWebRTC._read_track does
        client.realtime.dispatch("track.audio", {"audio": samples})
        if arrived:
            latencies.append(arrived.pop() - start)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=500)
    parser.add_argument("--frames", type=int, default=2000)
    args = parser.parse_args()
    ours, with_framing = await microphone_to_send(args.blocks)
    _figures("microphone block -> RTP send (our code)", ours)
    _figures("  a block's first sample -> RTP send (with 20 ms Opus framing)", with_framing)
    _figures("RTP receive -> output callback", receive_to_output(args.frames))


if __name__ == "__main__":
    asyncio.run(main())
