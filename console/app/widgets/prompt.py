"""The input line: Textual's ``Input`` without a whole-screen layout per keystroke."""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Input

from console.app.widgets.scrolling import set_virtual_size


class PromptInput(Input):
    """An ``Input`` whose growing text does not re-lay out the screen.

    ``Input`` records its text's width as its ``virtual_size``, a reactive declared with
    ``layout=True``, so every keystroke re-laid out and repainted every widget: under a
    2,000 events/s flood that put keystroke-to-screen p99 near 100 ms (bench_console.py). The
    size is set here first, without a layout, so ``Input``'s own assignment finds it unchanged.
    """

    def _watch_value(self, value: str) -> None:
        set_virtual_size(self, Size(self.content_width, 1))
        super()._watch_value(value)
