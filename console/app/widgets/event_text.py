"""An events-list row as drawn: its time (clock or offset), arrow, type, count and summary.

Kept apart from the list widget (which scrolls, follows and caches strips) so each reads on its
own. The time
column has three modes, cycled by one key (``t``): local clock time, the time since the previous
row shown, and the time since the row's turn was triggered (``T+480 ms``; rows outside any turn
show the clock). One key cycling through three complete readings beats two toggles, whose fourth
combination would mean nothing, and the status line names the mode in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Literal

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from console.inspector.event_refs import TurnTimes
from console.inspector.payloads import error_summary
from console.inspector.store import EventRow

ARROWS = {"client": "↑", "server": "↓", "local": "•"}
"""Who made an event: the client, the server, or the console itself (not on the wire)."""
TIMES = "\N{MULTIPLICATION SIGN}"
"""The multiplication sign before the count of a folded row (``x118`` with that sign)."""

TimeMode = Literal["clock", "previous", "turn"]
TIME_MODES: tuple[TimeMode, ...] = ("clock", "previous", "turn")
TIME_MODE_NAMES: dict[TimeMode, str] = {
    "clock": "clock time",
    "previous": "since the previous row",
    "turn": "since the turn's trigger",
}
"""What the toast says when the mode changes."""
TIME_MODE_LABELS: dict[TimeMode, str] = {"clock": "", "previous": "+prev", "turn": "T+"}
"""What the status line says beside "following" (nothing for the clock, the usual mode)."""
TIME_WIDTH = 12
"""The clock's width (``HH:MM:SS.mmm``); offsets are padded to it, left-aligned."""


def format_clock(epoch: float, tz: tzinfo | None = None) -> str:
    """``HH:MM:SS.mmm`` of ``epoch`` seconds in ``tz`` (local time when None)."""
    moment = datetime.fromtimestamp(epoch, tz)
    return f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"


def format_offset(seconds: float, prefix: str = "") -> str:
    """A signed duration that fits the clock's width: ``+480 ms``, ``+1.820 s``, ``+2m05.1s``,
    ``+3h07m`` (``prefix`` goes before the sign: ``T+480 ms``)."""
    sign = "-" if seconds < 0 else "+"
    value = abs(seconds)
    if round(value * 1000) < 1000:
        body = f"{value * 1000:.0f} ms"
    elif round(value, 3) < 60:
        body = f"{value:.3f} s"
    elif round(value, 1) < 3600:
        minutes, rest = divmod(round(value, 1), 60)
        body = f"{int(minutes)}m{rest:04.1f}s"
    else:
        hours, rest = divmod(round(value), 3600)
        body = f"{hours}h{rest // 60:02d}m"
    return f"{prefix}{sign}{body}"


def elide_middle(text: str, room: int) -> str:
    """``text`` in ``room`` characters, its middle replaced by ``…`` (the ends say the most)."""
    if len(text) <= room:
        return text
    if room < 8:
        return text[: max(0, room)]
    head = (room - 1) // 3
    return text[:head] + "…" + text[len(text) - (room - 1 - head) :]


def one_line(text: str) -> str:
    """``text`` on one line: control characters would break a strip."""
    return " ".join(text.split()) if not text.isprintable() else text


def local_summary(event: dict[str, Any]) -> str:
    """What a local row says beside its type: ``connected ws://…``, ``reconnected ws://…``,
    ``closed 1006 — the connection dropped …``; another local event's detail or item id."""
    state = str(event.get("state") or "")
    if event.get("type") == "local.connection" and state == "closed":
        code = event.get("code")
        head = f"closed {code}" if isinstance(code, int) and not isinstance(code, bool) else state
        # ``detail`` reads "closed (1006) — why" (connection.explain_close): keep the why.
        detail = str(event.get("detail") or "")
        _, dash, why = detail.partition(" — ")
        why = why if dash else str(event.get("reason") or "")
        return f"{head} — {why}" if why else head
    if event.get("type") == "local.connection" and state == "connected" and event.get("reconnect"):
        state = "reconnected"
    detail = event.get("detail") or event.get("endpoint") or event.get("item_id") or ""
    if event.get("call_id") and event.get("attached"):  # a sideband on someone's call
        detail = f"attached to call {event['call_id']} {detail}"
    elif event.get("call_id"):  # a WebRTC call: its id is what a sideband attaches to
        detail = f"WebRTC call {event['call_id']} {detail}"
    return f"{state} {detail}".strip()


class RowTimes:
    """The time column's text for a row, in the list's mode.

    ``reference(row, previous)`` is what, beside the row itself, the text depends on (the
    previous row's first record, the turn's trigger time): it goes into the row's strip key, so a
    row repaints when its text would change and never shows a stale one.
    """

    def __init__(self, tz: tzinfo | None, turn_times: TurnTimes | None) -> None:
        self.tz = tz
        self.turn_times = turn_times
        self.mode: TimeMode = "clock"

    @property
    def modes(self) -> tuple[TimeMode, ...]:
        """The modes on offer (since the trigger only when the list knows the turns)."""
        return TIME_MODES if self.turn_times is not None else TIME_MODES[:2]

    def cycle(self) -> TimeMode:
        """The next mode (after the last, the clock again)."""
        modes = self.modes
        self.mode = modes[(modes.index(self.mode) + 1) % len(modes)]
        return self.mode

    def reference(self, row: EventRow, previous: EventRow | None) -> float | int | None:
        if self.mode == "previous":
            return -1 if previous is None else previous.first.seq
        if self.mode == "turn" and self.turn_times is not None:
            return self.turn_times.trigger_at(row.first.event, row.first.time)
        return None

    def texts(self, row: EventRow, previous: EventRow | None) -> tuple[str, str]:
        """(the row's time, padded to ``TIME_WIDTH``; the time of a folded row's last
        record, to follow ``…``, or "")."""
        first, last = row.first.time, row.last.time
        folded = row.count > 1
        if self.mode == "previous" and previous is not None:
            return (
                format_offset(first - previous.first.time).ljust(TIME_WIDTH),
                format_offset(last - first) if folded else "",
            )
        if self.mode == "turn":
            trigger = self.reference(row, previous)
            if trigger is not None:
                return (
                    format_offset(first - trigger, "T").ljust(TIME_WIDTH),
                    format_offset(last - trigger, "T") if folded else "",
                )
        return format_clock(first, self.tz), format_clock(last, self.tz) if folded else ""


@dataclass(frozen=True)
class RowStyles:
    """The list's styles: its own, the cursor's, and each component's (by name: ``time``,
    ``client``, ``server``, ``local``, ``type``, ``count``, ``error``) without a background."""

    base: Style
    cursor: Style
    parts: dict[str, Style]


def row_styles(widget: Widget) -> RowStyles:
    """The styles of ``widget``'s ``event-list--*`` components."""

    def part(name: str) -> Style:
        # Colour and text style without the background (the row's wins). Full styles, not
        # partial ones: only full styles blend alpha colours ($text-muted).
        style = widget.get_component_rich_style(f"event-list--{name}")
        return Style.from_color(style.color) + style.without_color

    names = ("time", "client", "server", "local", "type", "count", "error")
    return RowStyles(
        widget.rich_style,
        widget.get_component_rich_style("event-list--cursor"),
        {name: part(name) for name in names},
    )


def row_strip(
    row: EventRow,
    previous: EventRow | None,
    width: int,
    styles: RowStyles,
    times: RowTimes,
    *,
    selected: bool,
) -> Strip:
    """One row, ``width`` cells: time, arrow, type, count (and last time), error or local text."""
    parts = styles.parts
    base = styles.cursor if selected else styles.base
    time_style = base if selected else base + parts["time"]
    source_style = base + parts.get(row.source, Style())
    error_style = base + parts["error"]
    type_style = error_style if row.is_error else base + parts["type"]
    gap = Segment(" ", base)
    clock, last_time = times.texts(row, previous)
    count = f" {TIMES}{row.count:,}" if row.count > 1 else ""
    last = f"  …{last_time}" if last_time else ""
    # The count matters more than the type's middle or the last time: fit it first.
    room = width - TIME_WIDTH - 3 - len(count)
    event_type = one_line(row.type)
    if len(event_type) + len(last) > room:
        last = ""
        event_type = elide_middle(event_type, room)
    segments = [
        Segment(clock, time_style),
        gap,
        # The arrow's colour and direction say who sent it (the filter buttons are the key);
        # the words "client"/"server" would cost the type column seven characters.
        Segment(ARROWS.get(row.source, "?"), source_style),
        gap,
        Segment(event_type, type_style),
    ]
    if count:
        segments += [Segment(count, base + parts["count"]), Segment(last, time_style)]
    if row.is_error:
        summary = error_summary(row.first.event)
        if summary:
            segments += [Segment("  ", base), Segment(one_line(summary), error_style)]
    elif row.source == "local":
        summary = local_summary(row.first.event)
        # A lost connection stands out as an error does: a replay shows where it dropped.
        style = error_style if row.first.event.get("lost") is True else source_style
        if summary:
            segments += [Segment("  ", base), Segment(one_line(summary), style)]
    return Strip(segments).crop_extend(0, width, base)
