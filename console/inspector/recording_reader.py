"""Read recordings: ours (the envelope ``recording`` writes) and other tools' logs.

``load_recording`` reads a whole JSONL file into a ``Recording``; ``RecordingReader`` gives its
entries one at a time in constant memory. Both also read other tools' logs (one bare event per
line, with or without a ``time``/``timestamp``) so a log from elsewhere can be replayed into the
console, and guess the wire dialect the events look like. Loading never raises for a bad line
(it is counted with its line number); lines and event counts are bounded so a huge or hostile
file cannot exhaust memory.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Literal, NamedTuple

from console.realtime.dialects import CLIENT_EVENT_TYPES, SERVER_EVENT_ALIASES

from .store import Source

PathLike = str | os.PathLike[str]


MAX_LINE_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_EVENTS = 1_000_000
MAX_REPORTED = 1_000
"""Skipped lines and replay errors kept with details (all are counted)."""

_GA_ONLY = frozenset(SERVER_EVENT_ALIASES) | {"conversation.item.done"}
_BETA_ONLY = frozenset(SERVER_EVENT_ALIASES.values()) | {
    "transcription_session.update",
    "transcription_session.updated",
}


class RecordingError(Exception):
    """A recording that cannot be read at all, holds no event, or exceeds the event bound."""


class Entry(NamedTuple):
    """One loaded event: who sent it, the event, and when (epoch seconds, if recorded)."""

    source: Source
    event: dict[str, Any]
    t: float | None


@dataclass
class Recording:
    """The events of a loaded file, the lines skipped, and the wire dialect they look like."""

    entries: list[Entry] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(line number, reason) of the first ``MAX_REPORTED`` malformed lines."""
    skipped_count: int = 0
    dialect_guess: Literal["ga", "beta"] = "ga"


def parse_time(value: Any) -> float | None:
    """Epoch seconds from an ISO-8601 string or a number (seconds, or milliseconds if huge)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value) / 1000.0 if abs(value) > 1e11 else float(value)
        return seconds if math.isfinite(seconds) else None
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(float(value))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_line(obj: Any) -> Entry | str:
    """The entry a decoded line holds, or why it holds none."""
    if not isinstance(obj, dict):
        return f"not a JSON object ({type(obj).__name__})"
    inner = obj.get("event")
    if isinstance(inner, dict) and not isinstance(obj.get("type"), str):
        if not isinstance(inner.get("type"), str):
            return 'the event has no "type"'
        source = obj.get("source")
        if source not in ("client", "server", "local", None):
            return f"unknown source {source!r}"
        t = parse_time(obj.get("t"))
        if t is None:
            t = parse_time(obj.get("time") or obj.get("timestamp"))
        return Entry(source or _guess_source(inner["type"]), inner, t)
    event_type = obj.get("type")
    if not isinstance(event_type, str) or not event_type:
        return 'no "type" (neither an event nor an envelope)'
    return Entry(_guess_source(event_type), obj, parse_time(obj.get("time", obj.get("timestamp"))))


def _guess_source(event_type: str) -> Source:
    if event_type.startswith("local."):
        return "local"
    return "client" if event_type in CLIENT_EVENT_TYPES else "server"


def guess_dialect(entries: Iterable[Entry]) -> Literal["ga", "beta"]:
    """``beta`` when beta-only event names outnumber GA-only ones, else ``ga`` (the default)."""
    votes = _DialectVotes()
    for entry in entries:
        votes.count(entry.event)
    return votes.guess


class _DialectVotes:
    """GA-only against beta-only event names (and session shapes), counted one event at a time."""

    __slots__ = ("beta", "ga")

    def __init__(self) -> None:
        self.ga = self.beta = 0

    def count(self, event: dict[str, Any]) -> None:
        event_type = event["type"]
        if event_type in _GA_ONLY:
            self.ga += 1
        elif event_type in _BETA_ONLY:
            self.beta += 1
        elif event_type in ("session.created", "session.updated"):
            session = event.get("session")
            if isinstance(session, dict):
                self.ga += "output_modalities" in session or "type" in session
                self.beta += "modalities" in session

    @property
    def guess(self) -> Literal["ga", "beta"]:
        return "beta" if self.beta > self.ga else "ga"


def _lines(file: IO[bytes], max_line_bytes: int) -> Iterable[tuple[int, bytes | None]]:
    """(line number, bytes) per line; ``None`` for a line longer than ``max_line_bytes``."""
    line_no = 0
    while True:
        line = file.readline(max_line_bytes + 1)
        if not line:
            return
        line_no += 1
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            while (rest := file.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the over-long line without holding it
            yield line_no, None
        else:
            yield line_no, line


class RecordingReader:
    """A recording's entries one at a time, keeping none of them: for one pass over a file of
    any length (``report``) in constant memory. Bad lines are skipped and reported as
    ``load_recording`` does; ``events``, ``skipped`` and ``dialect_guess`` are known once the
    iteration has ended.

    Iterating raises ``RecordingError`` if the file cannot be read, or holds more than
    ``max_events`` events (``None``: no bound, nothing is kept).
    """

    def __init__(
        self,
        path: PathLike,
        *,
        max_events: int | None = DEFAULT_MAX_EVENTS,
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        self.path = path
        self.max_events = max_events
        self.max_line_bytes = max_line_bytes
        self.events = 0
        self.skipped: list[tuple[int, str]] = []
        self.skipped_count = 0
        self._votes = _DialectVotes()

    @property
    def dialect_guess(self) -> Literal["ga", "beta"]:
        return self._votes.guess

    def _skip(self, line_no: int, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_REPORTED:
            self.skipped.append((line_no, reason))

    def __iter__(self) -> Iterator[Entry]:
        path, max_events = self.path, self.max_events
        try:
            with open(path, "rb") as file:
                for line_no, raw in _lines(file, self.max_line_bytes):
                    parsed = self._parse(line_no, raw)
                    if parsed is None:
                        continue
                    if max_events is not None and self.events >= max_events:
                        raise RecordingError(
                            f"{os.fspath(path)}: more than {max_events:,} events "
                            f"(line {line_no}); raise max_events to load it"
                        )
                    self.events += 1
                    self._votes.count(parsed.event)
                    yield parsed
        except OSError as exc:
            raise RecordingError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None

    def _parse(self, line_no: int, raw: bytes | None) -> Entry | None:
        """The entry on one line, or ``None`` (a blank line, or a bad one: skipped)."""
        if raw is None:
            self._skip(line_no, f"line longer than {self.max_line_bytes} bytes")
            return None
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            return None
        try:
            parsed = parse_line(json.loads(raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            parsed = f"not UTF-8 ({exc.reason} at byte {exc.start})"
        except ValueError as exc:  # json.JSONDecodeError, or a too-deep nesting
            parsed = f"invalid JSON ({exc})"
        except RecursionError:
            parsed = "invalid JSON (nested too deeply)"
        if isinstance(parsed, str):
            self._skip(line_no, parsed)
            return None
        return parsed

    def no_event(self) -> RecordingError:
        """The error for a file that held no event (once iterated)."""
        detail = f"; {self.skipped_count} malformed line(s)" if self.skipped_count else ""
        return RecordingError(f"{os.fspath(self.path)} holds no event{detail}")


def load_recording(
    path: PathLike,
    *,
    max_events: int = DEFAULT_MAX_EVENTS,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Recording:
    """Read a JSONL recording (ours or another tool's); bad lines are skipped and reported.

    Raises ``RecordingError`` if the file cannot be read, holds no event, or holds more than
    ``max_events`` events.
    """
    reader = RecordingReader(path, max_events=max_events, max_line_bytes=max_line_bytes)
    entries = list(reader)
    if not entries:
        raise reader.no_event()
    return Recording(entries, reader.skipped, reader.skipped_count, reader.dialect_guess)
