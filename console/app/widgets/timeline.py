"""The timeline: every turn as a row of two lines on one time axis, drawn with the Line API.

It reads the ``TurnModel`` and the timeline geometry (``console.inspector.timeline``) and parses
no events. ``refresh_from_model`` is called on a timer by its screen: when ``TurnModel.version``
changed (a milestone: a turn created, its first audio, done, a call, a cut) it takes the turns
again, rescales and repaints what is on screen; otherwise it redraws only the rows still running
(their spans grow with the clock) and nothing else. Strips of finished rows are cached.

The first line is the axis (tick labels and the figures' names) and the last the legend; both
stay put while the rows scroll. The selection follows the newest turn until the user moves it;
moving back down to the newest (or End) follows again. Enter (or a double click) chooses the
selected turn: the screen then shows its events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.app.widgets.scrolling import set_virtual_size
from console.app.widgets.timeline_draw import (
    FIGURE_WIDTH,
    FIGURES,
    LANES,
    WIDE,
    Palette,
    cell_segments,
    chart_columns,
    figure_segments,
    label_segments,
    label_width,
    model_cells,
    outcome_segments,
    padded,
    user_cells,
)
from console.inspector.timeline import Scale, TurnLanes, choose_scale, turn_lanes
from console.inspector.turns import Turn, TurnModel

LEGEND = (
    ("▀", "generation", "generation"),
    ("▄", "audio", "audio"),
    ("▄", "cut", "cut"),
    ("▄", "unheard", "not heard"),
    ("▀", "speech", "speech"),
    ("▀", "transcription", "transcript"),
    ("▄", "tool", "tool"),
)
"""(glyph, lane, name) of the legend: the upper half-block for upper lanes, the lower for lower."""
LATEST_RECOMPUTED = 64
"""At a milestone, the newest turns' lanes are computed again (older ones changed long ago)."""


class TurnTimeline(ScrollView, can_focus=True):
    """One row per turn, each aligned at its trigger, one scale for all."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"timeline--{lane}" for lane in LANES),
        "timeline--axis",
        "timeline--label",
        "timeline--marker",
        "timeline--figure",
        "timeline--unknown",
        "timeline--status",
        "timeline--running",
        "timeline--past",
        "timeline--cursor",
        "timeline--header",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="timeline.cursor_up"),
        Binding("down", "cursor(1)", "Down", show=False, id="timeline.cursor_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.page_down"),
        Binding("home", "first", "First", show=False, id="timeline.first"),
        Binding("end", "follow", "Follow", id="timeline.follow"),
        Binding("enter", "choose", "Events of turn", id="timeline.choose"),
    ]

    class TurnChosen(Message):
        """The user chose a turn (Enter or a double click): show its events."""

        def __init__(self, response_id: str) -> None:
            super().__init__()
            self.response_id = response_id

    def __init__(
        self,
        turns: TurnModel,
        now: Callable[[], float | None],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``now``: the time running rows reach (the clock live, the last event in a replay)."""
        super().__init__(name=name, id=id, classes=classes)
        self.turns = turns
        self.now = now
        self._rows: list[Turn] = []
        self._where: dict[str, int] = {}
        self._lanes: dict[str, TurnLanes | None] = {}
        self._calls: dict[str, list[str]] = {}
        self._running_rows: set[int] = set()
        self._version = -1
        self.scale: Scale | None = None
        self._cursor: str | None = None
        self._following = True
        self._epoch = 0
        """Changes whenever every line must be drawn again (model, scale, width, theme)."""
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        self._palettes: dict[bool, Palette] = {}

    # -- what the screen and the tests read ----------------------------------------------------

    @property
    def rows(self) -> list[Turn]:
        """The turns shown, oldest first."""
        return list(self._rows)

    @property
    def following(self) -> bool:
        return self._following

    @property
    def cursor_turn(self) -> Turn | None:
        """The selected turn (the newest while following)."""
        if not self._rows:
            return None
        if self._following or self._cursor not in self._where:
            return self._rows[-1]
        return self._rows[self._where[self._cursor]]

    def lanes_of(self, turn: Turn) -> TurnLanes | None:
        return self._lanes.get(turn.response_id)

    # -- keeping up with the model --------------------------------------------------------------

    def refresh_from_model(self) -> bool:
        """Take in the model's milestones, or let the running rows grow; True on a milestone."""
        if self.turns.version != self._version:
            self._take_turns()
            return True
        self._grow_running()
        return False

    def _take_turns(self) -> None:
        model = self.turns
        self._version = model.version
        now = self.now()
        rows = model.all()
        lanes, calls = self._lanes, self._calls
        if len(rows) < len(self._rows) or (rows and self._rows and rows[0] is not self._rows[0]):
            kept = {turn.response_id for turn in rows}  # cleared, or the oldest were let go
            self._lanes = lanes = {key: value for key, value in lanes.items() if key in kept}
            self._calls = calls = {key: value for key, value in calls.items() if key in kept}
        for turn in rows[-LATEST_RECOMPUTED:]:
            found = model.calls(turn)
            lanes[turn.response_id] = turn_lanes(turn, found, now)
            calls[turn.response_id] = [call.name for call in found]
        for turn in rows[:-LATEST_RECOMPUTED]:
            if turn.response_id not in lanes:
                found = model.calls(turn)
                lanes[turn.response_id] = turn_lanes(turn, found, now)
                calls[turn.response_id] = [call.name for call in found]
        self._rows = rows
        self._where = {turn.response_id: index for index, turn in enumerate(rows)}
        self._running_rows = {
            index
            for index, turn in enumerate(rows)
            if (found_lanes := lanes.get(turn.response_id)) is not None and found_lanes.running
        }
        if self._cursor not in self._where:
            self._cursor, self._following = None, True
        self._rescale()
        set_virtual_size(self, Size(0, 2 * len(rows) + 2))
        if self._following:
            self.scroll_to(y=self.max_scroll_y, animate=False)
        self._repaint_all()

    def _grow_running(self) -> None:
        """Redraw the rows whose spans run to now (only those, and only when on screen)."""
        if not self._running_rows:
            return
        now = self.now()
        top = round(self.scroll_y)
        bottom = top + self._content_height()
        for index in self._running_rows:
            turn = self._rows[index]
            lanes = turn_lanes(turn, self.turns.calls(turn), now)
            if lanes != self._lanes.get(turn.response_id):
                self._lanes[turn.response_id] = lanes
                if top <= 2 * index + 1 and 2 * index < bottom:
                    self.refresh_lines(2 * index + 1, 2)

    def _rescale(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        known = [lanes for lanes in self._lanes.values() if lanes is not None]
        scale = choose_scale(known, chart_columns(width))
        if scale != self.scale:
            self.scale = scale

    def _repaint_all(self) -> None:
        self._epoch += 1
        self._strips.clear()
        self.refresh()

    # -- keys and mouse ----------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        turn = self.cursor_turn
        if turn is not None:
            self.select(self._where[turn.response_id] + delta)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self._content_height() // 2 - 1))

    def action_first(self) -> None:
        self.select(0)

    def action_follow(self) -> None:
        self._following, self._cursor = True, None
        self.scroll_to(y=self.max_scroll_y, animate=False)
        self._repaint_all()

    def action_choose(self) -> None:
        turn = self.cursor_turn
        if turn is not None:
            self.post_message(self.TurnChosen(turn.response_id))

    def select(self, index: int) -> None:
        """Select row ``index`` (clamped); the newest row means following again."""
        if not self._rows:
            return
        index = max(0, min(len(self._rows) - 1, index))
        self._following = index == len(self._rows) - 1
        self._cursor = None if self._following else self._rows[index].response_id
        top = round(self.scroll_y)
        height = self._content_height()
        if 2 * index < top:
            self.scroll_to(y=2 * index, animate=False)
        elif 2 * index + 2 > top + height:
            self.scroll_to(y=2 * index + 2 - height, animate=False)
        self._repaint_all()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 < offset.y < self.scrollable_content_region.height - 1:
            return
        index = (round(self.scroll_y) + offset.y - 1) // 2
        if index < len(self._rows):
            self.select(index)
            if event.chain >= 2:
                self.action_choose()

    def on_resize(self) -> None:
        self._rescale()
        if self._following:
            self.scroll_to(y=self.max_scroll_y, animate=False)
        self._repaint_all()

    def on_focus(self) -> None:
        self._palettes.clear()  # the cursor's colours depend on focus
        self._repaint_all()

    def on_blur(self) -> None:
        self._palettes.clear()
        self._repaint_all()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palettes.clear()
        self._repaint_all()

    # -- drawing -----------------------------------------------------------------------------

    def _content_height(self) -> int:
        """Lines for rows: the first is the axis, the last the legend."""
        return max(0, self.scrollable_content_region.height - 2)

    def _palette(self, selected: bool) -> Palette:
        palette = self._palettes.get(selected)
        if palette is None:
            style = self.get_component_rich_style

            def part(name: str) -> Style:  # colour and text style, not the background
                found = style(f"timeline--{name}")
                return Style.from_color(found.color) + found.without_color

            base = style("timeline--cursor") if selected else self.rich_style
            palette = self._palettes[selected] = Palette(
                base=base,
                lanes={lane: style(f"timeline--{lane}").color for lane in LANES},
                axis=part("axis"),
                label=part("label"),
                marker=part("marker"),
                figure=part("figure"),
                unknown=part("unknown"),
                status=part("status"),
                running=part("running"),
                past=part("past"),
            )
        return palette

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        if y == 0:
            return self._cached(("axis", width), lambda: self._axis_strip(width))
        if y == height - 1:
            return self._cached(("legend", width), lambda: self._legend_strip(width))
        line = round(self.scroll_y) + y - 1
        index, half = divmod(line, 2)
        if index >= len(self._rows) or self.scale is None:
            return Strip.blank(width, self.rich_style)
        turn = self._rows[index]
        selected = turn is self.cursor_turn
        if index in self._running_rows:  # grows with the clock: drawn afresh
            return self._row_strip(turn, half, width, selected)
        key = (turn.response_id, half, width, selected)
        return self._cached(key, lambda: self._row_strip(turn, half, width, selected))

    def _cached(self, key: tuple[object, ...], draw: Callable[[], Strip]) -> Strip:
        full = (*key, self._epoch, self.has_focus)
        strip = self._strips.get(full)
        if strip is None:
            strip = self._strips[full] = draw()
        return strip

    def _row_strip(self, turn: Turn, half: int, width: int, selected: bool) -> Strip:
        palette = self._palette(selected)
        base = palette.base
        scale = self.scale
        assert scale is not None
        calls = self._calls.get(turn.response_id, [])
        segments = label_segments(
            turn, half, calls, palette, base, selected=selected, width=label_width(width)
        )
        segments.append(Segment(" ", base))
        lanes = self._lanes.get(turn.response_id)
        if lanes is None:  # no times: nothing to place on the axis
            segments.append(Segment(" " * scale.columns, base))
        elif half == 0:
            upper, lower, past = model_cells(lanes, scale)
            segments += cell_segments(upper, lower, palette, base, scale.zero, past=past)
        else:
            upper, lower, before, past = user_cells(lanes, scale)
            segments += cell_segments(
                upper, lower, palette, base, scale.zero, before=before, past=past
            )
        segments.append(Segment(" ", base))
        if half == 0:
            segments += figure_segments(turn, palette, base)
        else:
            segments += outcome_segments(turn, palette, base)
        return Strip(segments).crop_extend(0, width, base)

    def _axis_strip(self, width: int) -> Strip:
        """Tick labels over the chart, the figures' names over theirs."""
        header = self.rich_style + self.get_component_rich_style("timeline--header")
        base = self.rich_style
        columns = chart_columns(width)
        segments = padded("  # trigger", label_width(width) + 1, header, base)
        at = 0
        for column, label in self.scale.ticks() if self.scale is not None else ():
            end = column + len(label)
            if column > at or (column == at == 0):
                if end > columns:
                    break
                segments += [Segment(" " * (column - at), base), Segment(label, header)]
                at = end
        segments.append(Segment(" " * (columns - at + 1), base))
        for name in FIGURES:
            segments += padded(name, FIGURE_WIDTH, header, base, right=True)
        return Strip(segments).crop_extend(0, width, base)

    def _legend_strip(self, width: int) -> Strip:
        """What each lane's colour means, and the scale (the longest form that fits)."""
        palette = self._palette(False)
        base = self.rich_style
        muted = base + palette.unknown
        indent = label_width(width) + 1 if width >= WIDE else 1
        segments = [Segment(" " * indent, base)]
        for glyph, lane, text in LEGEND:
            segments += [
                Segment(glyph, base + Style(color=palette.lanes[lane])),
                Segment(f" {text}", muted),
                Segment("  ", base),
            ]
        if self.scale is not None:
            step = self.scale.ms_per_column
            unit = f"{step:g} ms" if step < 1000 else f"{step / 1000:g} s"
            room = width - sum(segment.cell_length for segment in segments)
            for form in (
                f"0 = trigger · » past the scale · 1 column = {unit}",
                f"0 = trigger · 1 column = {unit}",
                f"1 col = {unit}",
            ):
                if len(form) <= room:
                    segments.append(Segment(form, muted))
                    break
        return Strip(segments).crop_extend(0, width, base)
