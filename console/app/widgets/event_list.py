"""The events list: one line per ``EventRow`` of an ``EventView``, drawn with the Line API.

Thousands of rows arrive per second, so nothing here is per event: the pane calls
``refresh_from_store`` from a timer, the view syncs incrementally, ``virtual_size`` changes once
per batch, and only the visible lines whose key (``StripKey``: the row, its count, width, cursor,
focus and what its time text reads) changed are repainted (a folded row repaints when its count
grows, every row when the time mode changes); strips are cached by that key.
Follow mode keeps the newest row in view and under the cursor until the user scrolls up or moves
the cursor; ``end`` (or ``follow``) resumes it. Event text is drawn as plain segments, never
parsed as markup.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.app.widgets.event_text import (
    ARROWS,
    TIMES,
    RowStyles,
    RowTimes,
    TimeMode,
    elide_middle,
    format_clock,
    row_strip,
    row_styles,
)
from console.app.widgets.scrolling import set_virtual_size
from console.inspector.event_refs import TurnTimes
from console.inspector.store import EventFilter, EventRecord, EventRow, EventStore, EventView

if TYPE_CHECKING:  # not imported at run time: the turn model imports the library (numpy)
    from console.inspector.turns import TurnModel

__all__ = ["ARROWS", "TIMES", "EventList", "elide_middle", "format_clock"]

StripKey = tuple[int, int, int, int, int, bool, bool, str, float | int | None]
"""(row_id, count, first seq, last seq, width, selected, focused, time mode, time reference):
what a row's strip depends on (``RowTimes.reference`` says what the time text reads)."""


def _row_key(row: EventRow) -> int:
    return row.row_id


class EventList(ScrollView, can_focus=True):
    """The rows of an ``EventView``, with a cursor and follow mode."""

    COMPONENT_CLASSES = {
        "event-list--time",
        "event-list--client",
        "event-list--server",
        "event-list--local",
        "event-list--type",
        "event-list--count",
        "event-list--error",
        "event-list--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="events.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="events.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="events.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="events.page_down"),
        Binding("home", "first", "First", show=False, id="events.first"),
        Binding("end", "last", "Last (follow)", show=False, id="events.last"),
    ]

    class FollowChanged(Message):
        """Follow mode was turned on or off (by the user or by ``follow``)."""

        def __init__(self, event_list: EventList, following: bool) -> None:
            super().__init__()
            self.event_list = event_list
            self.following = following

    class RowActivated(Message):
        """A row was double-clicked: the pane opens its detail."""

        def __init__(self, event_list: EventList, row: EventRow) -> None:
            super().__init__()
            self.event_list = event_list
            self.row = row

    def __init__(
        self,
        store: EventStore,
        *,
        tz: tzinfo | None = None,
        turns: TurnModel | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``turns`` (the inspector's) offers times since each turn's trigger."""
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.tz = tz
        self.times = RowTimes(tz, None if turns is None else TurnTimes(turns))
        self._view = EventView(store)
        self._generation = store.generation
        # A few screens of rows: each Strip holds six caches of its own (about 15 objects the
        # collector walks), and a row is cheap to draw again.
        self._strips: LRUCache[StripKey, Strip] = LRUCache(256)
        self._following = True
        self._cursor_id: int | None = None
        self._pause_row_id = -1
        self._adjusting = False
        self._styles: RowStyles | None = None
        self._painted: dict[int, StripKey | None] = {}
        """What each screen line shows now, by y: lines whose key changes are repainted."""

    # What the pane reads.

    @property
    def rows(self) -> list[EventRow]:
        """The rows shown, oldest first (a copy: for tests and exports, not hot paths)."""
        return list(self._view.rows)

    @property
    def row_count(self) -> int:
        return len(self._view.rows)

    @property
    def event_filter(self) -> EventFilter:
        return self._view.filter

    @property
    def time_mode(self) -> TimeMode:
        """What the time column shows: ``clock``, ``previous`` (since the previous row) or
        ``turn`` (since the turn's trigger)."""
        return self.times.mode

    @property
    def following(self) -> bool:
        """Whether the list keeps the newest row in view."""
        return self._following

    @property
    def pending(self) -> int:
        """Rows that arrived since follow mode was paused (0 while following)."""
        if self._following:
            return 0
        rows = self._view.rows
        return len(rows) - bisect_right(rows, self._pause_row_id, key=_row_key)

    @property
    def cursor_index(self) -> int | None:
        """Index of the selected row in ``rows`` (the newest while following)."""
        rows = self._view.rows
        if not rows:
            return None
        if self._following or self._cursor_id is None:
            return len(rows) - 1
        return min(bisect_left(rows, self._cursor_id, key=_row_key), len(rows) - 1)

    @property
    def cursor_row(self) -> EventRow | None:
        index = self.cursor_index
        return None if index is None else self._view.rows[index]

    # Changes from the pane.

    def refresh_from_store(self) -> bool:
        """Take in what the store gained or lost; repaint only what changed. True if anything."""
        view = self._view
        rows = view.rows
        old_len = len(rows)
        old_last = rows[-1].row_id if rows else -1
        cleared = self.store.generation != self._generation
        if not view.sync():
            return False
        rows = view.rows
        if cleared:
            self._generation = self.store.generation
            self._cursor_id = None
            self._pause_row_id = -1
            self._update_height()
            self.refresh()
        else:
            appended = len(rows) - bisect_right(rows, old_last, key=_row_key)
            removed = old_len + appended - len(rows)
            self._update_height()
            if removed and not self._following:
                self._scroll_quietly(self.scroll_y - removed)
            if removed:
                self.refresh()
        if self._following:
            self._scroll_quietly(self.max_scroll_y)
        self._refresh_stale_lines()
        return True

    def set_filter(self, event_filter: EventFilter) -> None:
        """Show only matching rows; the cursor stays on its row or the next one shown."""
        if event_filter == self._view.filter:
            return
        self._view.set_filter(event_filter)
        self._update_height()
        if self._following:
            self._scroll_quietly(self.max_scroll_y)
        else:
            self._reveal_cursor()
        self.refresh()

    def cycle_time_mode(self) -> TimeMode:
        """Show the next time mode (clock, since the previous row, since the trigger)."""
        mode = self.times.cycle()
        self._refresh_stale_lines()  # every visible key names the mode: all repaint
        return mode

    def select_record(self, record: EventRecord) -> bool:
        """Put the cursor on the row that shows ``record`` and scroll to it (pausing follow);
        False if that row is not shown (dropped, or hidden by the filter)."""
        row = record.row
        rows = self._view.rows
        if row is None:
            return False
        index = bisect_left(rows, row.row_id, key=_row_key)
        if index >= len(rows) or rows[index] is not row:
            return False
        self._set_following(False)
        self._cursor_id = row.row_id
        self._reveal_cursor()
        self._refresh_stale_lines()
        return True

    def follow(self, on: bool = True) -> None:
        """Turn follow mode on (cursor and view to the newest row) or off."""
        if on:
            self._cursor_id = None
            self._set_following(True)
            self._scroll_quietly(self.max_scroll_y)
        else:
            self._set_following(False)
        self._refresh_stale_lines()

    # Keys and mouse.

    def action_cursor_up(self) -> None:
        self._move_cursor(-1)

    def action_cursor_down(self) -> None:
        self._move_cursor(1)

    def action_page_up(self) -> None:
        self._move_cursor(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move_cursor(max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._move_cursor(-self.row_count)

    def action_last(self) -> None:
        self.follow(True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + round(self.scroll_y)
        rows = self._view.rows
        if index >= len(rows):
            return
        self._select(index)
        if event.chain >= 2:
            self.post_message(self.RowActivated(self, rows[index]))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if (
            self._following
            and not self._adjusting
            and new_value < old_value
            and new_value < self.max_scroll_y
        ):
            self._set_following(False)

    def on_mount(self) -> None:
        self._update_height()  # the view starts with the rows the store already has

    def on_resize(self) -> None:
        if self._following:
            self._scroll_quietly(self.max_scroll_y)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._styles = None

    # Internals.

    def _set_following(self, on: bool) -> None:
        if on == self._following:
            return
        if not on:
            rows = self._view.rows
            self._pause_row_id = rows[-1].row_id if rows else -1
            row = self.cursor_row
            self._cursor_id = None if row is None else row.row_id
        self._following = on
        self.post_message(self.FollowChanged(self, on))

    def _move_cursor(self, delta: int) -> None:
        index = self.cursor_index
        if index is None:
            return
        self._select(max(0, min(self.row_count - 1, index + delta)))

    def _select(self, index: int) -> None:
        """Put the cursor on row ``index``; moving away from the newest row pauses following."""
        rows = self._view.rows
        if self._following and index == len(rows) - 1:
            return
        self._set_following(False)
        self._cursor_id = rows[index].row_id
        self._reveal_cursor()
        self._refresh_stale_lines()

    def _reveal_cursor(self) -> None:
        index = self.cursor_index
        if index is None:
            return
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def _scroll_quietly(self, y: float) -> None:
        """Scroll without that counting as the user scrolling up."""
        self._adjusting = True
        try:
            self.scroll_to(y=max(0.0, y), animate=False)
        finally:
            self._adjusting = False

    def _update_height(self) -> None:
        set_virtual_size(self, Size(0, len(self._view.rows)))

    def _key(self, index: int, width: int, cursor_id: int | None) -> StripKey:
        rows = self._view.rows
        row = rows[index]
        previous = rows[index - 1] if index else None
        times = self.times
        return (
            row.row_id,
            row.count,
            row.first.seq,
            row.last.seq,
            width,
            row.row_id == cursor_id,
            self.has_focus,
            times.mode,
            times.reference(row, previous),
        )

    def _refresh_stale_lines(self) -> None:
        """Repaint the visible lines whose painted key is out of date (rows, counts, cursor)."""
        rows = self._view.rows
        top = round(self.scroll_y)
        width = self.scrollable_content_region.width
        cursor = self.cursor_row
        cursor_id = None if cursor is None else cursor.row_id
        painted = self._painted
        for y in range(self.scrollable_content_region.height):
            index = top + y
            key = self._key(index, width, cursor_id) if index < len(rows) else None
            if painted.get(y) != key:
                self.refresh_lines(index)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        rows = self._view.rows
        if index >= len(rows):
            self._painted[y] = None
            return Strip.blank(width, self.rich_style)
        cursor = self.cursor_row
        key = self._key(index, width, None if cursor is None else cursor.row_id)
        self._painted[y] = key
        strip = self._strips.get(key)
        if strip is None:
            previous = rows[index - 1] if index else None
            strip = self._render_row(rows[index], previous, width, selected=key[5])
            self._strips[key] = strip
        return strip

    def _render_row(
        self, row: EventRow, previous: EventRow | None, width: int, *, selected: bool
    ) -> Strip:
        if self._styles is None:  # looked up once per theme or style change
            self._styles = row_styles(self)
        return row_strip(row, previous, width, self._styles, self.times, selected=selected)
