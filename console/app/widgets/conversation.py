"""The conversation pane: items in order, streaming, with per-response figures.

It renders ``client.conversation`` (the library's model) and asks the inspector which items
changed since its last frame; it never parses events. It is one Line-API ``ScrollView``: each
item is wrapped into strips once per change (or width), and a frame paints only the rows on
screen. Widgets per item were measured first: their growing text forced whole-screen layout
passes that pushed event-loop lag past 70 ms under a 2,000 events/s flood (bench_console.py).
At most ``MAX_SHOWN`` items are drawn; older ones are counted. An item keeps its text and its
height; the strips of only the ``WRAPPED_ITEMS`` most recently drawn are kept (a ``Strip`` holds
six caches of its own, about fifteen objects the garbage collector walks: strips for every item
made each full collection, and so typing, hitch under a stream).

The selected item is marked in a one-column gutter (``▌`` in the accent colour) as well as by
its background: on a 256-colour terminal a background alone can round to the pane's own.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.app.widgets.conversation_context import DroppedFor, mark_dropped
from console.app.widgets.conversation_text import FiguresFor, NoteFor, item_detail, item_text
from console.app.widgets.scrolling import set_virtual_size
from console.realtime import RealtimeClient

MAX_SHOWN = 300
WRAPPED_ITEMS = 64
"""Items whose wrapped strips are kept (a screen's worth and more); others wrap again when
they are drawn."""
GUTTER = 1
MARKER = "▌"
SENDING_ACTIONS = frozenset({"delete_item"})
"""The pane's actions that send something to the server (a read-only pane offers none)."""


@dataclass(frozen=True)
class _Paint:
    """What every line of one repaint shares."""

    width: int
    base: Style
    cursor: Style
    marker: Style
    earlier: Style


@dataclass
class _Entry:
    """One item as drawn: its text, the figures it includes, and its height at ``width``."""

    item_id: str
    text: Text
    figures: str
    serial: int
    """Tells this drawing of the item from earlier ones (the wrapped strips' cache key)."""
    width: int = 0
    height: int = 0


class ConversationPane(ScrollView, can_focus=True):
    """Items of the client's conversation, following the newest until you scroll up."""

    BORDER_TITLE = "Conversation"
    ALLOW_MAXIMIZE = True
    COMPONENT_CLASSES = {"conversation--cursor", "conversation--marker", "conversation--earlier"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous item", show=False, id="conversation.up"),
        Binding("down", "cursor(1)", "Next item", show=False, id="conversation.down"),
        Binding("end", "follow", "Follow", show=False, id="conversation.follow"),
        Binding("enter", "open_item", "Details", id="conversation.details"),
        Binding("delete", "delete_item", "Delete item", id="conversation.delete"),
        Binding("p", "app.play_item", "Play audio", id="conversation.play"),
        Binding("a", "app.answer_tool_call", "Answer call", id="conversation.answer"),
        Binding("r", "app.retrieve_item", "Retrieve heard", id="conversation.retrieve", show=False),
        Binding("h", "app.play_heard", "Play heard", id="conversation.play_heard", show=False),
    ]

    class ItemSelected(Message):
        """The user asked for an item's details."""

        def __init__(self, item_id: str, detail: str) -> None:
            super().__init__()
            self.item_id = item_id
            self.detail = detail

    def __init__(
        self,
        client: RealtimeClient,
        *,
        truncations: dict[str, int],
        figures_for: FiguresFor,
        transcribing: Callable[[], bool] = lambda: True,
        note_for: NoteFor = lambda _item_id: None,
        dropped: DroppedFor = lambda _item_id: False,
        id: str | None = None,
    ) -> None:
        """``transcribing`` says whether the user's audio will get a transcript; ``note_for``
        gives an item's transcription logprobs and failure; ``dropped`` whether the model no
        longer reads an item (drawn dimmed, marked ``✂``)."""
        super().__init__(id=id)
        self.client = client
        self.truncations = truncations
        self.figures_for = figures_for
        self.note_for = note_for
        self.dropped = dropped
        self.transcribing = transcribing
        self._transcribing = transcribing()
        self.earlier = 0
        """Items older than the ``MAX_SHOWN`` drawn, counted in the first row."""
        self.cursor: int | None = None
        self._entries: list[_Entry] = []
        self._index: dict[str, int] = {}
        self._starts: list[int] = []
        self._wrapped: LRUCache[tuple[int, int], list[Strip]] = LRUCache(WRAPPED_ITEMS)
        self._serials = itertools.count()
        self._paint: _Paint | None = None
        self.following = True
        self.read_only = False
        """Set for a replay: the actions that would send are neither offered nor run."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A read-only pane (a replay) offers no action that sends."""
        return not (self.read_only and action in SENDING_ACTIONS)

    # -- what the app calls ---------------------------------------------------------------

    @property
    def item_ids(self) -> list[str]:
        """The ids drawn, oldest first."""
        return [entry.item_id for entry in self._entries]

    @property
    def selected_id(self) -> str | None:
        if self.cursor is None or not 0 <= self.cursor < len(self._entries):
            return None
        return self._entries[self.cursor].item_id

    def select(self, item_id: str) -> None:
        """Put the cursor on an item (and stop following)."""
        if item_id in self._index:
            self._move_cursor(self._index[item_id])

    def refresh_items(self, reset: bool, changed: set[str]) -> None:
        """Redraw the items that changed; take in new, deleted and reordered ones."""
        transcribing = self.transcribing()
        if transcribing != self._transcribing:  # audio items say whether a transcript comes
            self._transcribing = transcribing
            reset = True
        if not reset and not changed:
            return
        items = self.client.conversation.get_items()
        shown = items[-MAX_SHOWN:]
        # Older items: beyond what is drawn, and those the conversation let go (max_items).
        self.earlier = len(items) - len(shown) + self.client.conversation.forgotten.count
        if reset or [item["id"] for item in shown] != self.item_ids:
            selected = self.selected_id
            # After a reset every item is drawn afresh; a reorder reuses the entries it has.
            old = {} if reset else {entry.item_id: entry for entry in self._entries}
            self._entries = [old.get(item["id"]) or self._entry(item) for item in shown]
            self._index = {entry.item_id: index for index, entry in enumerate(self._entries)}
            self.cursor = self._index.get(selected) if selected else None
            changed = changed | {item["id"] for item in shown if item["id"] not in old}
        for item_id in changed:
            index = self._index.get(item_id)
            item = self.client.conversation.get_item(item_id)
            if index is not None and item is not None:
                self._entries[index] = self._entry(item)
        self._relayout()

    def refresh_figures(self) -> None:
        """Redraw the titles whose figures changed (after a response finished)."""
        changed = {e.item_id for e in self._entries if self.figures_for(e.item_id) != e.figures}
        if changed:
            self.refresh_items(False, changed)

    # -- drawing --------------------------------------------------------------------------

    def _entry(self, item: dict[str, Any]) -> _Entry:
        item_id = item["id"]
        figures = self.figures_for(item_id)
        text = item_text(
            item,
            self.truncations.get(item_id),
            figures,
            transcribing=self._transcribing,
            note=self.note_for(item_id),
            answerable=not self.read_only,
        )
        if self.dropped(item_id):
            text = mark_dropped(text)
        return _Entry(item_id, text, figures, next(self._serials))

    def text_of(self, item_id: str) -> str | None:
        """An item's text as last drawn (plain), or None if it is not drawn."""
        index = self._index.get(item_id)
        return None if index is None else self._entries[index].text.plain

    def _strips(self, entry: _Entry, width: int) -> list[Strip]:
        """The item's lines at ``width`` (and a blank one after it); sets its height."""
        key = (entry.serial, width)
        strips = self._wrapped.get(key)
        if strips is None:
            console = self.app.console
            options = console.options.update_width(width)
            lines = console.render_lines(entry.text, options, pad=False)
            strips = [Strip(line) for line in lines] + [Strip.blank(0)]
            self._wrapped[key] = strips
            entry.width, entry.height = width, len(strips)
        return strips

    def _height(self, entry: _Entry, width: int) -> int:
        """The item's rows at ``width``, wrapping it only if that is not known."""
        if entry.width != width:
            self._strips(entry, width)
        return entry.height

    def _relayout(self, *, again: bool = True) -> None:
        """Wrap what changed, recount rows, keep following the newest.

        The app's style keeps the scrollbar's room (``scrollbar-gutter: stable``); where a style
        does not, a scrollbar that comes or goes with the new height changes the width the text
        wraps at (no Resize says so): then wrap once more, at the new width.
        """
        width = self._text_width()
        at_end = self.following or self.scroll_y >= self.max_scroll_y
        self._starts = []
        row = 1 if self.earlier else 0
        for entry in self._entries:
            self._starts.append(row)
            row += self._height(entry, width)
        set_virtual_size(self, Size(0, row))  # lines are wrapped to fit: never a horizontal bar
        if again and self._text_width() != width:
            self._relayout(again=False)
            return
        self.refresh()
        if at_end and self.following:
            self.scroll_end(animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def _text_width(self) -> int:
        return max(10, self.scrollable_content_region.width - GUTTER)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Look the styles and the width up once per repaint, not once per line: ``rich_style``
        walks every ancestor, and a line repainted forty times over made repaints 10 ms."""
        self._paint = _Paint(
            width=self._text_width(),
            base=self.rich_style,
            cursor=self.get_component_rich_style("conversation--cursor"),
            marker=self.get_component_rich_style("conversation--marker"),
            earlier=self.get_component_rich_style("conversation--earlier"),
        )
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        paint = self._paint or _Paint(
            self._text_width(),
            self.rich_style,
            self.get_component_rich_style("conversation--cursor"),
            self.get_component_rich_style("conversation--marker"),
            self.get_component_rich_style("conversation--earlier"),
        )
        width, base = paint.width, paint.base
        row = y + self.scroll_offset.y
        gutter = Strip.blank(GUTTER, base)
        if self.earlier and row == 0:
            text = f"… {self.earlier:,} earlier items (not shown)"
            earlier = Strip([Segment(text, paint.earlier)]).crop_extend(0, width, base)
            return Strip.join([gutter, earlier])
        index = bisect_right(self._starts, row) - 1
        if index < 0 or index >= len(self._entries):
            return Strip.blank(width + GUTTER, base)
        entry = self._entries[index]
        strips = self._strips(entry, width)
        line = row - self._starts[index]
        if line >= len(strips):
            return Strip.blank(width + GUTTER, base)
        if index == self.cursor and line < len(strips) - 1:
            base = base + Style(bgcolor=paint.cursor.bgcolor)
            gutter = Strip([Segment(MARKER, base + Style(color=paint.marker.color))])
        # The pane's own background under the text (segments carry only their colours).
        return Strip.join([gutter, strips[line].apply_style(base).crop_extend(0, width, base)])

    # -- moving and acting ----------------------------------------------------------------

    def _move_cursor(self, index: int) -> None:
        if not self._entries:
            return
        self.cursor = max(0, min(index, len(self._entries) - 1))
        self.following = self.cursor == len(self._entries) - 1
        start = self._starts[self.cursor] if self._starts else 0
        height = self._entries[self.cursor].height
        self.scroll_to_region_if_needed(start, height)
        self.refresh()

    def scroll_to_region_if_needed(self, start: int, height: int) -> None:
        top, visible = self.scroll_offset.y, self.scrollable_content_region.height
        if start < top:
            self.scroll_to(y=start, animate=False)
        elif start + height > top + visible:
            self.scroll_to(y=max(0, start + height - visible), animate=False)

    def action_cursor(self, step: int) -> None:
        if self.cursor is None:
            self._move_cursor(len(self._entries) - 1 if step < 0 else 0)
        else:
            self._move_cursor(self.cursor + step)

    def action_follow(self) -> None:
        self.following = True
        self.cursor = None
        self.scroll_end(animate=False)
        self.refresh()

    def on_mouse_scroll_up(self) -> None:
        self.following = False

    def on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y
        index = bisect_right(self._starts, row) - 1
        if 0 <= index < len(self._entries):
            self._move_cursor(index)

    def action_open_item(self) -> None:
        item_id = self.selected_id
        item = self.client.conversation.get_item(item_id) if item_id else None
        if item_id and item is not None:
            self.post_message(self.ItemSelected(item_id, item_detail(item)))

    def action_delete_item(self) -> None:
        item_id = self.selected_id
        if item_id is None:
            self.notify("Select an item first (up/down in the conversation).", severity="warning")
            return
        try:
            self.client.delete_item(item_id)
        except Exception as exc:  # not connected, or the library refused
            self.notify(f"Cannot delete {item_id}: {exc}", severity="error")
