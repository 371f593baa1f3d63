"""``realtime-console report FILE.jsonl [--json | --csv] [--prices FILE.toml]``: a recording's
turns, their latencies and cost, printed for a post-mortem or a CI check, with no app.

The events go straight into a ``TurnModel``, as the live console feeds it, each with its
recorded time, or ``None`` where the line has none (a bare log from another tool): then every
latency is unknown while counts, usage and cost still add up, and the output says so (in the
text; on stderr beside ``--json``/``--csv``, whose stdout stays machine-readable). A file that
cannot be read, or a prices file that cannot be used, is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.cli.parser import PROG

if TYPE_CHECKING:  # imported where used, so --help loads neither numpy nor the library
    from console.inspector.prices import PriceTable
    from console.inspector.recording import Recording
    from console.inspector.turns import TurnModel

UNTIMED = "timings unavailable: the events carry no times (a bare log)"


def run_report(args: argparse.Namespace) -> int:
    """Print the report of ``args.file``; 0, or 2 when the recording or prices cannot be used."""
    from console.inspector.prices import PriceTable, PriceTableError
    from console.inspector.recording import RecordingError, load_recording

    try:
        prices = PriceTable.default()
        if args.prices is not None:
            prices = prices.with_file(args.prices)
        recording = load_recording(args.file)
    except (PriceTableError, RecordingError) as exc:
        print(f"{PROG} report: {exc}", file=sys.stderr)
        return 2
    print_report(recording, prices, Path(args.file).name, _shape(args), sys.stdout, sys.stderr)
    return 0


def _shape(args: argparse.Namespace) -> str:
    return "json" if args.json else "csv" if args.csv else "text"


def print_report(
    recording: Recording,
    prices: PriceTable,
    name: str,
    shape: str,
    out: TextIO,
    err: TextIO,
) -> None:
    """Write the report of ``recording`` in ``shape`` (text, json or csv) to ``out``; notes
    (skipped lines, no times) go into the text, else to ``err``."""
    from console.inspector.turn_summary import report_csv, report_json, report_text

    turns = build_turns(recording, prices)
    notes = []
    if recording.skipped_count:
        line_no, reason = recording.skipped[0]
        plural = "line" if recording.skipped_count == 1 else "lines"
        notes.append(
            f"{recording.skipped_count} malformed {plural} skipped (line {line_no}: {reason})"
        )
    if shape == "json":
        out.write(json.dumps(report_json(turns), indent=2, ensure_ascii=False) + "\n")
    elif shape == "csv":
        out.write(report_csv(turns))
    else:
        count = len(turns)
        out.write(
            f"{name}: {len(recording.entries)} events ({recording.dialect_guess} dialect), "
            f"{count} {'turn' if count == 1 else 'turns'}"
            + (f", model {turns.model}" if turns.model else "")
            + "\n"
        )
        out.write("".join(f"note: {note}\n" for note in notes))
        out.write(report_text(turns))
        return
    if len(turns) and not any(turn.trigger_at is not None for turn in turns.all()):
        notes.append(UNTIMED)
    for note in notes:
        err.write(f"{PROG} report: {note}\n")


def build_turns(recording: Recording, prices: PriceTable) -> TurnModel:
    """The turns of ``recording``: every entry fed in order, untimed ones with ``None``.

    The model keeps every turn of the file (its cap is the number of entries), so the summary
    covers the whole session however long.
    """
    from console.inspector.store import PlainEvent
    from console.inspector.turns import TurnModel

    turns = TurnModel(prices, cap=max(1, len(recording.entries)))
    observe = turns.observe
    for source, event, t in recording.entries:
        observe(PlainEvent(source, event["type"], event, t))
    return turns
