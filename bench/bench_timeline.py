"""The timeline's costs with many turns: a milestone, a clock tick, a repaint, the summary.

A headless app (160x48) holds a ``TurnTimeline`` and a ``SessionSummary`` over a ``TurnModel``
fed N finished turns (speech, transcription, audio, a truncation, usage) and one running turn.
For each N it prints, as the median of ``--rounds``:

- milestone: ``refresh_from_model`` after a change of ``TurnModel.version`` (take the turns,
  lanes of the newest 64 and of new ones, rescale, repaint); what each milestone costs the
  screen's 10 Hz timer;
- tick: ``refresh_from_model`` with no milestone (the running row's lanes, redrawn);
- repaint: drawing every visible line with the strip cache empty (after a milestone);
- summary: ``summarize`` as ``SessionSummary`` runs it after a milestone (it then waits 20
  times as long before the next).

Run: python3 bench/bench_timeline.py [--turns 100,1000,5000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.app.widgets.session_summary import SessionSummary
from console.app.widgets.timeline import TurnTimeline
from console.inspector.store import PlainEvent
from console.inspector.turns import TurnModel

STYLES = Path(__file__).resolve().parents[1] / "console" / "app" / "styles" / "timeline.tcss"
AUDIO = base64.b64encode(bytes(4800)).decode()  # 100 ms of PCM16 at 24 kHz
USAGE = {
    "total_tokens": 300,
    "input_tokens": 200,
    "output_tokens": 100,
    "input_token_details": {"cached_tokens": 50, "text_tokens": 20, "audio_tokens": 180},
    "output_token_details": {"text_tokens": 20, "audio_tokens": 80},
}


def feed(turns: TurnModel, count: int) -> float:
    """``count`` finished speech turns, a second apart; returns the time after the last."""

    def add(t: float, kind: str, **fields: Any) -> None:
        turns.observe(PlainEvent("server", kind, {"type": kind, **fields}, t))

    t = 1_000.0
    add(t, "session.created", session={"model": "gpt-realtime"})
    for number in range(count):
        user, reply, response = f"u{number}", f"a{number}", f"r{number}"
        add(t, "input_audio_buffer.speech_started", item_id=user, audio_start_ms=0)
        add(
            t + 0.8 + number % 7 / 10,
            "input_audio_buffer.speech_stopped",
            item_id=user,
            audio_end_ms=800,
        )
        t += 0.8 + number % 7 / 10
        add(t + 0.05, "input_audio_buffer.committed", item_id=user)
        add(t + 0.1, "response.created", response={"id": response})
        add(t + 0.2, "response.output_item.added", response_id=response, item={"id": reply})
        for delta in range(5):
            add(
                t + 0.3 + delta / 20,
                "response.output_audio.delta",
                response_id=response,
                delta=AUDIO,
            )
        done = {"id": response, "status": "completed", "usage": USAGE, "output": [{"id": reply}]}
        add(t + 0.6, "response.done", response=done)
        add(t + 0.7, "conversation.item.input_audio_transcription.completed", item_id=user)
        if number % 4 == 0:
            add(t + 0.8, "conversation.item.truncated", item_id=reply, audio_end_ms=200)
        t += 1.0
    add(t, "response.created", response={"id": "running"})  # one turn still running
    return t


class BenchApp(App[None]):
    CSS_PATH = str(STYLES)

    def __init__(self, turns: TurnModel, now: Callable[[], float]) -> None:
        super().__init__()
        self.turns = turns
        self.now = now

    def compose(self) -> ComposeResult:
        yield TurnTimeline(self.turns, self.now, id="timeline")
        yield SessionSummary(self.turns, id="summary")


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.2f} ms"


async def measure(count: int, rounds: int) -> None:
    turns = TurnModel()
    clock = [feed(turns, count)]
    app = BenchApp(turns, lambda: clock[0])
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.query_one(TurnTimeline)
        summary = app.query_one(SessionSummary)
        timeline.refresh_from_model()
        await pilot.pause()
        milestone, tick, repaint, summarize = [], [], [], []
        height = timeline.scrollable_content_region.height
        for _ in range(rounds):
            turns.version += 1  # as a milestone does
            start = time.perf_counter()
            timeline.refresh_from_model()
            milestone.append(time.perf_counter() - start)
            start = time.perf_counter()
            for y in range(height):
                timeline.render_line(y)
            repaint.append(time.perf_counter() - start)
            start = time.perf_counter()
            summary._next_at = 0.0  # no spacing: measure every one
            summary.refresh_from_model()
            summarize.append(time.perf_counter() - start)
            clock[0] += 0.1
            start = time.perf_counter()
            timeline.refresh_from_model()
            tick.append(time.perf_counter() - start)
            await pilot.pause()
    print(
        f"{count:>6,} turns  milestone {median_ms(milestone)}  tick {median_ms(tick)}  "
        f"repaint {median_ms(repaint)}  summary {median_ms(summarize)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", default="100,1000,5000")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    for count in (int(n) for n in args.turns.split(",")):
        asyncio.run(measure(count, args.rounds))


if __name__ == "__main__":
    main()
