"""Keystroke latency of the installed console in a real terminal (tmux), under an event stream.

The console (``realtime-console --url … --no-audio``) runs in a tmux pane (160x48 by default)
connected to ``bench/flood_server.py``, which streams ``rate`` server events a second (0: idle).
This script is a tmux *control-mode* client (``tmux -C``, with ``%output`` notifications off):
tmux answers its ``send-keys`` and ``capture-pane`` on one pipe, with no process spawned per
sample. Every ``period`` it types ``x`` into the input line, reads that line back every
millisecond until it shows the ``x``, and deletes it: a keystroke's latency is from
``send-keys`` until the screen tmux keeps shows the key, which is what a user sees.

The console runs through a small wrapper that logs its garbage collections (generation and
pause) to a file, printed beside the latencies: long gen-2 pauses are what make typing hitch.

    python3 bench/typing_latency.py [--rates 0,100,2000] [--seconds 10] [--size 160x48]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TYPING_STARTED = [0.0]
POLL_S = 0.001
"""Between two reads of the input line (each a tmux command of well under a millisecond)."""
PROMPT_HINT = "Enter sends"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Reply:
    lines: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


class TmuxControl:
    """One ``tmux -C`` session running ``command``; output times and command replies."""

    def __init__(self, command: str, width: int, height: int) -> None:
        self.process = subprocess.Popen(
            ["tmux", "-C", "new-session", "-x", str(width), "-y", str(height), command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",  # %output escapes bytes one by one: a character may be split
            bufsize=1,
        )
        self.last_output = 0.0
        self.outputs: queue.SimpleQueue[float] = queue.SimpleQueue()
        self._replies: queue.SimpleQueue[Reply] = queue.SimpleQueue()
        self._current: Reply | None = None
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip("\n")
            if line.startswith("%output "):
                now = time.perf_counter()
                self.last_output = now
                self.outputs.put(now)
            elif line.startswith("%begin "):
                try:
                    self._current = self._replies.get_nowait()
                except queue.Empty:  # the reply to new-session itself
                    self._current = Reply()
            elif line.startswith(("%end ", "%error ")) and self._current is not None:
                self._current.done.set()
                self._current = None
            elif self._current is not None:
                self._current.lines.append(line)

    def command(self, text: str, timeout: float = 5.0) -> list[str]:
        """Run one tmux command; its output lines."""
        reply = Reply()
        with self._lock:
            assert self.process.stdin is not None
            self._replies.put(reply)
            self.process.stdin.write(text + "\n")
            self.process.stdin.flush()
        if not reply.done.wait(timeout):
            raise TimeoutError(f"tmux did not answer {text!r}")
        return reply.lines

    def capture(self) -> list[str]:
        return self.command("capture-pane -p")

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, BrokenPipeError, OSError):
            self.command("kill-session", timeout=2)
        self.process.kill()
        self.process.wait()


def wait_for(tmux: TmuxControl, check: str, timeout: float) -> list[str]:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        pane = tmux.capture()
        if any(check in line for line in pane):
            return pane
        time.sleep(0.05)
    raise TimeoutError(f"{check!r} never appeared")


def console_with_gc_log(log: str, argv: list[str]) -> int:
    """Run ``realtime-console argv`` (the installed package), logging each collection."""
    import atexit
    import gc

    from console.cli import main as console_main

    pauses: list[tuple[int, float, float]] = []
    started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            now = time.perf_counter()  # CLOCK_MONOTONIC: the bench's clock too
            pauses.append((info["generation"], started[0], now - started[0]))

    def write() -> None:
        Path(log).write_text(json.dumps(pauses))

    atexit.register(write)
    gc.callbacks.append(on_gc)
    return console_main(argv)


def gc_summary(log: Path, since: float) -> str:
    """The collections while keys were typed (``since``: the first key, perf_counter)."""
    try:
        pauses = [(g, d) for g, at, d in json.loads(log.read_text()) if at >= since]
    except (OSError, ValueError):
        return "gc: no log"
    gen2 = [d * 1e3 for g, d in pauses if g == 2]
    longest = max((d for _, d in pauses), default=0.0) * 1e3
    return (
        f"gc while typing: {len(pauses)} collections, {len(gen2)} of gen 2 "
        f"(max {max(gen2, default=0):.0f} ms), longest of any {longest:.0f} ms"
    )


def measure(
    rate: float, seconds: float, width: int, height: int, period: float, gc_log: Path
) -> list[float]:
    """Keystroke latencies (s) while the flood server streams ``rate`` events/s."""
    server = subprocess.Popen(
        [
            sys.executable,
            str(BENCH / "flood_server.py"),
            f"--rate={rate}",
            f"--seconds={seconds + 15}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its handler's traceback when the console is killed
        text=True,
    )
    assert server.stdout is not None
    port = int(server.stdout.readline().split()[1])
    url = f"ws://127.0.0.1:{port}/v1/realtime"
    # The console of the tree this script is in (PYTHONPATH: tmux passes its own environment).
    console = (
        f"env PYTHONPATH={BENCH.parent} {sys.executable} {__file__} "
        f"--console-gc-log {gc_log} --url {url} --no-audio"
    )
    tmux = TmuxControl(console, width, height)
    latencies: list[float] = []
    try:
        # No %output notifications: under a stream they flood the control channel, and the
        # replies to capture-pane would queue behind them (the latency would be ours).
        tmux.command("refresh-client -f no-output")
        pane = wait_for(tmux, PROMPT_HINT, 20)
        row = next(i for i, line in enumerate(pane) if PROMPT_HINT in line)
        wait_for(tmux, " connected ", 20)
        TYPING_STARTED[0] = time.perf_counter()
        first = type_one(tmux, row, period)  # the first key warms caches up: told apart
        latencies.append(float("nan") if first is None else first)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            latency = type_one(tmux, row, period)
            if latency is not None:
                latencies.append(latency)
    finally:
        with contextlib.suppress(TimeoutError, BrokenPipeError, OSError):
            tmux.command("send-keys C-q")  # quit, so the wrapper writes its log
            tmux.process.wait(5)
        tmux.close()
        server.kill()
        server.wait()
    return latencies


def type_one(tmux: TmuxControl, row: int, period: float) -> float | None:
    """Type ``x``, poll the input line until it shows it, delete it; the latency or None."""
    started = time.perf_counter()
    tmux.command("send-keys x")
    pressed = started
    shown: float | None = None
    line = f"capture-pane -p -S {row} -E {row}"
    while time.perf_counter() - started < 2.0:
        captured = tmux.command(line)
        if captured and "x" in captured[0]:
            shown = time.perf_counter()
            break
        time.sleep(POLL_S)
    tmux.command("send-keys BSpace")
    rest = period - (time.perf_counter() - started)
    if rest > 0:
        time.sleep(rest)
    return None if shown is None else shown - pressed


def main() -> None:
    if sys.argv[1:2] == ["--console-gc-log"]:
        sys.exit(console_with_gc_log(sys.argv[2], sys.argv[3:]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0,100,2000", help="events/s to stream, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", default="160x48")
    parser.add_argument("--period", type=float, default=0.1, help="seconds between keystrokes")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    print(f"== keystroke -> screen in tmux {width}x{height}, {args.seconds:g} s per stream ==")
    results = {}
    for rate in (float(r) for r in args.rates.split(",")):
        gc_log = Path(tempfile.mkdtemp(prefix="typing-")) / "gc.json"
        values = measure(rate, args.seconds, width, height, args.period, gc_log)
        first_key, ms = values[0] * 1e3, [v * 1e3 for v in values[1:]]
        label = "idle" if rate == 0 else f"{rate:g} events/s"
        results[label] = {
            "keys": len(ms),
            "p50": round(pct(ms, 0.5), 1),
            "p99": round(pct(ms, 0.99), 1),
            "max": round(max(ms, default=float("nan")), 1),
            "first_key": round(first_key, 1),
        }
        r = results[label]
        worst = sorted(range(len(ms)), key=lambda i: ms[i])[-4:]
        r["worst"] = [f"#{i}: {ms[i]:.0f} ms" for i in sorted(worst)]
        print(
            f"{label:>16}: p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  max {r['max']:6.1f} ms"
            f"  ({r['keys']} keys; the first {r['first_key']:.0f} ms)"
            f"  {gc_summary(gc_log, TYPING_STARTED[0])}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
