"""The events pane under a firehose: event-loop lag, CPU and RSS while events pour in.

A headless app holds one ``EventsPane`` (120x40) over an ``EventStore``. A producer adds RATE
events/s for SECONDS (in 10 ms batches; mostly ``response.output_audio.delta`` with ~6 KB of
base64, plus transcript deltas, client audio appends and the events that end each burst), the
pane is refreshed at 30 Hz as the app does, and a 5 ms asyncio heartbeat measures how late the
loop runs. Prints lag p50/p99/max, CPU % of one core, and RSS each second. Follow mode is on
(the list scrolls every tick, the costly case); ``--paused`` measures a paused list.

``--filter TEXT`` keeps a text filter on while events pour in (each new row is matched against
its event's JSON), then types TEXT again into the filter over the full store, one keystroke at
a time, and prints what each keystroke costs: the first (every kept event's searchable text is
made then) and the rest (cached). It does the same over a worst-case store: ``cap`` events that
fold into no row at all, half of them 6 KB audio deltas, half small JSON events.

``--times previous`` or ``--times turn`` shows the time column since the previous row or since
the turn's trigger (a ``TurnModel`` is fed beside the store, as the inspector does).

Run: python3 bench/bench_events_pane.py [--rate 2000] [--seconds 10] [--cap 10000] [--paused]
     [--filter TEXT] [--times clock|previous|turn]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import time
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, ComposeResult

from console.app.widgets.events import EventsPane
from console.inspector.store import EventFilter, EventStore

if TYPE_CHECKING:  # imported only for --times turn: it loads numpy, which the RSS would count
    from console.inspector.turns import TurnModel

STYLES = Path(__file__).resolve().parents[1] / "console" / "app" / "styles" / "events.tcss"
AUDIO = base64.b64encode(os.urandom(4800)).decode()  # 6,400 characters: 100 ms at 24 kHz
HEARTBEAT = 0.005


class BenchApp(App[None]):
    CSS_PATH = str(STYLES)

    def __init__(self, store: EventStore, turns: TurnModel | None = None) -> None:
        super().__init__()
        self.store = store
        self.turns = turns

    def compose(self) -> ComposeResult:
        yield EventsPane(self.store, tz=UTC, turns=self.turns, refresh_interval=None)


def response_cycle() -> list[tuple[str, dict[str, object]]]:
    """One response's worth of events (100), the mix the producer repeats."""
    events: list[tuple[str, dict[str, object]]] = [
        ("client", {"type": "input_audio_buffer.append", "audio": AUDIO}) for _ in range(6)
    ]
    events += [
        ("client", {"type": "input_audio_buffer.commit"}),
        ("client", {"type": "response.create"}),
        ("server", {"type": "response.created", "response": {"id": "resp_1"}}),
        ("server", {"type": "response.output_item.added", "item": {"id": "item_1"}}),
    ]
    for index in range(80):
        events.append(("server", {"type": "response.output_audio.delta", "delta": AUDIO}))
        if index % 8 == 0:
            events.append(
                ("server", {"type": "response.output_audio_transcript.delta", "delta": "hi"})
            )
    events += [
        ("server", {"type": "response.output_audio.done"}),
        ("server", {"type": "response.output_item.done", "item": {"id": "item_1"}}),
        ("server", {"type": "response.done", "response": {"id": "resp_1", "output": []}}),
        ("server", {"type": "rate_limits.updated", "rate_limits": []}),
    ]
    return events


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def unfolded_store(cap: int) -> EventStore:
    """``cap`` events, one row each: audio deltas between small events, so nothing folds."""
    store = EventStore(cap=cap)
    for index in range(cap // 2):
        store.add("server", {"type": "response.output_audio.delta", "delta": AUDIO})
        store.add(
            "server",
            {
                "type": "response.output_audio_transcript.done",
                "response_id": f"resp_{index}",
                "item_id": f"item_{index}",
                "transcript": f"Sentence number {index} of the assistant's long reply.",
            },
        )
    return store


def type_filter(pane: EventsPane, text: str) -> list[float]:
    """Milliseconds each keystroke of ``text`` takes to refilter the list, then one to clear."""
    times = []
    for typed in [text[:end] for end in range(1, len(text) + 1)] + [""]:
        start = time.perf_counter()
        pane.event_list.set_filter(EventFilter(text=typed))
        times.append((time.perf_counter() - start) * 1000)
    return times


def print_typing(what: str, pane: EventsPane, text: str) -> None:
    store = pane.store
    for record in store.records:
        record.search_text = None  # the first keystroke pays for every searchable text
    times = type_filter(pane, text)
    rest = times[1:-1] or [0.0]
    print(
        f"  typing {text!r} over {what} ({len(store.records):,} events, {len(store.rows):,} rows):"
        f" first key {times[0]:.1f} ms, next keys median {statistics.median(rest):.1f} ms"
        f" max {max(rest):.1f} ms, clearing {times[-1]:.1f} ms"
    )


async def run(rate: int, seconds: float, cap: int, paused: bool, text: str, times: str) -> None:
    store = EventStore(cap=cap)
    turns: TurnModel | None = None
    if times == "turn":
        from console.inspector.turns import TurnModel

        turns = TurnModel()
    app = BenchApp(store, turns)
    cycle = response_cycle()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(EventsPane)
        await pilot.pause()
        if paused:
            pane.event_list.follow(False)
        if text:
            pane.event_list.set_filter(EventFilter(text=text))
        while pane.event_list.time_mode != times:
            pane.event_list.cycle_time_mode()
        lags: list[float] = []
        rss: list[tuple[int, float]] = []
        sent = 0
        stop = False

        async def heartbeat() -> None:
            while not stop:
                before = time.perf_counter()
                await asyncio.sleep(HEARTBEAT)
                lags.append(time.perf_counter() - before - HEARTBEAT)

        async def produce() -> None:
            nonlocal sent
            start = time.perf_counter()
            position = 0
            while (elapsed := time.perf_counter() - start) < seconds:
                due = int(elapsed * rate)
                while sent < due:
                    source, event = cycle[position]
                    record = store.add(source, event)  # type: ignore[arg-type]
                    if turns is not None:
                        turns.observe(record)
                    position = (position + 1) % len(cycle)
                    sent += 1
                await asyncio.sleep(0.01)

        timer = pane.set_interval(1 / 30, pane.refresh_from_store)
        beat = asyncio.create_task(heartbeat())
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        producer = asyncio.create_task(produce())
        second = 0
        while not producer.done():
            await asyncio.sleep(0.05)
            if time.perf_counter() - wall_start >= second + 1:
                second += 1
                rss.append((second, rss_mb()))
        cpu = time.process_time() - cpu_start
        wall = time.perf_counter() - wall_start
        stop = True
        await beat
        timer.stop()
        pane.refresh_from_store()
        await pilot.pause()
        shown = pane.event_list.row_count

    ms = sorted(lag * 1000 for lag in lags)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"events pane, {rate:,} events/s for {seconds:g} s, cap {cap:,}, follow {not paused}"
        + (f", filter {text!r}" if text else "")
        + (f", times {times}" if times != "clock" else "")
    )
    print(f"  sent {sent:,} events ({sent / wall:,.0f}/s), store kept {len(store.records):,}")
    print(f"  rows shown {shown:,}; status: {pane.status_text}")
    print(
        f"  loop lag (5 ms heartbeat, {len(ms):,} beats): p50 {statistics.median(ms):.1f} ms,"
        f" p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
    )
    print(f"  CPU {100 * cpu / wall:.0f}% of one core")
    print("  RSS MB by second: " + ", ".join(f"{s}s {mb:.0f}" for s, mb in rss))
    if text:
        async with BenchApp(store).run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            print_typing("the streamed store", pilot.app.query_one(EventsPane), text)
        async with BenchApp(unfolded_store(cap)).run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            print_typing("the unfolded store", pilot.app.query_one(EventsPane), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cap", type=int, default=10_000)
    parser.add_argument("--paused", action="store_true")
    parser.add_argument("--filter", default="", help="a text filter kept on, then typed again")
    parser.add_argument("--times", choices=("clock", "previous", "turn"), default="clock")
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds, args.cap, args.paused, args.filter, args.times))


if __name__ == "__main__":
    main()
