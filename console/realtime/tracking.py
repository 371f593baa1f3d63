"""Bookkeeping of requests the server has not answered yet, for ``RealtimeClient``.

The server answers client events in order, so the oldest unanswered request is the one an
answer (``session.updated``, ``response.created``) belongs to, and an ``error`` names the client
``event_id`` it rejects.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

UNSET: Any = object()
"""Marks a session field that had no value before an update."""


@dataclass(frozen=True)
class ResponseState:
    """A snapshot of ``RealtimeClient.response_state``: what the client knows of responses.

    ``requested`` counts ``response.create`` events the server has neither answered with
    ``response.created`` nor rejected; ``active_ids`` are the responses created and not yet done,
    oldest first (out-of-band responses included).
    """

    requested: int = 0
    active_ids: tuple[str, ...] = ()

    @property
    def in_flight(self) -> bool:
        """Whether a response is requested or active."""
        return bool(self.requested or self.active_ids)

    @property
    def active_id(self) -> str | None:
        """The most recently created active response, or ``None``."""
        return self.active_ids[-1] if self.active_ids else None


class ResponseTracker:
    """Responses requested (``response.create`` sent, not yet created) and active ones.

    The reference only knew a response once ``response.created`` arrived, so a cancel sent just
    after ``create_response`` was skipped or raced; here a requested response counts too.
    """

    def __init__(self) -> None:
        self._requested: OrderedDict[str, None] = OrderedDict()
        self._active: dict[str, None] = {}  # insertion-ordered: oldest first

    def requested(self, event_id: str) -> None:
        """A ``response.create`` with this ``event_id`` was sent."""
        self._requested[event_id] = None

    def created(self, response_id: str) -> None:
        """``response.created``: the oldest request (if any) became this response."""
        if self._requested:
            self._requested.popitem(last=False)
        self._active[response_id] = None

    def done(self, response_id: str) -> None:
        """``response.done`` for this response."""
        self._active.pop(response_id, None)

    def rejected(self, event_id: str) -> bool:
        """The server rejected this client event; True if it was a ``response.create``."""
        return self._requested.pop(event_id, UNSET) is not UNSET

    def is_active(self, response_id: str | None) -> bool:
        """Whether this response was created and is not done."""
        return response_id in self._active

    def in_flight(self) -> bool:
        """Whether a response is requested or active."""
        return bool(self._requested or self._active)

    def state(self) -> ResponseState:
        """An immutable snapshot of the requested and active responses."""
        return ResponseState(len(self._requested), tuple(self._active))

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
