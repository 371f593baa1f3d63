"""The session summary under the timeline: latencies, the first-audio trend, tokens, cost, limits.

Two columns: on the left p50, p95 and max of each latency (``turn_summary.summarize``); on the
right the time-to-first-audio trend as a sparkline over the turns (oldest left), tokens by kind,
the total cost ("cost unknown" when a price is missing, never $0), the rate limits remaining from
the last ``rate_limits.updated`` and the turns by status. It is drawn again only when
``TurnModel.version`` changed (``refresh_from_model``); it parses no events. ``summarize`` walks
every kept turn (about 19 ms for 5,000, bench/bench_timeline.py), so after one it waits
``SPACING`` times as long before the next: a long session's milestones cost at most about 5% of a
core, and a short one's summary follows at once.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.widget import Widget

from console.inspector.turn_summary import (
    LATENCIES,
    LATENCY_NAMES,
    Summary,
    format_cost,
    format_ms,
    sparkline,
    summarize,
)
from console.inspector.turns import TurnModel

NAME_WIDTH = 16
FIGURE_WIDTH = 8
LEFT_WIDTH = NAME_WIDTH + 3 * FIGURE_WIDTH
"""The latency table: a name and three figures."""
LABEL = 12
"""The right column's labels."""
SPACING = 20
"""After a summary that took t, the next waits 20 t at least."""


def fitting(room: int, *forms: str) -> str:
    """The first of ``forms`` that fits ``room`` cells (else the last, cut by the line)."""
    return next((form for form in forms if len(form) <= room), forms[-1])


def describe_limits(limits: list[dict[str, object]]) -> str:
    """``requests 4,999/5,000 · tokens 39,500/40,000`` (what is left of each limit)."""
    parts = []
    for limit in limits:
        remaining, total = limit.get("remaining"), limit.get("limit")
        if isinstance(remaining, int | float) and isinstance(total, int | float):
            parts.append(f"{limit.get('name', '?')} {remaining:,.0f}/{total:,.0f}")
        elif isinstance(remaining, int | float):
            parts.append(f"{limit.get('name', '?')} {remaining:,.0f} left")
    return " · ".join(parts) or "—"


def describe_cost(summary: Summary) -> str:
    """The total cost, or "cost unknown" with what is known when a price is missing."""
    text = format_cost(summary.cost_usd)
    if summary.cost_usd is None and summary.cost_known_usd:
        text += f" (${summary.cost_known_usd:.4f} known, {summary.cost_unknown} without a price)"
    elif summary.cost_usd is None:
        text += f" ({summary.cost_unknown} without a price)"
    return text


class SessionSummary(Widget):
    """The figures across the session's turns, in two columns."""

    DEFAULT_CSS = "SessionSummary { height: 6; }"
    COMPONENT_CLASSES = {"summary--label", "summary--muted"}

    def __init__(
        self,
        turns: TurnModel,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.turns = turns
        self._version = turns.version
        self._next_at = 0.0
        self.summary: Summary = self._summarize()

    def _summarize(self) -> Summary:
        start = time.monotonic()
        summary = summarize(self.turns)
        took = time.monotonic() - start
        self._next_at = start + took * (SPACING + 1)
        return summary

    def refresh_from_model(self) -> bool:
        """Summarize again if the turns changed (and the last summary's spacing is over);
        True if it did."""
        if self.turns.version == self._version or time.monotonic() < self._next_at:
            return False
        self._version = self.turns.version
        self.summary = self._summarize()
        self.refresh()
        return True

    def latency_lines(self) -> list[Text]:
        label = self.get_component_rich_style("summary--label")
        muted = self.get_component_rich_style("summary--muted")
        summary = self.summary
        if not summary.turns:
            return [Text("no turns yet", style=muted)]
        if not summary.timed:
            return [Text("timings unavailable: the events carry no times", style=muted)]
        header = Text("from the trigger".ljust(NAME_WIDTH), style=label)
        for name in ("p50", "p95", "max"):
            header.append(" " * (FIGURE_WIDTH - len(name))).append(name, style=label)
        lines = [header]
        for name in LATENCIES:
            spread = summary.latencies[name]
            line = Text(LATENCY_NAMES[name].ljust(NAME_WIDTH), style=label)
            for value in (spread.p50, spread.p95, spread.max):
                text = format_ms(value)
                line.append(" " * (FIGURE_WIDTH - len(text)))  # apart: see timeline_draw.padded
                line.append(text, style=muted if value is None else "")
            lines.append(line)
        return lines

    def total_lines(self, width: int) -> list[Text]:
        label = self.get_component_rich_style("summary--label")
        summary = self.summary
        tokens = summary.tokens
        trend = sparkline(summary.first_audio_trend, max(0, width - LABEL - 1))
        statuses = " · ".join(f"{count} {status}" for status, count in summary.statuses.items())
        room = width - LABEL
        tin, tout = tokens["input"], tokens["output"]
        rows = [
            ("first audio", trend if trend.strip() else "—"),
            (
                "tokens in",
                fitting(
                    room,
                    f"{tin:,}: {tokens['input_text']:,} text · {tokens['input_audio']:,} audio · "
                    f"{tokens['input_image']:,} image · {tokens['input_cached']:,} cached",
                    f"{tin:,}: {tokens['input_text']:,} txt · {tokens['input_audio']:,} aud · "
                    f"{tokens['input_image']:,} img · {tokens['input_cached']:,} cached",
                ),
            ),
            (
                "tokens out",
                fitting(
                    room,
                    f"{tout:,}: {tokens['output_text']:,} text · "
                    f"{tokens['output_audio']:,} audio (total {tokens['total']:,})",
                    f"{tout:,}: {tokens['output_text']:,} txt · "
                    f"{tokens['output_audio']:,} aud (total {tokens['total']:,})",
                ),
            ),
            ("cost", describe_cost(summary)),
            ("rate limits", describe_limits(summary.rate_limits)),
            ("turns", f"{summary.turns}: {statuses}" if statuses else "0"),
        ]
        return [Text(name.ljust(LABEL), style=label).append(value) for name, value in rows]

    def render(self) -> Text:
        width = self.size.width
        right_width = max(0, width - LEFT_WIDTH - 2)
        left, right = self.latency_lines(), self.total_lines(right_width)
        out = Text(no_wrap=True, overflow="ellipsis")
        for number in range(max(len(left), len(right))):
            if number:
                out.append("\n")
            line = left[number].copy() if number < len(left) else Text()
            line.truncate(LEFT_WIDTH, pad=True)
            line.append("  ")
            if number < len(right):
                piece = right[number].copy()
                piece.truncate(right_width, overflow="ellipsis")
                line.append_text(piece)
            out.append_text(line)
        return out
