"""What an event refers to: the client event an ``error`` names, and the turn an event is part of.

The events pane reads these to jump from an error to the client event that caused it, and to time
each row from its turn's trigger. No Textual here; a widget asks, it does not parse events.

A row belongs to a turn by its ids: ``response_id`` (or ``response.id``), then ``item_id`` (or
``item.id``), which ``TurnModel`` knows for the items a response made and for the user item that
triggered it. A row without such an id (``rate_limits.updated``, an error, ``response.create``)
belongs to the latest turn triggered at or before it; rows before any turn, and the console's own
rows without ids (the connection), belong to none.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .store import EventRecord, EventStore

if TYPE_CHECKING:  # the turn model imports the library (numpy): the events pane need not
    from .turns import Turn, TurnModel


def named_client_event(event: Mapping[str, Any]) -> str | None:
    """The ``event_id`` of the client event an ``error`` event names, if it names one."""
    if event.get("type") != "error":
        return None
    error = event.get("error")
    event_id = error.get("event_id") if isinstance(error, Mapping) else None
    return event_id if isinstance(event_id, str) and event_id else None


def find_client_event(store: EventStore, event_id: str) -> EventRecord | None:
    """The kept client event with ``event_id`` (the newest, if it was sent twice), else None.

    A scan from the newest record: it runs once per key press, over at most ``store.cap``.
    """
    for record in reversed(store.records):
        if record.source == "client" and record.event.get("event_id") == event_id:
            return record
    return None


def why_not_kept(store: EventStore, event_id: str) -> str:
    """Why the client event ``event_id`` cannot be shown: dropped by the cap, or never kept."""
    if store.dropped:
        return f"{event_id} was dropped: only the latest {store.cap:,} events are kept."
    return f"{event_id} is not among the events kept (it was not recorded)."


def _id(container: Any, key: str) -> str | None:
    value = container.get(key) if isinstance(container, Mapping) else None
    return value if isinstance(value, str) else None


class TurnTimes:
    """Which turn an event belongs to, and when that turn was triggered (see the module doc)."""

    def __init__(self, turns: TurnModel) -> None:
        self.turns = turns
        self._version = -1
        self._starts: list[float] = []
        self._by_start: list[Turn] = []

    def turn_of(self, event: Mapping[str, Any], at: float) -> Turn | None:
        """The turn ``event`` (which happened at ``at``, epoch seconds) is part of, if any."""
        turns = self.turns
        response_id = _id(event, "response_id") or _id(event.get("response"), "id")
        if response_id is not None and (turn := turns.get(response_id)) is not None:
            return turn
        item_id = _id(event, "item_id") or _id(event.get("item"), "id")
        if item_id is not None and (turn := turns.for_item(item_id)) is not None:
            return turn
        if str(event.get("type")).startswith("local."):
            return None  # the console's own notes without ids (the connection): no turn's
        return self._latest_before(at)

    def trigger_at(self, event: Mapping[str, Any], at: float) -> float | None:
        """The trigger time of the turn ``event`` is part of (None: no turn, or no times)."""
        turn = self.turn_of(event, at)
        return None if turn is None else turn.trigger_at

    def _latest_before(self, at: float) -> Turn | None:
        if self._version != self.turns.version:  # a few times per turn, not per event
            self._version = self.turns.version
            timed = sorted(
                (turn for turn in self.turns.turns.values() if turn.trigger_at is not None),
                key=lambda turn: turn.trigger_at or 0.0,
            )
            self._starts = [turn.trigger_at or 0.0 for turn in timed]
            self._by_start = timed
        index = bisect_right(self._starts, at)
        return self._by_start[index - 1] if index else None
