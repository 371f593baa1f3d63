"""The bounded event store and the rows the events pane shows.

Every ``realtime.event`` becomes an ``EventRecord`` (O(1), no rendering). Records are kept up
to ``cap`` events and ``cap_bytes`` of payload (oldest dropped and counted); ``--record`` sees
every event, cap or not.
Rows fold deltas: within a burst of ``*.delta`` events (ended by any other event), each
(source, type) gets one row with the true count and its first and last time, so interleaved
audio and transcript deltas read as two rows rather than hundreds.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, NamedTuple, Protocol

from console.defaults import EVENT_CAP

from .payloads import search_text

Source = Literal["client", "server", "local"]
"""Who made an event: sent by the client, received from the server, or noted by the console
itself (``local.*``: the connection opened or closed, audio started or stopped playing)."""
DEFAULT_EVENT_CAP = EVENT_CAP
DEFAULT_BYTE_CAP = 128 * 2**20
"""Records kept also stay under this many bytes of string payload (audio is most of it)."""


class TimedEvent(Protocol):
    """What the models read of an event: an ``EventRecord``, or a line of a recording whose
    time may be unknown (a bare log from another tool)."""

    @property
    def source(self) -> Source: ...

    @property
    def type(self) -> str: ...

    @property
    def event(self) -> dict[str, Any]: ...

    @property
    def time(self) -> float | None: ...


class PlainEvent(NamedTuple):
    """A ``TimedEvent`` outside the store: a recording's line fed straight to the models."""

    source: Source
    type: str
    event: dict[str, Any]
    time: float | None


def payload_size(value: Any, depth: int = 0) -> int:
    """About how many bytes ``value``'s strings hold (a bounded walk, cheap per event)."""
    if isinstance(value, str):
        return len(value)
    if depth >= 4:
        return 64
    if isinstance(value, dict):
        return 64 + sum(payload_size(item, depth + 1) for item in list(value.values())[:64])
    if isinstance(value, list):
        return 64 + sum(payload_size(item, depth + 1) for item in value[:64])
    return 8


@dataclass(slots=True)
class EventRecord:
    """One event as sent or received, stamped with the store's clock (epoch seconds)."""

    seq: int
    time: float
    source: Source
    type: str
    event: dict[str, Any]
    size: int = 0
    """About how many bytes the event holds (``payload_size``)."""
    row: EventRow | None = field(default=None, repr=False, compare=False)
    """The row that shows this record (set by the store)."""
    search_text: str | None = field(default=None, repr=False, compare=False)
    """What the text filter searches (``payloads.search_text``), made the first time a filter
    asks, then kept: typing in the filter never dumps an event's JSON twice."""

    @property
    def is_error(self) -> bool:
        """``error`` events."""
        return self.type == "error"


@dataclass(slots=True)
class EventRow:
    """One line of the events list: a record, or a burst of one delta type folded together."""

    row_id: int
    first: EventRecord
    last: EventRecord
    count: int = 1

    @property
    def source(self) -> Source:
        return self.first.source

    @property
    def type(self) -> str:
        return self.first.type

    @property
    def is_error(self) -> bool:
        return self.first.is_error


def is_delta(event_type: str) -> bool:
    """Whether events of this type stream in bursts and fold into one row."""
    return event_type.endswith(".delta") or event_type == "input_audio_buffer.append"


@dataclass
class EventStore:
    """Records and rows, bounded by ``cap`` records; ``version`` changes on every change."""

    cap: int = DEFAULT_EVENT_CAP
    clock: Callable[[], float] = time.time
    cap_bytes: int = DEFAULT_BYTE_CAP
    kept_bytes: int = field(init=False, default=0)
    records: deque[EventRecord] = field(init=False)
    rows: deque[EventRow] = field(init=False)
    total: int = field(init=False, default=0)
    dropped: int = field(init=False, default=0)
    version: int = field(init=False, default=0)
    generation: int = field(init=False, default=0)
    """Changes when the store is cleared, so views know to start over."""
    _next_row_id: int = field(init=False, default=0)
    _burst: dict[tuple[Source, str], EventRow] = field(init=False, default_factory=dict)
    _listeners: list[Callable[[EventRecord], None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if self.cap < 1:
            raise ValueError(f"the event cap must be at least 1, not {self.cap}")
        self.records = deque()
        self.rows = deque()

    def listen(self, listener: Callable[[EventRecord], None]) -> None:
        """Call ``listener`` with every record as it is added (the recorder uses this)."""
        self._listeners.append(listener)

    def unlisten(self, listener: Callable[[EventRecord], None]) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def add(self, source: Source, event: dict[str, Any], at: float | None = None) -> EventRecord:
        """Store one event (``at`` defaults to the clock: replays pass the recorded time)."""
        event_type = event.get("type")
        record = EventRecord(
            seq=self.total,
            time=self.clock() if at is None else at,
            source=source,
            type=event_type if isinstance(event_type, str) else "(no type)",
            event=event,
            size=payload_size(event),
        )
        self.kept_bytes += record.size
        self.total += 1
        self.version += 1
        self.records.append(record)
        self._fold(record)
        while len(self.records) > self.cap or (
            self.kept_bytes > self.cap_bytes and len(self.records) > 1
        ):
            self._drop_oldest()
        for listener in self._listeners:
            listener(record)
        return record

    def _fold(self, record: EventRecord) -> None:
        if not is_delta(record.type):
            self._burst.clear()
            record.row = self._new_row(record)
            return
        key = (record.source, record.type)
        row = self._burst.get(key)
        if row is None:
            row = self._burst[key] = self._new_row(record)
        else:
            row.last = record
            row.count += 1
        record.row = row

    def _new_row(self, record: EventRecord) -> EventRow:
        row = EventRow(row_id=self._next_row_id, first=record, last=record)
        self._next_row_id += 1
        self.rows.append(row)
        return row

    def _drop_oldest(self) -> None:
        """Forget the oldest record; its row shrinks, or goes once it shows nothing kept."""
        oldest = self.records.popleft()
        self.dropped += 1
        self.kept_bytes -= oldest.size
        row = oldest.row
        oldest.row = None
        if row is None:
            return
        row.count -= 1
        if row.count <= 0:
            self.rows.remove(row)  # one of the first few rows: those of the oldest burst
            if self._burst.get((row.source, row.type)) is row:
                del self._burst[(row.source, row.type)]
            return
        # The row now starts at its oldest record still kept (interleaved bursts: few steps).
        row.first = next(record for record in self.records if record.row is row)

    def clear(self) -> None:
        """Forget every record and row (totals restart; listeners stay)."""
        for record in self.records:
            record.row = None  # no cycles left for the collector
        self.records.clear()
        self.rows.clear()
        self._burst.clear()
        self.kept_bytes = 0
        self.dropped = 0
        self.total = 0
        self.version += 1
        self.generation += 1

    def rows_after(self, row_id: int) -> Iterator[EventRow]:
        """Rows newer than ``row_id`` (all rows for -1), oldest first."""
        if not self.rows or self.rows[-1].row_id <= row_id:
            return iter(())
        start = max(0, row_id + 1 - self.rows[0].row_id)
        return (self.rows[index] for index in range(start, len(self.rows)))

    def records_of(self, row: EventRow) -> Iterator[EventRecord]:
        """The records a row stands for that are still kept, oldest first."""
        if not self.records:
            return iter(())
        base = self.records[0].seq
        start = max(0, row.first.seq - base)
        stop = row.last.seq - base
        return (
            record
            for record in (self.records[index] for index in range(start, stop + 1))
            if record.row is row
        )


@dataclass(frozen=True)
class EventFilter:
    """Which rows the events pane shows: by direction, by turn, and by text found
    (case-insensitive) in the type or the JSON of the row's event (its first one, for a folded
    burst; audio is not searched)."""

    client: bool = True
    server: bool = True
    text: str = ""
    turn_ids: frozenset[str] = frozenset()
    """One turn's ids (its response, items, calls, trigger item and client events): only the rows
    whose first event names one of them (``names_any``). Empty: no turn filter."""

    @cached_property
    def _needle(self) -> str:
        return self.text.casefold()

    def matches(self, row: EventRow) -> bool:
        if row.source != "local" and not (self.client if row.source == "client" else self.server):
            return False  # the console's own rows (the connection) stay in either direction
        if self.turn_ids and not names_any(row.first, self.turn_ids):
            return False
        if not self.text:
            return True
        needle = self._needle
        if needle in row.type.casefold():
            return True
        record = row.first
        text = record.search_text
        if text is None:
            text = record.search_text = search_text(record.event)
        return needle in text

    @property
    def is_empty(self) -> bool:
        """True when every row passes."""
        return self.client and self.server and not self.text and not self.turn_ids


_ID_KEYS = ("response_id", "item_id", "call_id")


def names_any(record: EventRecord, ids: frozenset[str]) -> bool:
    """Whether the event names one of ``ids``: as ``response_id``, ``item_id``, ``call_id``,
    ``item.id``, ``item.call_id`` or ``response.id``, or (a client event) as its ``event_id``."""
    event = record.event

    def named(value: Any) -> bool:
        return isinstance(value, str) and value in ids

    if any(named(event.get(key)) for key in _ID_KEYS):
        return True
    item, response = event.get("item"), event.get("response")
    if isinstance(item, dict) and (named(item.get("id")) or named(item.get("call_id"))):
        return True
    if isinstance(response, dict) and named(response.get("id")):
        return True
    return record.source == "client" and named(event.get("event_id"))


class EventView:
    """The filtered rows of a store, kept up to date incrementally by ``sync``."""

    def __init__(self, store: EventStore, event_filter: EventFilter | None = None) -> None:
        self.store = store
        self.filter = event_filter or EventFilter()
        self.rows: deque[EventRow] = deque()
        self._last_row_id = -1
        self._version = -1
        self._generation = -1
        self.rebuild()

    def set_filter(self, event_filter: EventFilter) -> None:
        """Show only the rows ``event_filter`` matches (rebuilds from the kept rows)."""
        self.filter = event_filter
        self.rebuild()

    def rebuild(self) -> None:
        self.rows = deque(row for row in self.store.rows if self.filter.matches(row))
        self._last_row_id = self.store.rows[-1].row_id if self.store.rows else -1
        self._version = self.store.version
        self._generation = self.store.generation

    def sync(self) -> bool:
        """Take in what the store gained or lost since the last call; True if anything did."""
        store = self.store
        if store.version == self._version:
            return False
        if store.generation != self._generation or not store.rows:
            self.rebuild()
            return True
        for row in store.rows_after(self._last_row_id):
            if self.filter.matches(row):
                self.rows.append(row)
            self._last_row_id = row.row_id
        first_kept = store.rows[0].row_id
        while self.rows and self.rows[0].row_id < first_kept:
            self.rows.popleft()
        self._version = store.version
        return True
