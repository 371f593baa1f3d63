"""Load: N concurrent sessions for S seconds on loopback, direct to the simulator and through
the relay (``RelayServer`` with the simulator as upstream). No frame lost or reordered.

Each session sends numbered pairs, ``conversation.item.create`` (item id ``item_<s>_<n>``) then
``conversation.item.delete`` of the same item, keeping ``WINDOW`` pairs in flight; the server's
``conversation.item.added`` and ``conversation.item.deleted`` must name exactly those ids, in
the order sent, none missing and none extra, and no ``error`` may come back. Prints frames and
answers per second per route. Everything runs in this process on 127.0.0.1, port 0.

    python3 bench/load.py [--sessions 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.relay import RelayServer
from console.simulator import SimulatorServer

WINDOW = 16


@dataclass
class SessionResult:
    sent: int = 0
    answered: int = 0
    problems: list[str] = field(default_factory=list)


async def run_session(url: str, index: int, seconds: float) -> SessionResult:
    result = SessionResult()
    expected: deque[tuple[str, str]] = deque()
    in_flight = asyncio.Semaphore(WINDOW)
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        first = json.loads(await ws.recv())
        assert first["type"] == "session.created", first

        async def send() -> None:
            deadline = time.monotonic() + seconds
            n = 0
            while time.monotonic() < deadline:
                await in_flight.acquire()
                item_id = f"item_{index}_{n}"
                item = {
                    "id": item_id,
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": f"n{n}"}],
                }
                expected.append(("conversation.item.added", item_id))
                expected.append(("conversation.item.deleted", item_id))
                await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
                await ws.send(json.dumps({"type": "conversation.item.delete", "item_id": item_id}))
                result.sent += 2
                n += 1

        sender = asyncio.create_task(send())
        while not (sender.done() and not expected):
            try:
                event = json.loads(await asyncio.wait_for(ws.recv(), 10))
            except TimeoutError:
                result.problems.append(f"session {index}: {len(expected)} answers never came")
                break
            kind = event["type"]
            if kind == "error":
                result.problems.append(f"session {index}: error {event['error']}")
                continue
            if kind not in ("conversation.item.added", "conversation.item.deleted"):
                continue
            got = (kind, event["item"]["id"] if kind.endswith("added") else event["item_id"])
            want = expected.popleft() if expected else None
            if got != want:
                result.problems.append(f"session {index}: got {got}, expected {want}")
                break
            result.answered += 1
            if kind.endswith("deleted"):
                in_flight.release()
        sender.cancel()
    return result


async def run_load(url: str, sessions: int, seconds: float) -> dict[str, float | int | list[str]]:
    """Run ``sessions`` sessions against ``url``; totals, throughput and problems found."""
    start = time.perf_counter()
    results = await asyncio.gather(*(run_session(url, i, seconds) for i in range(sessions)))
    took = time.perf_counter() - start
    sent = sum(r.sent for r in results)
    answered = sum(r.answered for r in results)
    return {
        "sessions": sessions,
        "seconds": round(took, 2),
        "frames_sent": sent,
        "answers_checked": answered,
        "frames_per_s": round(sent / took),
        "answers_per_s": round(answered / took),
        "problems": [p for r in results for p in r.problems],
    }


async def main(sessions: int, seconds: float) -> int:
    failed = False
    async with SimulatorServer(host="127.0.0.1", port=0, pace="fast") as simulator:
        direct = await run_load(simulator.url, sessions, seconds)
        print(json.dumps({"route": "simulator", **direct}), flush=True)
        relay = RelayServer(
            upstream_url=simulator.url, api_key="sk-load-0000", host="127.0.0.1", port=0
        )
        async with relay:
            relayed = await run_load(relay.url, sessions, seconds)
        print(json.dumps({"route": "relay", **relayed}), flush=True)
        failed = bool(direct["problems"] or relayed["problems"])
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.sessions, args.seconds)))
