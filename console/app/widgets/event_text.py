"""The words and times of an events-list row: clock or offset times, and what a local row says.

Kept apart from the list widget (which draws and scrolls) so each reads on its own. The time
column has three modes, cycled by one key (``t``): local clock time, the time since the previous
row shown, and the time since the row's turn was triggered (``T+480 ms``; rows outside any turn
show the clock). One key cycling through three complete readings beats two toggles, whose fourth
combination would mean nothing, and the status line names the mode in use.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Literal

from console.inspector.event_refs import TurnTimes
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
"""The clock's width (``HH:MM:SS.mmm``); offsets are right-aligned in it."""


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
        """(the row's time, right-aligned in ``TIME_WIDTH``; the time of a folded row's last
        record, to follow ``…``, or "")."""
        first, last = row.first.time, row.last.time
        folded = row.count > 1
        if self.mode == "previous" and previous is not None:
            return (
                format_offset(first - previous.first.time).rjust(TIME_WIDTH),
                format_offset(last - first) if folded else "",
            )
        if self.mode == "turn":
            trigger = self.reference(row, previous)
            if trigger is not None:
                return (
                    format_offset(first - trigger, "T").rjust(TIME_WIDTH),
                    format_offset(last - trigger, "T") if folded else "",
                )
        return format_clock(first, self.tz), format_clock(last, self.tz) if folded else ""
