"""Soak: a simulated stretch of talk through the client and the headless console.

The simulator runs at fast pace on 127.0.0.1; the console is built by the real factory
(``make_app``), runs headless under ``run_test`` and records every event to a JSONL file. Each
4-second cycle appends 1.5 s of voice and 2.5 s of silence in 100 ms chunks with ``server_vad``
(the simulator answers each turn with audio); every 5th cycle the user also types a weather
question (a tool call, answered by the console's demo tool), and every 7th cycle a long typed
message whose reply is cancelled as it is created. The simulator runs in its own process
(``realtime-console serve``), so RSS is the console's alone (``--simulator-in-process`` keeps it
here, where its conversation, every item's audio as a session keeps it, counts too). Prints RSS
at each tenth, after warm-up and at the end, asyncio task and file-descriptor counts before,
during and after, and the events in the recording against the store's total.

    python3 bench/soak.py [--minutes 60] [--max-audio-seconds 120] [--simulator-in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.app.app import make_app
from console.app.config import ConsoleConfig
from console.inspector.connection import Target
from console.simulator import SimulatorServer

RATE = 24000
CHUNK_S = 0.1
CYCLE_S = 4.0
CLOSED_PORT_URL = "http://127.0.0.1:9/v1/forecast"
REPO_ROOT = str(Path(__file__).resolve().parent.parent)
LONG_TEXT = "Tell me about " + " ".join(f"topic{i}" for i in range(300))
"""A message whose reply is long enough for a cancel to land while it streams (fast pace)."""


class SimulatorProcess:
    """``realtime-console serve`` in its own process, so RSS here is the console's alone."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def __aenter__(self) -> SimulatorProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "console.cli",
            "serve",
            "--port",
            "0",
            "--pace",
            "fast",
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO_ROOT,
        )
        assert self.process.stdout is not None
        banner = (await asyncio.wait_for(self.process.stdout.readline(), 20)).decode()
        self.url = next(word for word in banner.split() if word.startswith("ws://"))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def cycle_chunks() -> list[np.ndarray]:
    """One cycle: 1.5 s of a voiced harmonic tone, then silence, in 100 ms chunks."""
    t = np.arange(int(1.5 * RATE)) / RATE
    voice = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    voice = (voice / np.max(np.abs(voice)) * 9000).astype(np.int16)
    audio = np.concatenate([voice, np.zeros(int((CYCLE_S - 1.5) * RATE), np.int16)])
    step = int(CHUNK_S * RATE)
    return [audio[i : i + step] for i in range(0, len(audio), step)]


async def replies(counts: dict[str, int], total: int, timeout: float = 5.0) -> None:
    """Wait until ``total`` responses are done (polling: they come from the app's loop)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while counts.get("response.done", 0) < total and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.005)


async def run_soak(
    simulated_s: float,
    record_dir: Path,
    warmup_s: float | None = None,
    max_audio_seconds: float = 120.0,
    simulator_in_process: bool = False,
) -> dict[str, Any]:
    """Run the soak for ``simulated_s`` seconds of input audio; returns the figures."""
    warmup_s = simulated_s * 0.1 if warmup_s is None else warmup_s
    figures: dict[str, Any] = {"simulated_s": simulated_s}
    record = record_dir / "soak.jsonl"
    chunks = cycle_chunks()
    figures["tasks_before"] = len(asyncio.all_tasks())
    figures["fds_before"] = fd_count()
    server = (
        SimulatorServer(host="127.0.0.1", port=0, pace="fast")
        if simulator_in_process
        else SimulatorProcess()
    )
    async with server as simulator:
        target = Target(simulator.url, None, "ga", None, "simulator — soak")
        config = ConsoleConfig(
            target=target,
            record_path=record,
            weather_url=CLOSED_PORT_URL,
            tz=UTC,
            tool_timeout=2,
            max_audio_seconds=max_audio_seconds,
        )
        app = make_app(config)
        counts: dict[str, int] = {}
        barge_in = {"next": False}

        def count(payload: dict[str, Any]) -> None:
            if payload["source"] == "server":
                kind = payload["event"].get("type", "")
                counts[kind] = counts.get(kind, 0) + 1
                if kind == "response.created" and barge_in["next"]:
                    barge_in["next"] = False
                    app.client.cancel_response()  # barge in on the reply as it starts
                if kind == "response.done":
                    status = payload["event"]["response"].get("status")
                    counts[f"status.{status}"] = counts.get(f"status.{status}", 0) + 1
                if kind == "response.output_item.done":
                    item_type = payload["event"]["item"].get("type")
                    counts[f"item.{item_type}"] = counts.get(f"item.{item_type}", 0) + 1

        started = time.perf_counter()
        async with app.run_test(size=(160, 48)) as pilot:
            await app.controller.idle()
            assert await app.client.wait_for_session_created(10)
            app.client.on("realtime.event", count)
            app.client.update_session(turn_detection={"type": "server_vad"})
            cycles = int(simulated_s / CYCLE_S)
            warm_cycle = int(warmup_s / CYCLE_S)
            for cycle in range(cycles):
                done_before = counts.get("response.done", 0)
                for n, chunk in enumerate(chunks):
                    app.client.append_input_audio(chunk)
                    if n % 5 == 0:
                        await asyncio.sleep(0)
                await replies(counts, done_before + 1)
                if cycle % 5 == 4:
                    done_before = counts.get("response.done", 0)
                    app.client.send_user_message_content(
                        [{"type": "input_text", "text": "What is the weather in Paris?"}]
                    )
                    await replies(counts, done_before + 2)  # the call, then the answer
                if cycle % 7 == 6:  # a long reply, cancelled as it is created
                    done_before = counts.get("response.done", 0)
                    barge_in["next"] = True
                    app.client.send_user_message_content(
                        [{"type": "input_text", "text": LONG_TEXT}]
                    )
                    await replies(counts, done_before + 1)
                if cycle % 25 == 0:
                    app.render_frame()
                    await pilot.pause()
                if cycles >= 10 and cycle % (cycles // 10) == 0:
                    figures.setdefault("rss_mb_by_tenth", []).append(round(rss_mb(), 1))
                if cycle == warm_cycle:
                    figures["rss_after_warmup_mb"] = round(rss_mb(), 1)
                    figures["tasks_after_warmup"] = len(asyncio.all_tasks())
                    figures["fds_after_warmup"] = fd_count()
            app.render_frame()
            await pilot.pause()
            await asyncio.sleep(0.5)  # the last replies and tool outputs land
            figures["rss_end_mb"] = round(rss_mb(), 1)
            figures["tasks_end"] = len(asyncio.all_tasks())
            figures["fds_end"] = fd_count()
            await app.client.disconnect()  # its closing is a (local) event too
            figures["store_total"] = app.inspector.store.total
            figures["store_dropped"] = app.inspector.store.dropped
        figures["wall_s"] = round(time.perf_counter() - started, 1)
    await asyncio.sleep(0.1)
    figures["tasks_after"] = len(asyncio.all_tasks())
    figures["fds_after"] = fd_count()
    with record.open() as file:
        figures["recorded_events"] = sum(1 for _ in file)
    for kind in (
        "response.done",
        "status.completed",
        "status.cancelled",
        "item.function_call",
        "input_audio_buffer.speech_started",
        "response.output_audio.delta",
    ):
        figures[kind] = counts.get(kind, 0)
    return figures


async def main(minutes: float, max_audio_seconds: float, in_process: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        figures = await run_soak(
            minutes * 60,
            Path(tmp),
            max_audio_seconds=max_audio_seconds,
            simulator_in_process=in_process,
        )
    print(json.dumps(figures, indent=1), flush=True)
    leak = (
        figures["tasks_after"] > figures["tasks_before"]
        or figures["fds_after"] > figures["fds_before"]
    )
    lost = figures["recorded_events"] != figures["store_total"]
    return 1 if leak or lost else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument(
        "--max-audio-seconds",
        type=float,
        default=120.0,
        help="the conversation's audio limit (small, so a short soak reaches it)",
    )
    parser.add_argument(
        "--simulator-in-process",
        action="store_true",
        help="run the simulator in this process (its conversation then counts in RSS)",
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.minutes, args.max_audio_seconds, args.simulator_in_process)))
