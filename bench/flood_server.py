"""A GA Realtime server that floods its client with server events at a fixed rate (for benches).

On each connection it answers with ``session.created``, then sends ``rate`` events a second for
``seconds`` seconds, in batches every few milliseconds so the rate holds: blocks of 200 events,
each a whole audio response (``response.created`` → item and part added → deltas → the done
events), the deltas mostly ``response.output_audio.delta`` (100 ms of 24 kHz PCM16, 4,800 bytes)
with every fifth a ``response.output_audio_transcript.delta``. ``event_id``s are numbered from 0
so a client can find gaps. When done it prints one JSON line (events sent, seconds taken) and
keeps the socket open. Client frames are read and ignored.

    python3 bench/flood_server.py [--rate 2000] [--seconds 10] [--port 0]

prints ``PORT <n>`` once listening, then ``{"sent": ..., "seconds": ...}`` per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import struct
import sys
import time
from collections.abc import Iterator
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

BLOCK = 200
SLICE_S = 0.005
FORMAT = {"type": "audio/pcm", "rate": 24000}
SESSION: dict[str, Any] = {
    "type": "realtime",
    "object": "realtime.session",
    "id": "sess_flood",
    "model": "gpt-realtime",
    "output_modalities": ["audio"],
    "instructions": "You are a flood.",
    "tools": [],
    "tool_choice": "auto",
    "max_output_tokens": "inf",
    "tracing": None,
    "truncation": "auto",
    "prompt": None,
    "expires_at": 1_900_000_000,
    "audio": {
        "input": {
            "format": FORMAT,
            "transcription": None,
            "noise_reduction": None,
            "turn_detection": None,
        },
        "output": {"format": FORMAT, "voice": "alloy", "speed": 1.0},
    },
    "include": None,
}


def pcm_chunk() -> str:
    """Base64 of 100 ms of a 440 Hz tone, 24 kHz PCM16 (4,800 bytes)."""
    samples = [int(8000 * math.sin(2 * math.pi * 440 * n / 24000)) for n in range(2400)]
    return base64.b64encode(struct.pack("<2400h", *samples)).decode()


def frames(total: int) -> Iterator[str]:
    """``total`` JSON frames, numbered ``event_0000000000`` up."""
    audio = pcm_chunk()
    audio_head = '{"type":"response.output_audio.delta","event_id":"'
    transcript_head = '{"type":"response.output_audio_transcript.delta","event_id":"'
    for start in range(0, total, BLOCK):
        resp, item = f"resp_{start:010d}", f"item_{start:010d}"
        ids = {"response_id": resp, "item_id": item, "output_index": 0, "content_index": 0}
        message = {"id": item, "type": "message", "role": "assistant"}
        response = {"object": "realtime.response", "id": resp, "output_modalities": ["audio"]}
        done_item = {**message, "status": "completed", "content": [{"type": "output_audio"}]}
        head: list[dict[str, Any]] = [
            {"type": "response.created", "response": {**response, "status": "in_progress"}},
            {
                "type": "response.output_item.added",
                "response_id": resp,
                "output_index": 0,
                "item": {**message, "status": "in_progress", "content": []},
            },
            {
                "type": "conversation.item.added",
                "previous_item_id": None,
                "item": {**message, "status": "in_progress", "content": []},
            },
            {
                "type": "response.content_part.added",
                **ids,
                "part": {"type": "audio", "transcript": ""},
            },
        ]
        tail: list[dict[str, Any]] = [
            {"type": "response.output_audio.done", **ids},
            {"type": "response.output_audio_transcript.done", **ids, "transcript": "..."},
            {"type": "response.content_part.done", **ids, "part": {"type": "audio"}},
            {"type": "response.output_item.done", "response_id": resp, "item": done_item},
            {"type": "conversation.item.done", "previous_item_id": None, "item": done_item},
            {
                "type": "response.done",
                "response": {**response, "status": "completed", "output": [done_item]},
            },
        ]
        rest = '",' + json.dumps(ids, separators=(",", ":"))[1:-1] + ',"delta":'
        size = min(BLOCK, total - start)
        for offset in range(size):
            n = start + offset
            event_id = f"event_{n:010d}"
            deltas = BLOCK - len(head) - len(tail)
            if offset < len(head):
                yield json.dumps({**head[offset], "event_id": event_id})
            elif offset >= len(head) + deltas:
                yield json.dumps({**tail[offset - len(head) - deltas], "event_id": event_id})
            elif offset % 5 == 0:
                yield transcript_head + event_id + rest + '"word "}'
            else:
                yield audio_head + event_id + rest + '"' + audio + '"}'


async def drain(ws: ServerConnection) -> None:
    async for _ in ws:
        pass


async def flood(ws: ServerConnection, rate: float, seconds: float) -> None:
    """Send ``session.created`` (event 0), then ``rate * seconds`` more events, paced."""
    total = int(rate * seconds)
    reader = asyncio.create_task(drain(ws))
    created = {"type": "session.created", "event_id": "event_created", "session": SESSION}
    await ws.send(json.dumps(created))
    start = time.perf_counter()
    sent = 0
    source = frames(total)
    while sent < total:
        due = min(total, int(rate * (time.perf_counter() - start)) + 1)
        while sent < due:
            await ws.send(next(source))
            sent += 1
        await asyncio.sleep(SLICE_S)
    took = time.perf_counter() - start
    print(json.dumps({"sent": sent + 1, "seconds": round(took, 3)}), flush=True)
    await reader


async def main(rate: float, seconds: float, port: int) -> None:
    async def handler(ws: ServerConnection) -> None:
        await flood(ws, rate, seconds)

    async with serve(handler, "127.0.0.1", port, max_size=None, compression=None) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"PORT {bound}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.rate, args.seconds, args.port))
    except KeyboardInterrupt:
        sys.exit(0)
