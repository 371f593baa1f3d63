"""``realtime-console report FILE.jsonl [--json | --csv] [--prices FILE.toml]``: a recording's
turns, their latencies and cost, printed for a post-mortem or a CI check, with no app.

The events go straight from the file into a ``TurnModel``, one at a time (none is kept, so an
hour-long recording takes the memory of its turns only), as the live console feeds it: each
with its recorded time, or ``None`` where the line has none (a bare log from another tool):
then every latency is unknown while counts, usage and cost still add up, and the output says
so (in the text; on stderr beside ``--json``/``--csv``, whose stdout stays machine-readable).
A file that cannot be read, or a prices file that cannot be used, is one line on stderr and
exit code 2.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.cli.parser import PROG

if TYPE_CHECKING:  # imported where used, so --help loads neither numpy nor the library
    from console.inspector.prices import PriceTable
    from console.inspector.recording import Entry
    from console.inspector.turns import TurnModel

UNTIMED = "timings unavailable: the events carry no times (a bare log)"
MAX_TURNS = 1_000_000
"""Turns a report keeps (all of them below a million: at least three events each)."""


@dataclass
class FileFacts:
    """What the report says about the file besides its turns."""

    events: int = 0
    dialect: str = "ga"
    skipped: list[tuple[int, str]] = field(default_factory=list)
    skipped_count: int = 0


def run_report(args: argparse.Namespace) -> int:
    """Print the report of ``args.file``; 0, or 2 when the recording or prices cannot be used."""
    from console.inspector.prices import PriceTable, PriceTableError
    from console.inspector.recording import RecordingError, RecordingReader

    # Reading makes no reference cycles: the collector would only walk the growing turns again
    # and again (a third of the time on an hour-long recording). It is back on afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        prices = PriceTable.default()
        if args.prices is not None:
            prices = prices.with_file(args.prices)
        reader = RecordingReader(args.file, max_events=None)
        turns = build_turns(reader, prices)
        if not reader.events:
            raise reader.no_event()
    except (PriceTableError, RecordingError) as exc:
        print(f"{PROG} report: {exc}", file=sys.stderr)
        return 2
    finally:
        if collecting:
            gc.enable()
    facts = FileFacts(reader.events, reader.dialect_guess, reader.skipped, reader.skipped_count)
    try:
        print_report(turns, facts, Path(args.file).name, _shape(args), sys.stdout, sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:  # ``report FILE | head``: the reader has what it wanted
        # Python flushes stdout again at exit: point it at nothing so that does not fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _shape(args: argparse.Namespace) -> str:
    return "json" if args.json else "csv" if args.csv else "text"


def build_turns(entries: Iterable[Entry], prices: PriceTable) -> TurnModel:
    """The turns of a recording's entries, fed in order; untimed ones with time ``None``."""
    from console.inspector.store import PlainEvent
    from console.inspector.turns import TurnModel

    turns = TurnModel(prices, cap=MAX_TURNS)
    observe = turns.observe
    for source, event, t in entries:
        observe(PlainEvent(source, event["type"], event, t))
    return turns


def print_report(
    turns: TurnModel, facts: FileFacts, name: str, shape: str, out: TextIO, err: TextIO
) -> None:
    """Write the report in ``shape`` (text, json or csv) to ``out``; notes (skipped lines, no
    times) go into the text, else to ``err``."""
    from console.inspector.turn_summary import report_csv, report_json, report_text

    notes = []
    if facts.skipped_count:
        line_no, reason = facts.skipped[0]
        plural = "line" if facts.skipped_count == 1 else "lines"
        notes.append(f"{facts.skipped_count} malformed {plural} skipped (line {line_no}: {reason})")
    if shape == "text":
        count = len(turns)
        out.write(
            f"{name}: {facts.events} events ({facts.dialect} dialect), "
            f"{count} {'turn' if count == 1 else 'turns'}"
            + (f", model {turns.model}" if turns.model else "")
            + "\n"
        )
        out.write("".join(f"note: {note}\n" for note in notes))
        out.write(report_text(turns))
        return
    if shape == "json":
        out.write(json.dumps(report_json(turns), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(report_csv(turns))
    if len(turns) and not any(turn.trigger_at is not None for turn in turns.all()):
        notes.append(UNTIMED)
    for note in notes:
        err.write(f"{PROG} report: {note}\n")
