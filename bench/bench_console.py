"""Benchmark: the console under a flood of server events, keystroke latency, and start-up time.

1. Flood: the app (headless, 160x48, built by ``make_app``) connects through the real client to
   ``bench/flood_server.py`` (a child process on 127.0.0.1) which sends ``--rate`` events/s for
   ``--seconds`` s. Prints event-loop lag (a 5 ms heartbeat: how late it wakes), events sent vs
   in the store (``total``, gaps in the numbered ``event_id``s) vs in an export of
   ``store.records`` (and the ``--record`` file), RSS and CPU % each second. The conversation
   keeps the flood's audio (a later issue bounds it), so RSS is shown beside that audio.
2. Keystrokes: every 100 ms ``pilot.press("x")`` into the focused input; latency is from the press
   until the end of the first screen update (``App._display``) after the compositor was given the
   Input to repaint with the key in its value. Headless ``_display`` skips the terminal write, so
   the wrapper renders the update to terminal text (``render_segments``) as a real terminal
   would; the write itself happens in Textual's writer thread and is not counted.
3. Typing through a real terminal: ``bench/typing_latency.py`` (tmux, the console of this tree):
   keystroke to screen, idle and under 100 and 2,000 events/s, with the full collections seen.
4. Start-up: a fresh ``python3`` until the first ``App._display`` (headless, no connection), and
   the real ``realtime-console --simulator --pace fast`` in tmux (160x48) until the status bar says
   "connected" (and until the first non-blank pane).

    python3 bench/bench_console.py [--rate 2000] [--seconds 10] [--cap 5000] [--record]
                                   [--compare 500] [--phase all|flood|typing|startup]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

T0 = time.perf_counter()
CLOSED_URL = "http://127.0.0.1:9/v1/forecast"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms3(values: list[float]) -> str:
    """p50 / p99 / max in ms."""
    p50, p99, top = pct(values, 0.5), pct(values, 0.99), max(values or [0.0])
    return f"{p50 * 1e3:.1f} / {p99 * 1e3:.1f} / {top * 1e3:.1f} ms"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_config(url: str | None, cap: int, record: Path | None = None) -> Any:
    from console.app.config import ConsoleConfig
    from console.inspector.connection import Target

    target = Target(url, None, "ga", None, "flood — bench")
    return ConsoleConfig(
        target=target, autoconnect=False, event_cap=cap, record_path=record, weather_url=CLOSED_URL
    )


def hook_display(app: Any, on_display: Callable[[], None]) -> None:
    """Call ``on_display`` after each screen update, rendered to terminal text as a tty would."""
    from textual._compositor import CompositorUpdate

    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None and app.is_headless and isinstance(renderable, CompositorUpdate):
            renderable.render_segments(app.console)
        on_display()

    app._display = display


class Keys:
    """Key-press times, and when each key was first on screen."""

    def __init__(self, app: Any) -> None:
        from textual.widgets import Input

        self.input = app.query_one("#prompt", Input)
        self.pressed: list[float] = []
        self.shown: list[float] = []
        self.input_dirty = False
        compositor = app.screen._compositor
        update_widgets = compositor.update_widgets

        def note(widgets: set[Any]) -> None:
            if self.input in widgets or app.screen in widgets:
                self.input_dirty = True
            update_widgets(widgets)

        compositor.update_widgets = note
        hook_display(app, self.on_display)

    def on_display(self) -> None:
        if not self.input_dirty:
            return
        self.input_dirty = False
        now = time.perf_counter()
        on_screen = min(self.input.value.count("x"), len(self.pressed))
        while len(self.shown) < on_screen:
            self.shown.append(now)

    def latencies(self) -> list[float]:
        return [shown - pressed for pressed, shown in zip(self.pressed, self.shown, strict=False)]


async def heartbeat(lags: list[tuple[float, float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        lags.append((now, now - before - 0.005))


def retained_audio_mb(conversation: Any) -> float:
    """MB of PCM samples the conversation's items hold (used length, not buffer capacity)."""
    items = conversation.get_items()
    return sum(len((item.get("formatted") or {}).get("audio", ())) for item in items) / 2**19


async def flood(rate: float, seconds: float, cap: int, record: bool) -> None:
    from console.app.app import make_app
    from console.inspector.recording import export_jsonl

    server = await asyncio.create_subprocess_exec(
        sys.executable,
        str(BENCH / "flood_server.py"),
        f"--rate={rate}",
        f"--seconds={seconds}",
        stdout=subprocess.PIPE,
    )
    assert server.stdout is not None
    port = int((await server.stdout.readline()).split()[1])
    tmp = Path(tempfile.mkdtemp(prefix="bench-console-"))
    record_path = tmp / "record.jsonl" if record else None
    app = make_app(make_config(f"ws://127.0.0.1:{port}/v1/realtime", cap, record_path))
    counts = {"server": 0, "client": 0, "gaps": 0, "next": 0, "want": 1 << 62}
    all_in = asyncio.Event()

    def count(record: Any) -> None:
        counts[record.source] += 1
        event_id = str(record.event.get("event_id", ""))
        if record.source == "server" and event_id[6:].isdigit():
            counts["gaps"] += int(event_id[6:]) != counts["next"]
            counts["next"] = int(event_id[6:]) + 1
        if counts["server"] >= counts["want"]:
            all_in.set()

    app.inspector.store.listen(count)
    lags: list[tuple[float, float]] = []
    samples: list[str] = []
    print(f"\n== flood: {rate:g} events/s for {seconds:g} s, cap {cap}, record {record} ==")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.5)
        keys = Keys(app)
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat(lags, stop))
        store = app.inspector.store
        start = time.perf_counter()
        app.action_connect()
        presses: set[asyncio.Task[None]] = set()

        async def press_keys() -> None:
            while not stop.is_set():
                keys.pressed.append(time.perf_counter())
                task = asyncio.create_task(pilot.press("x"))
                presses.add(task)
                task.add_done_callback(presses.discard)
                await asyncio.sleep(0.1)

        async def sample() -> None:
            wall, cpu = time.perf_counter(), time.process_time()
            while not stop.is_set():
                await asyncio.sleep(1.0)
                now, used = time.perf_counter(), time.process_time()
                recent = [lag for at, lag in lags if at > now - 1.0]
                rss, audio = rss_mb(), retained_audio_mb(app.client.conversation)
                samples.append(
                    f"  t={now - start:5.1f}s  RSS {rss:6.1f} MB"
                    f"  CPU {100 * (used - cpu) / (now - wall):4.0f}%"
                    f"  store total {store.total:6d} kept {len(store.records):5d}"
                    f"  conv audio {audio:6.1f} MB  RSS-audio {rss - audio:6.1f} MB"
                    f"  lag p99 {pct(recent, 0.99) * 1e3:5.1f} ms"
                )
                wall, cpu = now, used

        typing = asyncio.create_task(press_keys())
        sampler = asyncio.create_task(sample())
        cpu0 = time.process_time()
        result = json.loads(await server.stdout.readline())
        flood_end = time.perf_counter()
        sent = int(result["sent"])
        counts["want"] = sent
        if counts["server"] >= sent:
            all_in.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_in.wait(), 30)
        caught_up = time.perf_counter()
        cpu_pct = 100 * (time.process_time() - cpu0) / (caught_up - start)
        stop.set()
        await asyncio.gather(beat, typing, sampler)
        await asyncio.wait(presses, timeout=5) if presses else None
        await pilot.pause(0.2)
        exported = export_jsonl(store.records, tmp / "export.jsonl")
        if app.recorder is not None:
            app.recorder.flush()
        errors = app.inspector.errors
        audio_mb = retained_audio_mb(app.client.conversation)
        rss_flood = rss_mb()
        await app.client.disconnect()
        if app.recorder is not None:
            app.recorder.close()
    server.kill()
    await server.wait()
    in_flood = [lag for at, lag in lags if at <= caught_up]
    lines = sum(1 for _ in (tmp / "export.jsonl").open()) if exported else 0
    print("\n".join(samples))
    print(
        f"server sent {sent} events in {result['seconds']} s "
        f"(asked {int(rate * seconds) + 1} in {seconds:g} s) -> {sent / result['seconds']:.0f}/s"
    )
    print(
        f"store: total {store.total} = server {counts['server']} + client {counts['client']};"
        f" dropped {store.dropped}; kept {len(store.records)};"
        f" event_id gaps {counts['gaps']}; unaccounted {sent - counts['server']}"
        f"   [target: every event in the store]"
    )
    print(f"export_jsonl(store.records): {exported} written, {lines} lines (= kept records)")
    if record_path is not None:
        recorded = sum(1 for _ in record_path.open())
        print(f"--record file: {recorded} lines (store total {store.total})")
    print(f"caught up {1e3 * (caught_up - flood_end):.0f} ms after the server's last send")
    print(f"loop lag p50/p99/max: {ms3(in_flood)}   [target p99 < 50 ms]")
    print(f"CPU of this process (app + client; server is a child): {cpu_pct:.0f}%")
    print(
        f"keystroke -> screen p50/p99/max: {ms3(keys.latencies())}"
        f" ({len(keys.shown)}/{len(keys.pressed)} keys shown)   [target p99 < 50 ms]"
    )
    print(
        f"RSS after the flood {rss_flood:.1f} MB with {audio_mb:.1f} MB of conversation audio;"
        f" {rss_mb():.1f} MB once disconnect cleared the conversation"
        f"   [target: RSS flat once the cap is reached]; inspector errors {errors}"
    )


async def startup_child() -> None:
    """In a fresh interpreter: import, build the app and run headless until the first paint."""
    from console.app.app import make_app

    built = time.perf_counter()
    app = make_app(make_config(None, 5000))
    painted = asyncio.get_running_loop().create_future()

    def first() -> None:
        if not painted.done():
            painted.set_result(time.perf_counter())

    hook_display(app, first)
    async with app.run_test(size=(160, 48)):
        at = await asyncio.wait_for(painted, 10)
    result = {"imports": built - T0, "make_app_to_paint": at - built, "painted_at": at}
    print(json.dumps(result), flush=True)


def startup() -> None:
    print("\n== start-up ==")
    for _ in range(3):
        begun = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--phase", "startup-child"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        child = json.loads(out.strip().splitlines()[-1])
        # perf_counter is CLOCK_MONOTONIC on Linux: one clock for both processes.
        print(
            f"headless: spawn -> first paint {(child['painted_at'] - begun) * 1e3:.0f} ms"
            f"   [target < 1 s]; in the child: imports "
            f"{child['imports'] * 1e3:.0f} ms, make_app -> first paint "
            f"{child['make_app_to_paint'] * 1e3:.0f} ms"
        )
    tmux_startup()


def tmux_startup() -> None:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "start-server"], check=True)
    begun = time.perf_counter()
    command = "realtime-console --simulator --pace fast"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "48", command], check=True
    )
    painted = connected = None
    try:
        while time.perf_counter() - begun < 20:
            pane = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            now = time.perf_counter()
            if painted is None and "realtime-console" in pane:
                painted = now
            if re.search(r"(?<!dis)connected ", pane):
                connected = now
                break
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)

    def shown(t: float | None) -> str:
        return "not seen" if t is None else f"{(t - begun) * 1e3:.0f} ms"

    print(
        f"tmux `{command}` 160x48: first paint {shown(painted)}, "
        f"status 'connected' {shown(connected)}   [target start-up < 1 s]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--cap", type=int, default=5000)
    parser.add_argument("--record", action="store_true", help="also record to a JSONL file")
    parser.add_argument("--compare", type=float, default=500, help="second rate (0: none)")
    parser.add_argument(
        "--phase", default="all", choices=("all", "flood", "startup", "startup-child", "typing")
    )
    args = parser.parse_args()
    if args.phase == "startup-child":
        asyncio.run(startup_child())
        return
    if args.phase == "flood":
        asyncio.run(flood(args.rate, args.seconds, args.cap, args.record))
        return
    if args.phase in ("typing", "all"):
        # Keystrokes through a real terminal (tmux), idle and under 100 and 2,000 events/s.
        subprocess.run([sys.executable, str(BENCH / "typing_latency.py")], check=False)
        if args.phase == "typing":
            return
    if args.phase == "all":
        # One process per rate, so RSS and caches of one run do not carry into the next.
        for rate in [args.rate] + ([args.compare] if args.compare else []):
            flags = ["--record"] if args.record else []
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--phase",
                    "flood",
                    f"--rate={rate}",
                    f"--seconds={args.seconds}",
                    f"--cap={args.cap}",
                    *flags,
                ],
                check=False,
            )
    startup()


if __name__ == "__main__":
    main()
