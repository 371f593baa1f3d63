"""Ordering of turn-detection events around an interrupted response.

When speech interrupts a response, the real server finishes the cancelled response
(``response.done`` with reason ``turn_detected``) before it reports the end of the new turn,
commits it and responds to it. The simulator never blocks the client-event reader to get that
order: turn events are queued and run in order, held back while a cancelled response is still
finishing; the response's completion flushes the queue.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

Action = Callable[[], Awaitable[None]]


class TurnQueue:
    """Deferred turn events, run in order whenever nothing holds them back."""

    def __init__(self, held: Callable[[], bool]) -> None:
        self._actions: deque[Action] = deque()
        self._held = held
        self._flushing = False

    def __len__(self) -> int:
        return len(self._actions)

    def add(self, action: Action) -> None:
        """Queue ``action``; it runs at the next :meth:`flush` that is not held back."""
        self._actions.append(action)

    def clear(self) -> None:
        """Forget queued actions (the connection is closing)."""
        self._actions.clear()

    async def flush(self) -> None:
        """Run queued actions until the queue is empty or held; re-entrant calls return."""
        if self._flushing:
            return
        self._flushing = True
        try:
            while self._actions and not self._held():
                await self._actions.popleft()()
        finally:
            self._flushing = False
