"""Record, export and replay sessions as JSONL, one event per line.

Our envelope is ``{"time": ISO-8601 UTC with ms and "Z", "t": epoch seconds, "source":
"client"|"server", "event": {...}}``: ``t`` keeps replayed timings exact, ``time`` is for
people. Reading recordings (``load_recording``, ``RecordingReader`` and their records, which also
read other tools' logs) is in ``recording_reader``; its names are re-exported here.

Why the recorder buffers: at 2,000 events/s a flush per event is a syscall per event; it
flushes at least once a second (a timer on the running loop, or the next write) and on close,
so a normal close loses nothing. Events never carry the API key, so neither does a recording;
MCP tools' header values and authorization are masked (``redaction.mask_tool_secrets``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Protocol

from console.realtime import RealtimeConversation
from console.realtime.redaction import mask_tool_secrets

from .recording_reader import (
    DEFAULT_MAX_EVENTS,
    MAX_LINE_BYTES,
    MAX_REPORTED,
    Entry,
    PathLike,
    Recording,
    RecordingError,
    RecordingReader,
    guess_dialect,
    load_recording,
    parse_line,
    parse_time,
)
from .store import EventRecord, Source

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "MAX_LINE_BYTES",
    "MAX_REPORTED",
    "Entry",
    "EventSink",
    "PathLike",
    "Recorder",
    "Recording",
    "RecordingError",
    "RecordingReader",
    "ReplayReport",
    "export_jsonl",
    "guess_dialect",
    "iso_time",
    "load_recording",
    "parse_line",
    "parse_time",
    "record_to_json",
    "replay_into",
]


def iso_time(t: float) -> str:
    """``2026-05-01T12:00:00.123Z`` for epoch seconds ``t``."""
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record_to_json(record: EventRecord) -> str:
    """One compact JSON line (no newline) in our envelope."""
    envelope = {
        "time": iso_time(record.time),
        "t": record.time,
        "source": record.source,
        "event": mask_tool_secrets(record.event),
    }
    # default=repr: a listener must not fail on an odd value a client event might carry.
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False, default=repr)


def _open_for_writing(path: PathLike) -> IO[str]:
    # backslashreplace turns a lone surrogate into "\udXXX", which is still valid JSON.
    return open(path, "w", encoding="utf-8", errors="backslashreplace", buffering=1 << 16)


class Recorder:
    """Writes every record it is given to a JSONL file; ``store.listen(recorder.write)``.

    A write failure (disk full) never raises into the store: it is kept in ``error`` and the
    recorder stops writing.
    """

    def __init__(
        self,
        path: PathLike,
        *,
        flush_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.flush_interval = flush_interval
        self.lines_written = 0
        self.error: OSError | None = None
        self._clock = clock
        self._file: IO[str] | None = _open_for_writing(path)
        self._last_flush = clock()
        self._dirty = False
        self._timer: asyncio.TimerHandle | None = None

    @property
    def closed(self) -> bool:
        return self._file is None

    def write(self, record: EventRecord) -> None:
        """Append one record; flushes if the last flush is ``flush_interval`` old."""
        if self._file is None:
            return
        try:
            self._file.write(record_to_json(record) + "\n")
        except OSError as exc:
            self._fail(exc)
            return
        self.lines_written += 1
        self._dirty = True
        if self._clock() - self._last_flush >= self.flush_interval:
            self.flush()
        elif self._timer is None:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the next write or close flushes
        delay = max(0.0, self.flush_interval - (self._clock() - self._last_flush))
        self._timer = loop.call_later(delay, self._timed_flush)

    def _timed_flush(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        """Write what is buffered to the operating system."""
        self._last_flush = self._clock()
        if self._file is None or not self._dirty:
            return
        try:
            self._file.flush()
        except OSError as exc:
            self._fail(exc)
            return
        self._dirty = False

    def _fail(self, exc: OSError) -> None:
        self.error = exc
        self.close()

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        file, self._file = self._file, None
        if file is None:
            return
        try:
            file.close()
        except OSError as exc:
            self.error = self.error or exc

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def export_jsonl(records: Iterable[EventRecord], path: PathLike) -> int:
    """Write ``records`` as envelope lines to ``path``; returns how many were written."""
    count = 0
    with _open_for_writing(path) as file:
        for record in records:
            file.write(record_to_json(record) + "\n")
            count += 1
    return count


# -- replay ----------------------------------------------------------------------------------


@dataclass
class ReplayReport:
    """What ``replay_into`` did: events replayed, and conversation errors (counted, not raised)."""

    events: int = 0
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(entry index, message) of the first ``MAX_REPORTED`` errors."""


class EventSink(Protocol):
    """Where replayed events go: an ``EventStore``, or the ``Inspector`` that owns one."""

    def clear(self) -> None: ...

    def clock(self) -> float: ...

    def add(self, source: Source, event: dict[str, Any], at: float | None = None) -> Any: ...


def replay_into(
    recording: Recording, conversation: RealtimeConversation, store: EventSink
) -> ReplayReport:
    """Rebuild ``store`` and ``conversation`` from ``recording`` (both are cleared first).

    Records keep their recorded times; an entry without one takes the previous entry's time
    (the store's clock for leading untimed entries). Server events the conversation handles go
    through ``process_event``, as the client's receive loop does.
    """
    store.clear()
    conversation.clear()
    report = ReplayReport()
    last_time: float | None = None
    for index, entry in enumerate(recording.entries):
        if entry.t is not None:
            last_time = entry.t
        elif last_time is None:
            last_time = store.clock()
        store.add(entry.source, entry.event, at=last_time)
        report.events += 1
        if entry.source != "server" or not RealtimeConversation.handles(entry.event["type"]):
            continue
        try:
            conversation.process_event(entry.event)
        except Exception as exc:  # ConversationError, or a malformed event's TypeError & co
            report.error_count += 1
            if len(report.errors) < MAX_REPORTED:
                report.errors.append((index, f"{type(exc).__name__}: {exc}"))
    return report
