"""``realtime-console report`` on a one-hour recording, and the live turn model's cost per event.

The recording: a real voice session on the embedded simulator (fast pace, PCM16, server_vad,
whisper-1 transcription; the client streams speech-like audio in 50 ms chunks and each reply
comes back as audio deltas), recorded as the console records, then repeated with shifted times
(and ids made unique per copy) until it holds 80,000 events spread over one hour: about what an
hour of talking to the console writes (the microphone alone sends 20 to 50 appends a second).

Prints:
- the file's size and events;
- ``report --json`` as a user runs it (a fresh ``python3 -m console.cli`` process, best of 3),
  and in process, with the share of reading and parsing the file (best of 3);
- ``TurnModel.observe`` per event, on the store's records as the live console feeds it (best of
  5 passes over the 80,000 events).

Targets (issue 13): the report under 2 s; the turn model under 5 us per event.

Run: python3 bench/bench_turns.py [--events N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from console.cli import main as cli_main
from console.cli.report import build_turns
from console.inspector.prices import PriceTable
from console.inspector.recording import RecordingReader, load_recording, record_to_json
from console.inspector.store import EventRecord, EventStore
from console.inspector.turns import TurnModel
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from console.simulator.voice import speak

REPO = Path(__file__).resolve().parents[1]
HOUR_S = 3600.0
CHUNK = 1200  # 50 ms at 24 kHz
TURNS = 8
PHRASES = ("what time is it", "tell me about the weather", "and tomorrow", "thank you so much")


async def base_session() -> list[EventRecord]:
    """One real voice session's records (every event both ways, with the store's times)."""
    store = EventStore(cap=1_000_000)
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        client.on("realtime.event", lambda p: store.add(p["source"], p["event"]))
        client.update_session(
            turn_detection={"type": "server_vad"},
            input_audio_transcription={"model": "whisper-1"},
        )
        await client.connect()
        assert await client.wait_for_session_created(10)
        silence = np.zeros(24_000 // 2, np.int16)
        for turn in range(TURNS):
            words = PHRASES[turn % len(PHRASES)]
            speech = np.concatenate([audio for _, audio in speak(words, voice="user")])
            audio = np.concatenate([silence, speech, silence, silence, silence])
            done = asyncio.ensure_future(client.realtime.wait_for_next("server.response.done", 10))
            for at in range(0, len(audio), CHUNK):
                client.append_input_audio(audio[at : at + CHUNK])
            await done
        await client.disconnect()
    return list(store.records)


def hour_of(records: list[EventRecord], events: int, path: Path) -> int:
    """Write ``records`` repeated (ids unique per copy, times shifted) to ``events`` lines
    spread over an hour; returns the events written."""
    base = [record_to_json(record) for record in records]
    copies = -(-events // len(base))
    first = records[0].time
    span = max(record.time for record in records) - first
    step = max(HOUR_S / copies, span)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            shift = copy * step
            for record, line in zip(records, base, strict=True):
                if written == events:
                    return written
                for prefix in ('"resp_', '"item_', '"call_'):
                    line = line.replace(prefix, f"{prefix}{copy}x")
                t = record.time + shift - first + 1_767_268_800.0
                envelope = json.loads(line)
                envelope["t"] = t
                out.write(json.dumps(envelope, separators=(",", ":")) + "\n")
                written += 1
    return written


def best(runs: int, call: Any) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=80_000)
    args = parser.parse_args()
    records = asyncio.run(base_session())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hour.jsonl"
        count = hour_of(records, args.events, path)
        size = path.stat().st_size
        print(f"recording: {count:,} events over one hour, {size / 2**20:.1f} MiB")

        command = [sys.executable, "-m", "console.cli", "report", str(path), "--json"]

        def run_cli() -> None:
            subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)

        process_s = best(3, run_cli)

        def in_process() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                cli_main(["report", str(path), "--json"])

        def read_only() -> None:
            for _ in RecordingReader(path, max_events=None):
                pass

        whole_s = best(3, in_process)
        read_s = best(3, read_only)
        loaded = load_recording(path)
        prices = PriceTable.default()
        model = build_turns(loaded.entries, prices)
        print(f"report --json, a fresh process: {process_s:.2f} s (target < 2 s)")
        print(
            f"  in process: {whole_s:.2f} s, of which reading and parsing the file "
            f"{read_s:.2f} s; {len(model):,} turns"
        )

        store = EventStore(cap=len(loaded.entries) + 1)
        for source, event, t in loaded.entries:
            store.add(source, event, at=t)
        live = list(store.records)

        def observe_all() -> None:
            observe = TurnModel(prices, cap=len(live)).observe
            for record in live:
                observe(record)

        per_event_us = best(5, observe_all) / len(live) * 1e6
        print(f"live turn model: {per_event_us:.2f} us per event (target < 5 us)")
        ok = process_s < 2.0 and per_event_us < 5.0
        print("OK" if ok else "OVER TARGET")


if __name__ == "__main__":
    main()
