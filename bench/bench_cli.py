"""Benchmark: how long ``realtime-console --help`` takes, and what the parser's imports cost.

The parser reads each default it shows from the part that defines it (the library, the store,
the relay, the simulator), so building it imports those parts (not the app, not Textual). This
prints the median wall time of ``python -m console.cli --help`` in fresh interpreters, and the
cumulative import time of each part the parser pulls in (``-X importtime``).

    python3 bench/bench_cli.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PARTS = (
    "console.cli.parser",
    "console.inspector.store",
    "console.realtime",
    "console.relay",
    "console.simulator",
    "textual",
)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def help_wall_times(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "console.cli", "--help"],
            check=True,
            capture_output=True,
            env=env(),
            cwd=REPO_ROOT,
        )
        times.append(time.perf_counter() - start)
    return times


def import_times() -> dict[str, float]:
    """Cumulative import time (ms) of each part, as the ``--help`` run imports them."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "console.cli", "--help"],
        check=True,
        capture_output=True,
        text=True,
        env=env(),
        cwd=REPO_ROOT,
    )
    found: dict[str, float] = {}
    for line in result.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] in PARTS:
            found[parts[2]] = int(parts[1]) / 1000
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    baseline = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=env(), cwd=REPO_ROOT)
        baseline.append(time.perf_counter() - start)
    times = help_wall_times(args.runs)
    print(f"python -c pass:         median {statistics.median(baseline) * 1000:6.0f} ms")
    print(
        f"realtime-console --help: median {statistics.median(times) * 1000:6.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {args.runs} runs)"
    )
    for name, ms in sorted(import_times().items(), key=lambda kv: -kv[1]):
        print(f"  import {name:<24} {ms:6.0f} ms cumulative")
    imported = import_times()
    print(f"  textual imported: {'yes' if 'textual' in imported else 'no'}")


if __name__ == "__main__":
    main()
