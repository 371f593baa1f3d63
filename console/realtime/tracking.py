"""Bookkeeping of requests the server has not answered yet, for ``RealtimeClient``.

The server answers client events in order, so the oldest unanswered request is the one an
answer (``session.updated``, ``response.created``) belongs to, and an ``error`` names the client
``event_id`` it rejects.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

UNSET: Any = object()
"""Marks a session field that had no value before an update."""


class ResponseTracker:
    """Responses requested (``response.create`` sent, not yet created) and active ones.

    The reference only knew a response once ``response.created`` arrived, so a cancel sent just
    after ``create_response`` was skipped or raced; here a requested response counts too.
    """

    def __init__(self) -> None:
        self._requested: OrderedDict[str, None] = OrderedDict()
        self._active: set[str] = set()

    def requested(self, event_id: str) -> None:
        """A ``response.create`` with this ``event_id`` was sent."""
        self._requested[event_id] = None

    def created(self, response_id: str) -> None:
        """``response.created``: the oldest request (if any) became this response."""
        if self._requested:
            self._requested.popitem(last=False)
        self._active.add(response_id)

    def done(self, response_id: str) -> None:
        """``response.done`` for this response."""
        self._active.discard(response_id)

    def rejected(self, event_id: str) -> bool:
        """The server rejected this client event; True if it was a ``response.create``."""
        return self._requested.pop(event_id, UNSET) is not UNSET

    def is_active(self, response_id: str | None) -> bool:
        """Whether this response was created and is not done."""
        return response_id in self._active

    def in_flight(self) -> bool:
        """Whether a response is requested or active."""
        return bool(self._requested or self._active)

    def clear(self) -> None:
        """Forget everything (the connection closed)."""
        self._requested.clear()
        self._active.clear()


class SessionUpdates:
    """``session.update`` events awaiting ``session.updated``, with the changes each made."""

    def __init__(self) -> None:
        self._pending: OrderedDict[str, dict[str, tuple[Any, Any]]] = OrderedDict()

    def sent(self, event_id: str, changes: dict[str, tuple[Any, Any]]) -> None:
        """An update was sent; ``changes`` maps each field to ``(old value, new value)``."""
        self._pending[event_id] = changes

    def accepted(self) -> None:
        """``session.updated``: the oldest pending update was applied."""
        if self._pending:
            self._pending.popitem(last=False)

    def rejected(self, event_id: str) -> dict[str, tuple[Any, Any]]:
        """The changes of a rejected update (empty if ``event_id`` was not an update)."""
        return self._pending.pop(event_id, {})

    def clear(self) -> None:
        """Forget everything (the connection closed)."""
        self._pending.clear()
