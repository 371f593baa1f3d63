"""Growing a Line-API view without a whole-screen layout pass.

``set_virtual_size`` is the console's one use of a private Textual API (``_scroll_update``): it
is kept behind this one function, and tests/app/test_scrolling.py checks that it leaves a view
exactly as Textual's own layout would, so an upgrade that changes the internal fails there.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Change ``view``'s scrollable size, laying out the screen only if a scrollbar came or went.

    Textual declares ``virtual_size`` with ``layout=True``, so each change re-lays out and
    repaints every widget on the screen. Under a 2,000 events/s flood the events list and the
    conversation grow every frame, and those layouts were most of the event-loop lag (p99 near
    60 ms, bench_console.py). The size of a Line-API view never changes its parent's layout; only
    its scrollbars need to know, which is what Textual's own size update does (``_scroll_update``).
    """
    if size == view.virtual_size:
        return
    scrollbars = (view.show_vertical_scrollbar, view.show_horizontal_scrollbar)
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)
    came_or_went = scrollbars != (view.show_vertical_scrollbar, view.show_horizontal_scrollbar)
    view.refresh(layout=came_or_went)
