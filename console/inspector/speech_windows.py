"""Where the server's VAD heard each user item: ``audio_start_ms`` to ``audio_end_ms``.

``input_audio_buffer.speech_started`` opens an item's window and ``speech_stopped`` closes it.
The retrieve audit (what VAD clipped) and the context window (how long an item's audio is)
both read them; this is the one place that follows those events. Bounded: the oldest windows
are forgotten past ``limit``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

STARTED = "input_audio_buffer.speech_started"
STOPPED = "input_audio_buffer.speech_stopped"


class SpeechWindows:
    """Each item's VAD window in ms of the input stream, the newest ``limit`` items."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._windows: OrderedDict[str, list[int]] = OrderedDict()

    def observe(self, event: dict[str, Any]) -> tuple[str, int, int] | None:
        """Take a speech event in; ``(item id, start, end)`` when it closes a window."""
        item_id = event.get("item_id")
        if not isinstance(item_id, str):
            return None
        if event.get("type") == STARTED:
            start = event.get("audio_start_ms")
            if isinstance(start, int):
                self._windows[item_id] = [start]
                while len(self._windows) > self.limit:
                    self._windows.popitem(last=False)
            return None
        end, window = event.get("audio_end_ms"), self._windows.get(item_id)
        if event.get("type") == STOPPED and isinstance(end, int) and window and len(window) == 1:
            window.append(end)
            return item_id, window[0], end
        return None

    def get(self, item_id: str) -> tuple[int, int] | None:
        """The item's closed window, or None (not heard, or still open)."""
        window = self._windows.get(item_id)
        return (window[0], window[1]) if window is not None and len(window) == 2 else None

    def clear(self) -> None:
        self._windows.clear()
