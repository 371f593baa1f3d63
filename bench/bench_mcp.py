"""Benchmark: how long the simulator's MCP work takes against an in-process MCP server.

One ``SimulatorServer(pace="fast")`` and the test suite's demo MCP server (``tests/mcp_servers.py``:
``add`` and ``delete_file``) on 127.0.0.1, a raw WebSocket client. Per round:

(a) listing: ``session.update`` adding the ``mcp`` tool → ``mcp_list_tools.completed`` (a fresh
    session each round: connect, initialize, ``tools/list`` and close, over streamable HTTP);
(b) a call: ``response.create`` after "add 2 and 3" → ``response.mcp_call.in_progress`` →
    ``response.mcp_call.completed`` (the MCP call alone), and → ``response.done`` (the turn);
(c) the session's first MCP operation also pays for importing the ``mcp`` SDK: printed apart.

    python3 bench/bench_mcp.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's tests/

from console.simulator import SimulatorServer
from tests.mcp_servers import demo_server, serve_mcp


async def until(ws: Any, event_type: str) -> float:
    """Read events until ``event_type``; the monotonic time it arrived."""
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if event["type"] == "error":
            raise RuntimeError(event["error"])
        if event["type"] == event_type:
            return time.monotonic()


async def one_round(url: str, mcp_url: str) -> tuple[float, float, float]:
    async with websockets.connect(url + "?model=gpt-realtime", max_size=None) as ws:
        await until(ws, "session.created")
        tool = {
            "type": "mcp",
            "server_label": "demo",
            "server_url": mcp_url,
            "require_approval": "never",
        }
        session = {"type": "realtime", "output_modalities": ["text"], "tools": [tool]}
        start = time.monotonic()
        await ws.send(json.dumps({"type": "session.update", "session": session}))
        listed = await until(ws, "mcp_list_tools.completed") - start
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "add 2 and 3"}],
        }
        await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
        start = time.monotonic()
        await ws.send(json.dumps({"type": "response.create"}))
        in_progress = await until(ws, "response.mcp_call.in_progress")
        completed = await until(ws, "response.mcp_call.completed")
        done = await until(ws, "response.done")
        return listed, completed - in_progress, done - start


def summary(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    median = statistics.median(ms)
    return f"{name:<28} median {median:7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms"


async def main(rounds: int) -> None:
    async with (
        SimulatorServer(host="127.0.0.1", port=0, pace="fast") as sim,
        serve_mcp(demo_server()) as demo,
    ):
        cold = "mcp" not in sys.modules
        first = await one_round(sim.url, demo.url)
        results = [await one_round(sim.url, demo.url) for _ in range(rounds)]
    label = "first round (imports mcp)" if cold else "first round"
    print(f"{label}: list {first[0] * 1000:.1f} ms, call {first[1] * 1000:.1f} ms")
    print(f"{rounds} rounds after that:")
    print(summary("list tools (update->done)", [r[0] for r in results]))
    print(summary("call (in_progress->done)", [r[1] for r in results]))
    print(summary("turn (create->response.done)", [r[2] for r in results]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(parser.parse_args().rounds))
