"""Bookkeeping of requests the server has not answered yet, for ``RealtimeClient``.

The server answers client events in order, so the oldest unanswered request is the one an
answer (``session.updated``, ``response.created``) belongs to, and an ``error`` names the client
``event_id`` it rejects.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UNSET: Any = object()
"""Marks a session field that had no value before an update."""


@dataclass(frozen=True)
class ResponseState:
    """A snapshot of ``RealtimeClient.response_state``: what the client knows of responses.

    ``requested`` counts ``response.create`` events the server has neither answered with
    ``response.created`` nor rejected; ``active_ids`` are the responses created and not yet done,
    oldest first (out-of-band responses included); ``deferred`` counts ``create_response`` calls
    waiting for the conversation's current response to finish before they are sent.
    """

    requested: int = 0
    active_ids: tuple[str, ...] = ()
    deferred: int = 0

    @property
    def in_flight(self) -> bool:
        """Whether a response is requested, active or deferred."""
        return bool(self.requested or self.active_ids or self.deferred)

    @property
    def active_id(self) -> str | None:
        """The most recently created active response, or ``None``."""
        return self.active_ids[-1] if self.active_ids else None


def request_in_conversation(payload: Mapping[str, Any] | None) -> bool:
    """Whether a ``response.create`` payload asks for a response in the default conversation
    (anything but ``conversation: "none"``, an out-of-band response)."""
    return not payload or payload.get("conversation") != "none"


def response_in_conversation(response: Mapping[str, Any]) -> bool | None:
    """Whether a server response object belongs to the default conversation: its
    ``conversation_id`` is an id, or ``null`` for an out-of-band response (the API's reference);
    ``None`` when the server does not say."""
    if "conversation_id" not in response:
        return None
    return response["conversation_id"] is not None


class ResponseTracker:
    """Responses requested (``response.create`` sent, not yet created) and active ones, each
    marked as in the default conversation or out-of-band.

    The reference only knew a response once ``response.created`` arrived, so a cancel sent just
    after ``create_response`` was skipped or raced; here a requested response counts too. A
    ``response.created`` answers the oldest request of its kind (in the conversation or not).
    """

    def __init__(self) -> None:
        self._requested: OrderedDict[str, bool] = OrderedDict()  # event_id -> in conversation
        self._active: dict[str, bool] = {}  # response id -> in conversation; oldest first
        self._server_cancels: set[str] = set()
        """Active responses the server cancels itself (voice activity heard the user)."""

    def requested(self, event_id: str, in_conversation: bool = True) -> None:
        """A ``response.create`` with this ``event_id`` was sent."""
        self._requested[event_id] = in_conversation

    def created(self, response_id: str, in_conversation: bool | None = True) -> None:
        """``response.created``: the oldest request of its kind (of any kind when the server does
        not say, ``None``) became this response."""
        for event_id, kind in self._requested.items():
            if in_conversation is None or kind == in_conversation:
                del self._requested[event_id]
                break
        self._active[response_id] = in_conversation is not False

    def done(self, response_id: str) -> None:
        """``response.done`` for this response."""
        self._active.pop(response_id, None)
        self._server_cancels.discard(response_id)

    def interrupted(self) -> None:
        """The server heard the user start speaking with ``interrupt_response`` on: it cancels
        the conversation's active responses itself (a ``response.cancel`` from us would only
        earn a ``response_cancel_not_active`` error)."""
        self._server_cancels.update(rid for rid, in_conv in self._active.items() if in_conv)

    def cancellable(self, response_id: str | None) -> bool:
        """Whether a ``response.cancel`` for this response is ours to send."""
        return response_id in self._active and response_id not in self._server_cancels

    def needs_cancel(self) -> bool:
        """Whether a response is requested, or active and not being cancelled by the server."""
        return bool(self._requested) or any(r not in self._server_cancels for r in self._active)

    def rejected(self, event_id: str) -> bool:
        """The server rejected this client event; True if it was a pending ``response.create``."""
        return self._requested.pop(event_id, None) is not None

    def is_active(self, response_id: str | None) -> bool:
        """Whether this response was created and is not done."""
        return response_id in self._active

    def in_flight(self) -> bool:
        """Whether a response is requested or active (in the conversation or out-of-band)."""
        return bool(self._requested or self._active)

    def conversation_busy(self) -> bool:
        """Whether a response of the default conversation is requested or active: the server
        refuses another one until it is done."""
        return any(self._requested.values()) or any(self._active.values())

    def state(self, deferred: int = 0) -> ResponseState:
        """An immutable snapshot of the requested and active responses."""
        return ResponseState(len(self._requested), tuple(self._active), deferred)

    def clear(self) -> None:
        """Forget everything (the connection closed)."""
        self._requested.clear()
        self._active.clear()
        self._server_cancels.clear()


MAX_PENDING_UPDATES = 256
"""Unanswered ``session.update`` events remembered (the server answers each, so few wait)."""


class SessionUpdates:
    """``session.update`` events awaiting ``session.updated``, in the order they were sent: the
    client's own with the changes each made, and others sent on the same socket (a raw event
    from a console's composer) as ``None``, so that an answer is matched to the right one."""

    def __init__(self) -> None:
        self._pending: OrderedDict[str, dict[str, tuple[Any, Any]] | None] = OrderedDict()

    def sent(self, event_id: str, changes: dict[str, tuple[Any, Any]]) -> None:
        """An update was sent; ``changes`` maps each field to ``(old value, new value)``."""
        self._pending[event_id] = changes
        self._trim()

    def seen(self, event_id: str) -> bool:
        """An update went out on the socket: unless it is one of ours, it is someone else's
        (then True)."""
        if event_id in self._pending:
            return False
        self._pending[event_id] = None
        self._trim()
        return True

    def accepted(self) -> bool:
        """``session.updated``: the oldest pending update was applied. True when it was ours;
        False for another sender's, or when none was pending (the server changed the session)."""
        if not self._pending:
            return False
        return self._pending.popitem(last=False)[1] is not None

    def rejected(self, event_id: str) -> dict[str, tuple[Any, Any]]:
        """The changes of a rejected update (empty if ``event_id`` was not one of ours)."""
        return self._pending.pop(event_id, None) or {}

    def pending_keys(self) -> set[str]:
        """The fields our unanswered updates change (an earlier answer does not show them)."""
        return {key for changes in self._pending.values() if changes for key in changes}

    def clear(self) -> None:
        """Forget everything (the connection closed)."""
        self._pending.clear()

    def _trim(self) -> None:
        while len(self._pending) > MAX_PENDING_UPDATES:
            self._pending.popitem(last=False)
