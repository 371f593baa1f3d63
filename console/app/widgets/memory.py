"""The demo ``set_memory`` tool's memory, as the browser console shows it."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class MemoryView(Static):
    """What ``set_memory`` saved, as ``key: value`` lines (the tool runs in a worker thread)."""

    BORDER_TITLE = "set_memory()"
    EMPTY = "(empty — the model saves here with set_memory)"
    MAX_VALUE_CHARS = 200

    def __init__(self, memory: dict[str, Any], *, id: str | None = None) -> None:
        super().__init__(self.EMPTY, markup=False, id=id)
        self.memory = memory
        self._shown = self.EMPTY

    def tick(self) -> None:
        """Redraw when the memory changed (at most 200 short lines, so comparing is cheap)."""
        lines = [
            f"{key}: {str(value)[: self.MAX_VALUE_CHARS]}"
            for key, value in list(self.memory.items())
        ]
        text = "\n".join(lines) or self.EMPTY
        if text != self._shown:
            self._shown = text
            self.update(text)
