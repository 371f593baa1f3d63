"""Line-API views growing without a screen layout, and the Textual internals that rests on.

``set_virtual_size`` (console/app/widgets/scrolling.py) is the console's one use of a private
Textual API (``Widget._scroll_update``); these tests pin what it must do, so a Textual upgrade
that changes the internals fails here rather than in a flood. The conversation pane wraps its
items at the content width, which a scrollbar coming or going changes.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Size

from console.app.widgets.conversation import ConversationPane
from console.realtime import RealtimeClient

WORDS = " ".join(["word"] * 14)
"""Three lines at 32 columns (a scrollbar shown), two at 34."""


def message(n: int, text: str = WORDS) -> dict[str, Any]:
    item = {"id": f"item_{n}", "type": "message", "role": "assistant", "status": "completed"}
    item["content"] = [{"type": "output_text", "text": text}]
    return {"type": "conversation.item.added", "item": item}


class PaneApp(App[None]):
    CSS = "ConversationPane { width: 34; height: 12; border: none; padding: 0; }"

    def __init__(self) -> None:
        super().__init__()
        self.client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
        self.pane = ConversationPane(self.client, truncations={}, figures_for=lambda _: "")

    def compose(self) -> ComposeResult:
        yield self.pane


def assert_rows_match_the_wrapping(pane: ConversationPane) -> None:
    """Each item starts right after the previous one's strips, wrapped at the content width."""
    width = pane.scrollable_content_region.width
    for index, entry in enumerate(pane._entries):
        assert entry.width == width, f"item {index} wrapped at {entry.width}, shown at {width}"
        end = pane._starts[index + 1] if index + 1 < len(pane._starts) else pane.virtual_size.height
        assert end - pane._starts[index] == len(entry.strips), f"item {index}: blank rows"


async def test_items_rewrap_when_the_scrollbar_goes() -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane, conversation = app.pane, app.client.conversation
        for n in range(6):
            conversation.process_event(message(n))
        pane.refresh_items(True, set())
        await pilot.pause()
        assert pane.show_vertical_scrollbar
        for n in range(1, 6):  # what is left fits: the scrollbar goes, the text gets wider
            deleted = {"type": "conversation.item.deleted", "item_id": f"item_{n}"}
            conversation.process_event(deleted)
        pane.refresh_items(True, set())
        await pilot.pause()
        assert not pane.show_vertical_scrollbar
        assert_rows_match_the_wrapping(pane)
        assert pane.virtual_size == Size(34, 4)  # title, two lines of words, a gap
