"""The input line: Textual's ``Input`` without a whole-screen layout per keystroke."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class PromptInput(Input):
    """An ``Input`` whose growing text does not re-lay out the screen.

    ``Input`` records its text's width as its ``virtual_size``, a reactive ``Widget`` declares
    with ``layout=True``, so every keystroke re-laid out and repainted every widget: under a
    2,000 events/s flood that put keystroke-to-screen p99 near 100 ms (bench_console.py). The
    input's own size never depends on its text (its width is fixed by the layout, and its
    scrollbar is zero cells high), so here the reactive is declared again without ``layout``:
    a keystroke repaints the input alone. Only public API (a reactive declared in a subclass);
    tests/app/test_scrolling.py fails if an upgrade lays out per keystroke again.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
