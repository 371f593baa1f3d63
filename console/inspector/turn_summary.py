"""A session's figures across turns: latency percentiles, the first-audio trend, tokens, cost.

``summarize`` reads a ``TurnModel`` (live or rebuilt from a recording) and returns plain data;
``report_json`` is the documented ``realtime-console report --json`` shape (a contract: keys are
only ever added), ``report_csv`` one row per turn, ``report_text`` the table a person reads.
Percentiles are nearest-rank over the turns that have the figure.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .tool_calls import ToolCall
from .turns import Turn, TurnModel

LATENCIES = ("created_ms", "first_text_ms", "first_audio_ms", "first_heard_ms", "done_ms")
"""The figures measured from each turn's trigger, in the order a turn goes through them."""
LATENCY_NAMES = {
    "created_ms": "response created",
    "first_text_ms": "first text",
    "first_audio_ms": "first audio",
    "first_heard_ms": "first heard",
    "done_ms": "done",
}
SPARK = "▁▂▃▄▅▆▇█"
TOKEN_KINDS = (
    "input_text",
    "input_audio",
    "input_image",
    "input_cached",
    "output_text",
    "output_audio",
)


@dataclass(frozen=True)
class Spread:
    """p50, p95 and max of one figure over the turns that have it."""

    count: int = 0
    p50: float | None = None
    p95: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Spread:
        known = sorted(value for value in values if value is not None)
        if not known:
            return cls()

        def rank(q: float) -> float:
            return known[max(0, math.ceil(q * len(known)) - 1)]

        return cls(len(known), rank(0.5), rank(0.95), known[-1])

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "p50": _ms(self.p50),
            "p95": _ms(self.p95),
            "max": _ms(self.max),
        }


@dataclass(frozen=True)
class Summary:
    """What a session summary shows."""

    turns: int
    statuses: dict[str, int]
    latencies: dict[str, Spread]
    first_audio_trend: list[float | None]
    tokens: dict[str, int]
    cost_usd: float | None
    """All responses and transcriptions; ``None`` when any of them has no known price."""
    cost_known_usd: float
    cost_unknown: int
    """Responses and transcriptions whose cost is unknown."""
    rate_limits: list[dict[str, Any]] = field(default_factory=list)
    timed: bool = True
    """False when the events had no times (a bare log): no latency can be known."""
    transcription_cost_usd: float = 0.0
    """The known part of the cost that is input transcription (already in the totals)."""


def _count(mapping: Any, key: str) -> int:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def turn_tokens(usage: Mapping[str, Any] | None) -> dict[str, int]:
    """Tokens by kind from one ``response.done`` usage (missing kinds count 0)."""
    details = (usage or {}).get("input_token_details")
    out = (usage or {}).get("output_token_details")
    return {
        "input_text": _count(details, "text_tokens"),
        "input_audio": _count(details, "audio_tokens"),
        "input_image": _count(details, "image_tokens"),
        "input_cached": _count(details, "cached_tokens"),
        "output_text": _count(out, "text_tokens"),
        "output_audio": _count(out, "audio_tokens"),
        "input": _count(usage, "input_tokens"),
        "output": _count(usage, "output_tokens"),
        "total": _count(usage, "total_tokens"),
    }


def summarize(model: TurnModel) -> Summary:
    """The figures across every kept turn."""
    turns = model.all()
    statuses: dict[str, int] = {}
    tokens = dict.fromkeys((*TOKEN_KINDS, "input", "output", "total"), 0)
    known, unknown = model.transcription_cost_usd, model.transcription_cost_unknown
    for turn in turns:
        status = turn.status or "in_progress"
        statuses[status] = statuses.get(status, 0) + 1
        for kind, count in turn_tokens(turn.usage).items():
            tokens[kind] += count
        if turn.cost_usd is not None:
            known += turn.cost_usd
        elif turn.is_done:
            unknown += 1
    return Summary(
        turns=len(turns),
        statuses=statuses,
        latencies={name: Spread.of(getattr(turn, name) for turn in turns) for name in LATENCIES},
        first_audio_trend=[turn.first_audio_ms for turn in turns],
        tokens=tokens,
        cost_usd=None if unknown else known,
        cost_known_usd=known,
        cost_unknown=unknown,
        rate_limits=list(model.rate_limits),
        timed=any(turn.trigger_at is not None for turn in turns) or not turns,
        transcription_cost_usd=model.transcription_cost_usd,
    )


def sparkline(values: Sequence[float | None], width: int) -> str:
    """The last ``width`` values as block characters (a gap for unknown ones)."""
    shown = list(values)[-width:] if width > 0 else []
    known = [value for value in shown if value is not None]
    if not known:
        return " " * len(shown)
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    return "".join(
        " " if value is None else SPARK[min(7, int((value - low) / span * 7.999))]
        for value in shown
    )


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def turn_json(turn: Turn, calls: Sequence[ToolCall] = ()) -> dict[str, Any]:
    """One turn in the ``report --json`` shape (``calls``: its function calls)."""
    return {
        "index": turn.index,
        "response_id": turn.response_id,
        "trigger": turn.trigger,
        "status": turn.status,
        "reason": turn.reason,
        **{name: _ms(getattr(turn, name)) for name in LATENCIES},
        "transcribed_ms": _ms(turn.transcribed_ms),
        "audio_ms": _ms(turn.audio_ms),
        "heard_ms": _ms(turn.heard_ms),
        "truncated_ms": turn.truncated_ms,
        "tool_calls": [
            {"name": call.name, "call_id": call.call_id, "handler_ms": _ms(call.handler_ms)}
            for call in calls
        ],
        "usage": turn.usage,
        "model": turn.model,
        "cost_usd": turn.cost_usd,
    }


def report_json(model: TurnModel) -> dict[str, Any]:
    """``{"turns": [...], "summary": {...}}``: the documented ``report --json`` contract."""
    summary = summarize(model)
    return {
        "turns": [turn_json(turn, model.calls(turn)) for turn in model.all()],
        "summary": {
            "turns": summary.turns,
            "timed": summary.timed,
            "statuses": summary.statuses,
            **{name: spread.as_dict() for name, spread in summary.latencies.items()},
            "tokens": summary.tokens,
            "cost_usd": summary.cost_usd,
            "cost_known_usd": summary.cost_known_usd,
            "cost_unknown": summary.cost_unknown,
            "transcription_cost_usd": summary.transcription_cost_usd,
            "rate_limits": summary.rate_limits,
        },
    }


CSV_COLUMNS = (
    "index",
    "response_id",
    "trigger",
    "status",
    "reason",
    *LATENCIES,
    "transcribed_ms",
    "audio_ms",
    "heard_ms",
    "truncated_ms",
    "tool_calls",
    *TOKEN_KINDS,
    "cost_usd",
)


def report_csv(model: TurnModel) -> str:
    """One row per turn (empty cells for what is unknown)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for turn in model.all():
        row = turn_json(turn, model.calls(turn))
        row["tool_calls"] = " ".join(call["name"] for call in row["tool_calls"])
        row.update({kind: count for kind, count in turn_tokens(turn.usage).items()})
        writer.writerow("" if row.get(column) is None else row[column] for column in CSV_COLUMNS)
    return out.getvalue()


def format_ms(value: float | None) -> str:
    """``840 ms`` / ``2.31 s`` / ``—``."""
    if value is None:
        return "—"
    return f"{value:.0f} ms" if abs(value) < 1000 else f"{value / 1000:.2f} s"


def format_cost(value: float | None) -> str:
    return "cost unknown" if value is None else f"${value:.4f}"


def report_text(model: TurnModel) -> str:
    """The turn table and the session summary, for a terminal."""
    summary = summarize(model)
    header = ("#", "trigger", "status", "created", "1st text", "1st audio", "heard", "done", "cost")
    rows: list[tuple[str, ...]] = [header]
    for turn in model.all():
        status = turn.status or "…"
        if turn.reason and status != "completed":
            status = f"{status} ({turn.reason})"
        rows.append(
            (
                str(turn.index),
                turn.trigger,
                status,
                *(format_ms(getattr(turn, name)) for name in LATENCIES),
                format_cost(turn.cost_usd),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.append("")
    if not summary.timed:
        lines.append("timings unavailable: the events carry no times (a bare log)")
    for name, spread in summary.latencies.items():
        if spread.count:
            lines.append(
                f"{LATENCY_NAMES[name]:>16}: p50 {format_ms(spread.p50)}, "
                f"p95 {format_ms(spread.p95)}, max {format_ms(spread.max)} "
                f"({spread.count} {'turn' if spread.count == 1 else 'turns'})"
            )
    trend = sparkline(summary.first_audio_trend, 60)
    if trend.strip():
        lines.append(f"{'first audio trend':>16}: {trend}")
    tokens = summary.tokens
    lines.append(
        f"{'tokens':>16}: {tokens['input']} in ({tokens['input_text']} text, "
        f"{tokens['input_audio']} audio, {tokens['input_image']} image, "
        f"{tokens['input_cached']} cached), {tokens['output']} out "
        f"({tokens['output_text']} text, {tokens['output_audio']} audio)"
    )
    cost = format_cost(summary.cost_usd)
    if summary.cost_usd is None and summary.cost_known_usd:
        cost += (
            f" (${summary.cost_known_usd:.4f} known; {summary.cost_unknown} "
            "without a price or a usage)"
        )
    if summary.transcription_cost_usd:
        cost += f" (transcription ${summary.transcription_cost_usd:.4f})"
    lines.append(f"{'cost':>16}: {cost}")
    return "\n".join(lines) + "\n"
