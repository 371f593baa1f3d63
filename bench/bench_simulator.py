"""Benchmark: how many concurrent sessions and server events per second the simulator sustains.

The simulator runs in a child process (fast pace, 127.0.0.1, port 0); this process drives N
concurrent websocket sessions, each doing text turns and audio turns (1 s of audio appended in
20 ms chunks, committed, answered with audio + transcript). Prints sessions, turns/s, server
events/s, audio seconds generated per second, and the server's peak RSS. Then one session's text
turns/s once its conversation holds 2,000 and 12,000 items (per-turn cost must not grow with the
history). Bounded to about a minute.

    python3 bench/bench_simulator.py [--levels 1,10,50,200] [--text-turns 3] [--audio-turns 2]
        [--history 2000,12000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.simulator import SimulatorServer

LEVEL_BUDGET_S = 15.0


def serve(port_queue: mp.Queue) -> None:
    """Child process: run the simulator until killed, report the bound port."""

    async def main() -> None:
        server = SimulatorServer(host="127.0.0.1", port=0, pace="fast")
        await server.start()
        port_queue.put(server.port)
        await asyncio.Future()

    asyncio.run(main())


def peak_rss_mb(pid: int) -> float:
    """The child's peak resident set size (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def audio_chunks() -> list[str]:
    t = np.arange(24000) / 24000
    wave = sum(np.sin(2 * np.pi * 180 * k * t) / k for k in range(1, 6))
    pcm = (wave / np.max(np.abs(wave)) * 8000).astype("<i2")
    return [base64.b64encode(pcm[i : i + 480].tobytes()).decode() for i in range(0, len(pcm), 480)]


async def session(
    url: str, text_turns: int, audio_turns: int, chunks: list[str]
) -> tuple[int, int, float]:
    """One client session; returns (turns, server events, audio seconds received)."""
    events = turns = 0
    audio_bytes = 0
    async with websockets.connect(url, max_size=None, compression=None) as ws:

        async def until(kind: str) -> None:
            nonlocal events, audio_bytes
            while True:
                event = json.loads(await ws.recv())
                events += 1
                if event["type"] == "response.output_audio.delta":
                    audio_bytes += len(event["delta"]) * 3 // 4
                if event["type"] == kind:
                    return

        await until("session.created")
        update = {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
        await ws.send(json.dumps({"type": "session.update", "session": update}))
        await until("session.updated")
        for i in range(text_turns):
            item = {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": f"benchmark turn number {i}"}],
            }
            await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
            await ws.send(json.dumps({"type": "response.create"}))
            await until("response.done")
            turns += 1
        for _ in range(audio_turns):
            for chunk in chunks:
                await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
            await ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
            await ws.send(json.dumps({"type": "response.create"}))
            await until("response.done")
            turns += 1
    return turns, events, audio_bytes / 48000


async def level(url: str, sessions: int, text_turns: int, audio_turns: int) -> dict[str, float]:
    chunks = audio_chunks()
    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(*(session(url, text_turns, audio_turns, chunks) for _ in range(sessions))),
        LEVEL_BUDGET_S * 2,
    )
    elapsed = time.perf_counter() - started
    turns = sum(r[0] for r in results)
    events = sum(r[1] for r in results)
    audio_s = sum(r[2] for r in results)
    return {
        "elapsed": elapsed,
        "turns_per_s": turns / elapsed,
        "events_per_s": events / elapsed,
        "audio_x": audio_s / elapsed,
        "events": events,
    }


async def history(url: str, sizes: list[int], turns: int = 200) -> list[tuple[int, float]]:
    """Text turns/s of one session once its conversation holds each of ``sizes`` items."""
    out = []
    async with websockets.connect(url, max_size=None, compression=None) as ws:

        async def until(kind: str) -> None:
            while json.loads(await ws.recv())["type"] != kind:
                pass

        async def say(text: str) -> None:
            part = {"type": "input_text", "text": text}
            item = {"type": "message", "role": "user", "content": [part]}
            await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))

        await until("session.created")
        update = {"type": "realtime", "output_modalities": ["text"]}
        await ws.send(json.dumps({"type": "session.update", "session": update}))
        await until("session.updated")
        held = 0
        for size in sizes:
            for i in range(held, size):
                await say(f"history item {i}")
            for _ in range(held, size):
                await until("conversation.item.done")
            held = size
            started = time.perf_counter()
            for i in range(turns):
                await say(f"turn {i}")
                await ws.send(json.dumps({"type": "response.create"}))
                await until("response.done")
            out.append((size, turns / (time.perf_counter() - started)))
            held += 2 * turns  # each turn adds the user item and the reply
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50,200")
    parser.add_argument("--text-turns", type=int, default=3)
    parser.add_argument("--audio-turns", type=int, default=2)
    parser.add_argument(
        "--history", default="2000,12000", help="conversation sizes for turns/s ('' skips)"
    )
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    port_queue: mp.Queue = ctx.Queue()
    child = ctx.Process(target=serve, args=(port_queue,), daemon=True)
    child.start()
    try:
        port = port_queue.get(timeout=20)
        url = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
        print(f"simulator pid {child.pid} on 127.0.0.1:{port}, pace=fast, cpus={os.cpu_count()}")
        print(
            f"{'sessions':>8} {'turns':>6} {'elapsed s':>9} {'turns/s':>8} {'events/s':>9} "
            f"{'audio x RT':>10} {'peak RSS MB':>11}"
        )
        deadline = time.monotonic() + 55
        for sessions in (int(x) for x in args.levels.split(",")):
            if time.monotonic() > deadline:
                print(f"{sessions:>8} skipped: time budget spent")
                continue
            result = asyncio.run(level(url, sessions, args.text_turns, args.audio_turns))
            turns = sessions * (args.text_turns + args.audio_turns)
            rss = peak_rss_mb(child.pid)
            print(
                f"{sessions:>8} {turns:>6} {result['elapsed']:>9.2f} {result['turns_per_s']:>8.1f} "
                f"{result['events_per_s']:>9.0f} {result['audio_x']:>10.1f} {rss:>11.1f}"
            )
        if args.history:
            sizes = [int(x) for x in args.history.split(",")]
            for size, rate in asyncio.run(history(url, sizes)):
                print(f"one session, {size:>6} items in the conversation: {rate:>7.1f} turns/s")
    finally:
        child.kill()
        child.join(5)


if __name__ == "__main__":
    main()
