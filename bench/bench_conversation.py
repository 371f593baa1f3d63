"""Throughput of RealtimeConversation on a long synthetic GA audio stream.

R responses of D audio deltas of 100 ms (2,400 samples), each with a transcript delta, replayed
through ``RealtimeConversation.process_event`` with JSON parsing included. Prints events/s for
D=60 and D=600 (target: >= 20,000 events/s for both on the 2-core CI machine, and D=600 within
20% of D=60, i.e. linear in the response length), and the same through the whole client path
(``RealtimeAPI.handle_frame``: parsing, dispatch, conversation, ``conversation.updated`` and
``realtime.event``).

Also prints each path as a share of the parse+decode ceiling: the time to ``json.loads`` every
frame and base64-decode every audio delta into int16 samples, the least any ingest must do
(target for D=600: conversation >= 66% of the ceiling's rate), as the median over 15 rounds of
the ceiling and both paths run back to back. Times are this process's CPU time, so other work
on a shared machine skews them less than wall-clock time would; events/s are from the best run.

Run: python3 bench/bench_conversation.py
"""

from __future__ import annotations

import base64
import json
import statistics
import time

import numpy as np

from console.realtime import RealtimeClient, RealtimeConversation

SAMPLES_PER_DELTA = 2400


def synthetic_stream(responses: int, deltas: int) -> list[str]:
    """Server frames of ``responses`` audio responses, each with ``deltas`` audio deltas."""
    rng = np.random.default_rng(0)
    audio = base64.b64encode(
        (rng.standard_normal(SAMPLES_PER_DELTA) * 3000).astype("<i2").tobytes()
    ).decode()
    frames: list[dict] = []
    counter = 0

    def add(event_type: str, **fields: object) -> None:
        nonlocal counter
        counter += 1
        frames.append({"type": event_type, "event_id": f"event_{counter}", **fields})

    for r in range(responses):
        response_id, item_id = f"resp_{r}", f"item_{r}"
        ids = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        item = {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        add("response.created", response={"id": response_id, "status": "in_progress", "output": []})
        add("response.output_item.added", response_id=response_id, output_index=0, item=item)
        add("conversation.item.added", previous_item_id=None, item=item)
        add("response.content_part.added", part={"type": "audio", "transcript": ""}, **ids)
        for d in range(deltas):
            add("response.output_audio_transcript.delta", delta=f"word{d} ", **ids)
            add("response.output_audio.delta", delta=audio, **ids)
        add("response.output_audio.done", **ids)
        add("response.output_audio_transcript.done", transcript="...", **ids)
        add("response.content_part.done", part={"type": "audio", "transcript": "..."}, **ids)
        done_item = item | {"status": "completed"}
        add("response.output_item.done", response_id=response_id, output_index=0, item=done_item)
        add("conversation.item.done", previous_item_id=None, item=done_item)
        add("response.done", response={"id": response_id, "status": "completed", "output": []})
    return [json.dumps(f) for f in frames]


def parse_and_decode(frames: list[str]) -> float:
    """The ceiling: parse every frame and decode every audio delta, nothing else."""
    start = time.process_time()
    for frame in frames:
        event = json.loads(frame)
        if event["type"] == "response.output_audio.delta":
            np.frombuffer(base64.b64decode(event["delta"]), dtype="<i2")
    return time.process_time() - start


def replay_conversation(frames: list[str]) -> float:
    conversation = RealtimeConversation()
    start = time.process_time()
    for frame in frames:
        event = json.loads(frame)
        if conversation.handles(event["type"]):
            conversation.process_event(event)
    return time.process_time() - start


def replay_client(frames: list[str]) -> float:
    client = RealtimeClient()
    client.on("conversation.updated", lambda event: None)
    client.on("realtime.event", lambda event: None)
    start = time.process_time()
    for frame in frames:
        client.realtime.handle_frame(frame)
    return time.process_time() - start


def measure(frames: list[str], rounds: int = 15) -> dict[str, float]:
    """Best times of each path, and the median of each path's share of the ceiling measured in
    the same round: a round's three runs share the machine's load of the moment, so the shares
    vary far less than ratios of best times taken apart (15 rounds)."""
    times: dict[str, list[float]] = {"ceiling": [], "conversation": [], "client": []}
    for _ in range(rounds):
        times["ceiling"].append(parse_and_decode(frames))
        times["conversation"].append(replay_conversation(frames))
        times["client"].append(replay_client(frames))
    shares = {
        path: statistics.median(c / t for c, t in zip(times["ceiling"], times[path], strict=True))
        for path in ("conversation", "client")
    }
    return {
        "conversation_s": min(times["conversation"]),
        "client_s": min(times["client"]),
        "conversation_share": shares["conversation"],
        "client_share": shares["client"],
    }


def main() -> None:
    results: dict[int, float] = {}
    shares: dict[int, float] = {}
    print(
        f"{'D':>5} {'R':>4} {'events':>8} {'conversation ev/s':>18} {'client path ev/s':>17}"
        f" {'conversation/ceiling':>21} {'client/ceiling':>15}"
    )
    for deltas, responses in ((60, 100), (600, 10)):
        frames = synthetic_stream(responses, deltas)
        figures = measure(frames)
        results[deltas] = len(frames) / figures["conversation_s"]
        shares[deltas] = figures["conversation_share"]
        print(
            f"{deltas:>5} {responses:>4} {len(frames):>8} {results[deltas]:>18,.0f} "
            f"{len(frames) / figures['client_s']:>17,.0f} {shares[deltas]:>21.0%} "
            f"{figures['client_share']:>15.0%}"
        )
    ratio = results[600] / results[60]
    print(f"D=600 / D=60 throughput: {ratio:.2f} (target >= 0.80)")
    print(f"D=600 conversation / parse+decode ceiling: {shares[600]:.0%} (target >= 66%)")
    ok = min(results.values()) >= 20_000 and ratio >= 0.8 and shares[600] >= 0.66
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
