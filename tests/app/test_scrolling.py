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
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.prompt import PromptInput
from console.app.widgets.scrolling import set_virtual_size
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
    """Each item starts right after the previous one's strips, wrapped at the text width (the
    content width less the marker's gutter; the scrollbar's room is kept whether it shows)."""
    width = pane._text_width()
    for index, entry in enumerate(pane._entries):
        assert entry.width == width, f"item {index} wrapped at {entry.width}, shown at {width}"
        end = pane._starts[index + 1] if index + 1 < len(pane._starts) else pane.virtual_size.height
        assert end - pane._starts[index] == entry.height, f"item {index}: blank rows"


async def test_items_rewrap_when_the_scrollbar_goes() -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane, conversation = app.pane, app.client.conversation
        for n in range(6):
            conversation.process_event(message(n))
        pane.refresh_items(True, set())
        await pilot.pause()
        assert pane.show_vertical_scrollbar
        assert_rows_match_the_wrapping(pane)
        for n in range(1, 6):  # what is left fits: the scrollbar goes, the text gets wider
            deleted = {"type": "conversation.item.deleted", "item_id": f"item_{n}"}
            conversation.process_event(deleted)
        pane.refresh_items(True, set())
        await pilot.pause()
        assert not pane.show_vertical_scrollbar
        assert_rows_match_the_wrapping(pane)
        assert pane.virtual_size.width == 0  # lines wrap to fit: never a horizontal bar


# -- set_virtual_size: what Textual's own layout would do, without the layout ------------------


class Lines(ScrollView):
    """A bare Line-API view that counts the layouts asked of it."""

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.layouts = 0

    def refresh(self, *regions: Any, repaint: bool = True, layout: bool = False, **kw: Any) -> Any:
        self.layouts += layout
        return super().refresh(*regions, repaint=repaint, layout=layout, **kw)

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


class ViewsApp(App[None]):
    CSS = "Lines { width: 40; height: 10; }"

    def compose(self) -> ComposeResult:
        yield Lines("ours")
        yield Lines("textuals")


def scroll_state(view: ScrollView) -> tuple[Any, ...]:
    """What a view's size decides: scrollbars, their windows, the content region, the range."""
    vertical, horizontal = view.show_vertical_scrollbar, view.show_horizontal_scrollbar
    return (
        vertical,
        horizontal,
        view.scrollable_content_region.size,
        view.max_scroll_x,
        view.max_scroll_y,
        (view.vertical_scrollbar.window_virtual_size, view.vertical_scrollbar.window_size)
        if vertical
        else None,
        (view.horizontal_scrollbar.window_virtual_size, view.horizontal_scrollbar.window_size)
        if horizontal
        else None,
    )


async def test_set_virtual_size_leaves_a_view_as_textuals_layout_would() -> None:
    """The one use of a private Textual API (``_scroll_update``): if an upgrade changes what it
    does, the scrollbars here stop matching Textual's own and this fails."""
    app = ViewsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        ours, textuals = app.query_one("#ours", Lines), app.query_one("#textuals", Lines)
        for size in (Size(38, 5), Size(38, 50), Size(90, 50), Size(90, 5), Size(38, 5)):
            set_virtual_size(ours, size)
            now = scroll_state(ours)  # at once, with no layout pass
            textuals.virtual_size = size
            await pilot.pause()
            assert ours.virtual_size == textuals.virtual_size == size
            assert now == scroll_state(textuals), f"at {size}"
            assert scroll_state(ours) == now  # and the next layout changes nothing


async def test_set_virtual_size_lays_out_only_when_a_scrollbar_comes_or_goes() -> None:
    app = ViewsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        ours, textuals = app.query_one("#ours", Lines), app.query_one("#textuals", Lines)
        set_virtual_size(ours, Size(38, 20))  # the scrollbar comes: one layout
        textuals.virtual_size = Size(38, 20)
        await pilot.pause()
        ours.layouts = textuals.layouts = 0
        for height in range(21, 41):  # growing under a scrollbar already there
            set_virtual_size(ours, Size(38, height))
            textuals.virtual_size = Size(38, height)
            await pilot.pause()
        assert (ours.layouts, textuals.layouts) == (0, 20)


# -- the input line: typing lays nothing out ---------------------------------------------------


class PromptApp(App[None]):
    CSS = "PromptInput { width: 24; }"

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield CountingPrompt(placeholder="Message")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.changes.append(event.value)


class CountingPrompt(PromptInput):
    layouts = 0

    def refresh(self, *regions: Any, repaint: bool = True, layout: bool = False, **kw: Any) -> Any:
        self.layouts += layout
        return super().refresh(*regions, repaint=repaint, layout=layout, **kw)


async def test_typing_into_the_prompt_lays_out_nothing_and_keeps_the_cursor_in_view() -> None:
    """``Input`` keeps its text's width as ``virtual_size``, declared ``layout=True`` by Textual:
    every keystroke laid out the whole screen. If an upgrade brings that back, this fails."""
    app = PromptApp()
    async with app.run_test(size=(60, 10)) as pilot:
        prompt = app.query_one(CountingPrompt)
        prompt.focus()
        await pilot.pause()
        prompt.layouts = 0
        text = "the quick brown fox jumps over the lazy dog"
        await pilot.press(*text)
        assert prompt.layouts == 0
        assert prompt.value == text and app.changes[-1] == text and len(app.changes) == len(text)
        assert prompt.virtual_size == Size(len(text) + 1, 1)  # the cursor's cell at the end
        assert prompt.scroll_x == prompt.max_scroll_x > 0  # the cursor stays in view
        prompt.value = ""
        await pilot.pause()
        assert prompt.virtual_size == Size(len("Message"), 1) and prompt.scroll_x == 0
