"""Full garbage collections when the user is not typing: typing stays smooth under a stream.

Measured through a real terminal (``bench/typing_latency.py``), the hitches in typing under an
event stream were CPython's full (generation 2) collections: each walks every tracked object, and
a Textual app holds over 100,000 of them (each ``Strip`` alone keeps six caches), so one took
70-135 ms. Two things keep them out of the user's way:

- ``gc.freeze()`` once the app has drawn its first frame: what exists then (Textual, the
  widgets, the modules) lives as long as the app, and the collector stops walking it;
- automatic full collections are turned off; ``QuietCollector.tick`` (once a second) runs one
  itself when no key was pressed for ``quiet_s``, at most every ``every_s``, and in any case after
  ``longest_s`` (someone typing for a minute without a pause gets one short hitch, and memory
  held by reference cycles stays bounded). The young generations are still collected as usual
  (about a millisecond each).

``restore()`` puts the collector back as it was, unfrozen (the app calls it when it exits).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

AUTOMATIC_FULL_OFF = 1_000_000
"""Generation-2 threshold that stops automatic full collections."""


class QuietCollector:
    """Schedules full collections for when the user is not typing."""

    def __init__(
        self,
        *,
        quiet_s: float = 1.0,
        every_s: float = 10.0,
        longest_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], object] = lambda: gc.collect(2),
    ) -> None:
        self.quiet_s = quiet_s
        self.every_s = every_s
        self.longest_s = longest_s
        self._clock = clock
        self._collect = collect
        self._last_key = -float("inf")
        self._last_full = clock()
        self._saved: tuple[int, int, int] | None = None
        self.collections = 0
        """Full collections this collector ran."""

    def start(self) -> None:
        """Freeze what exists now and take over full collections."""
        gc.freeze()
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, AUTOMATIC_FULL_OFF)
        self._last_full = self._clock()

    def restore(self) -> None:
        """Automatic full collections again, as before ``start``, over every object (the
        frozen ones too: an app built again in the same process, as tests do, starts clean)."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
            gc.unfreeze()

    def key_pressed(self) -> None:
        """The user is typing: a full collection waits for a pause."""
        self._last_key = self._clock()

    def tick(self) -> bool:
        """Collect if it is time and the user is quiet (or has typed for too long). True if so."""
        now = self._clock()
        since_full = now - self._last_full
        quiet = now - self._last_key >= self.quiet_s
        if since_full < self.every_s or not (quiet or since_full >= self.longest_s):
            return False
        self._collect()
        self._last_full = self._clock()
        self.collections += 1
        return True
