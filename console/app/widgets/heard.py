"""What the server heard of a user's audio item, beside what was sent (the item detail shows it).

Two lines of figures (``Audit.lines``) and a two-row level strip on one timeline: ``sent`` and
``heard``, one block per column by RMS level, a gap where a clip has no audio (the server's
audio placed at its offset in what was sent, so a clipped start or end shows as a gap). The
widget renders from the inspector's audit and redraws only when the audits' version moves
(checked four times a second while the screen is open).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

from console.inspector.retrieve import Audit, RetrieveAudits

BLOCKS = "▁▂▃▄▅▆▇█"
LOW_DBFS, HIGH_DBFS = -70.0, -10.0
"""The strip's range: quieter is the lowest block, louder the highest."""
HINT = "r retrieves what the server kept of this audio · h plays it"


def level_row(levels: list[float | None]) -> str:
    """One block per column (a space where there is no audio)."""
    out = []
    for level in levels:
        if level is None:
            out.append(" ")
            continue
        fraction = (min(max(level, LOW_DBFS), HIGH_DBFS) - LOW_DBFS) / (HIGH_DBFS - LOW_DBFS)
        out.append(BLOCKS[round(fraction * (len(BLOCKS) - 1))])
    return "".join(out)


def heard_text(audit: Audit | None) -> Text:
    """The panel's text for an item's audit (or the hint before any retrieve)."""
    text = Text("What the server heard", style="bold")
    if audit is None:
        text.append(f"\n{HINT}", style="dim")
        return text
    for line in audit.lines():
        text.append("\n" + line, style="red" if audit.state == "failed" else "")
    sent, heard = audit.strip
    if audit.state == "done" and sent and heard:
        text.append("\nsent  ▕", style="dim")
        text.append(level_row(sent), style="cyan")
        text.append("▏\nheard ▕", style="dim")
        text.append(level_row(heard), style="green")
        text.append("▏", style="dim")
    text.append(f"\n{HINT}", style="dim")
    return text


class HeardPanel(Widget):
    """The retrieve comparison of one item, redrawn when its audit changes."""

    DEFAULT_CSS = """
    HeardPanel { height: auto; padding: 0 1; border-top: solid $accent; }
    """

    def __init__(
        self,
        item_id: str,
        audits: RetrieveAudits,
        clock: Callable[[], float],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.item_id = item_id
        self.audits = audits
        self.clock = clock
        self._seen = (-1, "")

    def on_mount(self) -> None:
        self.set_interval(0.25, self._check)

    def _check(self) -> None:
        audit = self.audits.get(self.item_id, self.clock())  # a late answer becomes "failed"
        seen = (self.audits.version, audit.state if audit is not None else "")
        if seen != self._seen:
            self._seen = seen
            self.refresh(layout=True)

    def render(self) -> Text:
        return heard_text(self.audits.get(self.item_id))
