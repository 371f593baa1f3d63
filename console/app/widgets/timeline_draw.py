"""Drawing one timeline row: its two lines of labels, lanes in half-block cells, and figures.

A cell holds two lanes, one in its upper half and one in its lower half: ``▀`` in the upper
lane's colour over a background of the lower lane's colour (``▄`` when only the lower one is
there), so each turn's two lines read as four stacked lanes:

- line 1: generation (upper) over audio (lower: heard, the cut in the cut colour, then what was
  not heard);
- line 2: the user's speech left of 0, then its transcription (upper) over tool calls (lower).

Where nothing is drawn, 0 shows as a thin axis line. A span past the chart's right end ends in
``»``, one that starts before its left end begins with ``«``. Everything is plain segments: no
markup is ever parsed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from console.inspector.timeline import Scale, Span, TurnLanes
from console.inspector.turn_summary import format_cost, format_ms
from console.inspector.turns import Turn

LABEL_WIDTH = 12
"""``▌ 12 speech`` and, on the second line, the turn's first tool call (wider on wide lines)."""
WIDE_LABEL_WIDTH = 20
WIDE = 140
"""From this many cells on, labels get ``WIDE_LABEL_WIDTH``: tool names read whole."""
FIGURES = ("created", "audio", "heard", "done")
"""Beside each row: ms from the trigger to created, first audio, first heard, done."""
FIGURE_WIDTH = 8
FIGURES_WIDTH = FIGURE_WIDTH * len(FIGURES)
LANES = ("generation", "audio", "cut", "unheard", "speech", "transcription", "tool")
AXIS = "│"


@dataclass(frozen=True)
class Palette:
    """The colours and styles a row is drawn with (from the widget's component classes)."""

    base: Style
    lanes: dict[str, Color | None]
    axis: Style
    label: Style
    marker: Style
    figure: Style
    unknown: Style
    status: Style
    running: Style
    past: Style


def label_width(width: int) -> int:
    """How many cells the labels get in a line ``width`` cells wide."""
    return WIDE_LABEL_WIDTH if width >= WIDE else LABEL_WIDTH


def chart_columns(width: int) -> int:
    """How many columns the chart gets in a line ``width`` cells wide."""
    return max(4, width - label_width(width) - FIGURES_WIDTH - 2)


def _paint(cells: list[str | None], scale: Scale, span: Span, kind: str) -> tuple[bool, bool]:
    """Fill the columns ``span`` covers with ``kind``; whether it ran off the left or right."""
    first, last = scale.cells(span)
    for column in range(max(0, first), min(len(cells), last + 1)):
        cells[column] = kind
    return first < 0, last >= len(cells)


def model_cells(lanes: TurnLanes, scale: Scale) -> tuple[list[str | None], list[str | None], bool]:
    """Line 1's upper (generation) and lower (audio) cells, and whether one runs past the end."""
    upper: list[str | None] = [None] * scale.columns
    lower: list[str | None] = [None] * scale.columns
    past = False
    if lanes.generation is not None:
        past |= _paint(upper, scale, lanes.generation, "generation")[1]
    audio = lanes.audio
    if audio is not None:
        cut = lanes.audio_cut_ms
        if cut is None or cut > audio.end:  # a cut at the very end still shows (WebRTC's clear)
            past |= _paint(lower, scale, audio, "audio")[1]
        else:
            cut = max(cut, audio.start)
            past |= _paint(lower, scale, Span(cut, audio.end), "unheard")[1]
            if cut > audio.start:
                _paint(lower, scale, Span(audio.start, cut), "audio")
            cut_column = scale.cells(Span(cut, cut))[0]
            if 0 <= cut_column < scale.columns:
                lower[cut_column] = "cut"
    return upper, lower, past


def user_cells(
    lanes: TurnLanes, scale: Scale
) -> tuple[list[str | None], list[str | None], bool, bool]:
    """Line 2's upper (speech, transcription) and lower (tool calls) cells, and whether a span
    starts before the chart or runs past its end."""
    upper: list[str | None] = [None] * scale.columns
    lower: list[str | None] = [None] * scale.columns
    before = past = False
    if lanes.speech is not None:
        # It ends where 0 begins: the column of 0 is the transcription's (or the axis).
        speech = Span(lanes.speech.start, -scale.ms_per_column / 2)
        before = _paint(upper, scale, speech, "speech")[0]
    if lanes.transcription is not None:
        past |= _paint(upper, scale, lanes.transcription, "transcription")[1]
    for tool in lanes.tools:
        past |= _paint(lower, scale, tool.span, "tool")[1]
    return upper, lower, before, past


def cell_segments(
    upper: list[str | None],
    lower: list[str | None],
    palette: Palette,
    base: Style,
    zero: int,
    *,
    before: bool = False,
    past: bool = False,
) -> list[Segment]:
    """The cells as segments (runs of one style merged)."""
    background = base.bgcolor
    colours = palette.lanes
    cells: list[tuple[str, Style]] = []
    for column, (up, down) in enumerate(zip(upper, lower, strict=True)):
        if up is not None:
            bg = colours[down] if down is not None else background
            cells.append(("▀", base + Style(color=colours[up], bgcolor=bg)))
        elif down is not None:
            cells.append(("▄", base + Style(color=colours[down], bgcolor=background)))
        elif column == zero:
            cells.append((AXIS, base + palette.axis))
        else:
            cells.append((" ", base))
    if past and cells:
        cells[-1] = ("»", base + palette.past)
    if before and cells:
        cells[0] = ("«", base + palette.past)
    return _merge(cells)


def _merge(cells: Iterable[tuple[str, Style]]) -> list[Segment]:
    segments: list[Segment] = []
    text, style = "", None
    for char, cell_style in cells:
        if cell_style == style:
            text += char
            continue
        if text:
            segments.append(Segment(text, style))
        text, style = char, cell_style
    if text:
        segments.append(Segment(text, style))
    return segments


def elide(text: str, room: int) -> str:
    """``text`` in ``room`` cells, its end replaced by ``…`` when it does not fit."""
    if len(text) <= room:
        return text
    return text[: max(0, room - 1)] + "…" if room > 0 else ""


def padded(
    text: str, width: int, style: Style, base: Style, *, right: bool = False
) -> list[Segment]:
    """``text`` in ``width`` cells with its padding a segment of its own (some SVG renderers
    misplace text that follows blanks in one element: the README's screenshots)."""
    gap = Segment(" " * max(0, width - len(text)), base)
    return [gap, Segment(text, style)] if right else [Segment(text, style), gap]


def label_segments(
    turn: Turn,
    line: int,
    calls: list[str],
    palette: Palette,
    base: Style,
    *,
    selected: bool,
    width: int,
) -> list[Segment]:
    """``▌ 12 speech`` (line 1) or ``  ⚙ get_weat…`` (line 2), ``width`` cells."""
    if line == 0:
        marker = Segment("▌" if selected else " ", base + palette.marker)
        text = elide(f"{turn.index:>3} {turn.trigger}", width - 1)
        return [marker, *padded(text, width - 1, base + palette.label, base)]
    text = ""
    if calls:
        text = f"⚙ {calls[0]}" + (f" +{len(calls) - 1}" if len(calls) > 1 else "")
    style = base + Style(color=palette.lanes["tool"])
    return [Segment("  ", base), *padded(elide(text, width - 3), width - 2, style, base)]


def figure_segments(turn: Turn, palette: Palette, base: Style) -> list[Segment]:
    """The four latencies, each right-aligned in ``FIGURE_WIDTH`` cells (``—`` unknown)."""
    segments = []
    for value in (turn.created_ms, turn.first_audio_ms, turn.first_heard_ms, turn.done_ms):
        style = base + (palette.unknown if value is None else palette.figure)
        segments += padded(format_ms(value), FIGURE_WIDTH, style, base, right=True)
    return segments


def outcome_segments(turn: Turn, palette: Palette, base: Style) -> list[Segment]:
    """Line 2's right side: ``running…``, or the status and reason when not completed, and
    the cost (``cost unknown`` when no price is known), ``FIGURES_WIDTH`` wide."""
    if not turn.is_done:
        return padded("running…", FIGURES_WIDTH, base + palette.running, base, right=True)
    cost = format_cost(turn.cost_usd)
    if turn.status == "completed":
        return padded(cost, FIGURES_WIDTH, base + palette.figure, base, right=True)
    status = str(turn.status) + (f" ({turn.reason})" if turn.reason else "")
    room = FIGURES_WIDTH - len(cost) - 1
    return [
        *padded(elide(status, room), room, base + palette.status, base, right=True),
        Segment(" ", base),
        Segment(cost, base + palette.figure),
    ]
