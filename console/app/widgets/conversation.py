"""The conversation pane: items in order, streaming, with per-response figures.

It renders ``client.conversation`` (the library's model) and asks the inspector which items
changed since its last frame; it never parses events. One small widget per item, capped at
``MAX_SHOWN`` (older items are counted, not mounted: a widget per item stays cheap only for
hundreds), updated in place as deltas stream.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from console.realtime import RealtimeClient

MAX_SHOWN = 300
SAMPLE_RATE = 24_000
ROLE_STYLES = {"user": "bold cyan", "assistant": "bold green", "system": "bold magenta"}

FiguresFor = Callable[[str], str]
"""Per-response figures for an item id (first delta, total, tokens), or ``""``."""


def item_title(item: dict[str, Any], truncated_ms: int | None, figures: str) -> Text:
    """``assistant · completed · audio 2.4 s · first delta 210 ms …`` for one item."""
    kind = item.get("role") or str(item.get("type", "item")).replace("_", " ")
    title = Text(str(kind), style=ROLE_STYLES.get(str(kind), "bold yellow"))
    status = item.get("status")
    details = [str(status)] if status else []
    if truncated_ms is not None:
        details.append(f"truncated at {truncated_ms} ms")
    audio = item.get("formatted", {}).get("audio")
    if audio is not None and len(audio):
        details.append(f"audio {len(audio) / SAMPLE_RATE:.1f} s")
    if figures:
        details.append(figures)
    if details:
        title.append(" · " + " · ".join(details), style="dim")
    return title


def item_body(item: dict[str, Any]) -> str:
    """What the item says: text, transcript, a call with its arguments, or an output."""
    formatted = item.get("formatted") or {}
    kind = item.get("type")
    if kind == "function_call_output":
        return str(formatted.get("output") or item.get("output") or "")
    tool = formatted.get("tool")
    if kind == "function_call" or tool:
        tool = tool or {}
        name = tool.get("name") or item.get("name") or "?"
        return f"{name}({tool.get('arguments') or item.get('arguments') or ''})"
    transcript = formatted.get("transcript") or ""
    text = formatted.get("text") or ""
    if transcript and text and transcript != text:
        return f"{text}\n{transcript}"
    if transcript or text:
        return str(transcript or text)
    if item.get("role") == "user" and audio_length(item):
        return "(awaiting transcript)"
    return "(truncated)" if item.get("role") == "assistant" and item.get("status") else ""


def audio_length(item: dict[str, Any]) -> int:
    audio = (item.get("formatted") or {}).get("audio")
    return 0 if audio is None else len(audio)


def item_detail(item: dict[str, Any]) -> str:
    """The item as JSON, audio replaced by its length (for the detail screen)."""
    shown = {key: value for key, value in item.items() if key != "formatted"}
    formatted = dict(item.get("formatted") or {})
    if "audio" in formatted:
        samples = len(formatted["audio"])
        formatted["audio"] = f"<{samples} samples, {samples / SAMPLE_RATE:.2f} s>"
    shown["formatted"] = formatted
    return json.dumps(shown, indent=2, ensure_ascii=False, default=str)


class ItemView(Static, can_focus=True):
    """One conversation item; focus it to select it."""

    def __init__(self, item_id: str) -> None:
        super().__init__(markup=False, classes="item")
        self.item_id = item_id

    def show(self, item: dict[str, Any], truncated_ms: int | None, figures: str) -> None:
        text = item_title(item, truncated_ms, figures)
        body = item_body(item)
        if body:
            text.append("\n" + body)
        self.set_class(item.get("role") == "user", "-user")
        self.set_class(item.get("status") == "in_progress", "-streaming")
        self.update(text)


class ConversationPane(VerticalScroll):
    """Items of the client's conversation, following the newest until you scroll up."""

    BORDER_TITLE = "Conversation"
    BINDINGS = [
        Binding("enter", "open_item", "Details", id="conversation.details"),
        Binding("delete,d", "delete_item", "Delete item", id="conversation.delete"),
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
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self.truncations = truncations
        self.figures_for = figures_for
        self._views: dict[str, ItemView] = {}
        self._order: list[str] = []
        self._earlier = Static("", markup=False, classes="earlier")

    def compose(self) -> ComposeResult:
        yield self._earlier

    def on_mount(self) -> None:
        self.anchor()
        self._earlier.display = False

    def refresh_items(self, reset: bool, changed: set[str]) -> None:
        """Redraw the items that changed (all of them after a reset or a reorder)."""
        if not reset and not changed:
            return
        items = self.client.conversation.get_items()
        shown = items[-MAX_SHOWN:]
        ids = [item["id"] for item in shown]
        earlier = len(items) - len(shown)
        self._earlier.display = earlier > 0
        if earlier:
            self._earlier.update(f"… {earlier} earlier items (not shown)")
        self._drop_scrolled_off(ids)
        if reset or ids[: len(self._order)] != self._order:
            self._rebuild(shown)
            return
        new = shown[len(self._order) :]
        for item in shown[: len(self._order)]:
            if item["id"] in changed:
                self._show(self._views[item["id"]], item)
        if new:
            views = [self._make_view(item) for item in new]
            self.mount_all(views)

    def _drop_scrolled_off(self, ids: list[str]) -> None:
        """Unmount the oldest views once newer items push them past ``MAX_SHOWN``."""
        if not ids or not self._order or ids[0] == self._order[0] or ids[0] not in self._views:
            return
        drop = self._order.index(ids[0])
        for item_id in self._order[:drop]:
            self._views.pop(item_id).remove()
        del self._order[:drop]

    def refresh_figures(self) -> None:
        """Redraw every shown item's title (after a response finished)."""
        for item_id, view in self._views.items():
            item = self.client.conversation.get_item(item_id)
            if item is not None:
                self._show(view, item)

    def _rebuild(self, shown: list[dict[str, Any]]) -> None:
        for view in self._views.values():
            view.remove()
        self._views.clear()
        self._order = []
        self.mount_all([self._make_view(item) for item in shown])

    def _make_view(self, item: dict[str, Any]) -> ItemView:
        view = ItemView(item["id"])
        self._views[item["id"]] = view
        self._order.append(item["id"])
        self._show(view, item)
        return view

    def _show(self, view: ItemView, item: dict[str, Any]) -> None:
        view.show(item, self.truncations.get(item["id"]), self.figures_for(item["id"]))

    @property
    def selected_id(self) -> str | None:
        focused = self.screen.focused if self.is_mounted else None
        return focused.item_id if isinstance(focused, ItemView) else None

    def action_open_item(self) -> None:
        item_id = self.selected_id
        item = self.client.conversation.get_item(item_id) if item_id else None
        if item_id and item is not None:
            self.post_message(self.ItemSelected(item_id, item_detail(item)))

    def action_delete_item(self) -> None:
        item_id = self.selected_id
        if item_id is None:
            self.notify("Select an item first (Tab to it).", severity="warning")
            return
        try:
            self.client.delete_item(item_id)
        except Exception as exc:  # not connected, or the library refused
            self.notify(f"Cannot delete {item_id}: {exc}", severity="error")
