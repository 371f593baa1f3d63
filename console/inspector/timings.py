"""Per-response figures a voice-agent developer debugs with: latency, duration, tokens.

``ResponseTimings`` is fed every ``EventRecord`` and works only from the records' times, so a
replayed session gives the same figures as the live one. A response starts at what asked for it:

- a client ``response.create`` (requests are matched to ``response.created`` in order; one the
  server rejects with an ``error`` naming its ``event_id`` is dropped), or
- with server VAD, the ``input_audio_buffer.speech_stopped`` that preceded it (the figure that
  matters in a voice agent: from the end of the user's speech to the first audio);

when both are pending the earlier one is taken. A typed user message
(``conversation.item.create``) supersedes an unanswered ``speech_stopped``. A response with
neither (a server-initiated one, or a log that starts mid-session) starts at its
``response.created``. ``first_delta_ms`` is to the first ``response.*.delta``; ``total_ms`` to
``response.done``. At most ``cap`` responses are kept, oldest dropped.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from .store import EventRecord

Trigger = Literal["request", "speech", "server"]
DEFAULT_TIMINGS_CAP = 1_000
_MAX_PENDING = 256
"""Unanswered ``response.create`` requests remembered (oldest forgotten)."""


@dataclass(frozen=True)
class Usage:
    """Token usage from ``response.done`` (``None`` for what the server did not say)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_token_details: Mapping[str, Any] | None = None
    output_token_details: Mapping[str, Any] | None = None

    @classmethod
    def from_event(cls, usage: Any) -> Usage | None:
        """Read a ``response.usage`` object; ``None`` if it is absent or not an object."""
        if not isinstance(usage, dict):
            return None

        def count(key: str) -> int | None:
            value = usage.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        def details(key: str) -> Mapping[str, Any] | None:
            value = usage.get(key)
            return value if isinstance(value, dict) else None

        return cls(
            input_tokens=count("input_tokens"),
            output_tokens=count("output_tokens"),
            total_tokens=count("total_tokens"),
            input_token_details=details("input_token_details"),
            output_token_details=details("output_token_details"),
        )


@dataclass(frozen=True)
class ResponseTiming:
    """What is known of one response; times are epoch seconds from the records."""

    response_id: str
    start: float
    trigger: Trigger
    created: float
    first_delta: float | None = None
    done: float | None = None
    status: str | None = None
    status_details: Mapping[str, Any] | None = None
    usage: Usage | None = None
    item_ids: tuple[str, ...] = ()

    @property
    def first_delta_ms(self) -> float | None:
        """From the start to the first delta of any kind (text, audio, transcript, arguments)."""
        return None if self.first_delta is None else (self.first_delta - self.start) * 1000.0

    @property
    def total_ms(self) -> float | None:
        """From the start to ``response.done``."""
        return None if self.done is None else (self.done - self.start) * 1000.0

    @property
    def is_done(self) -> bool:
        return self.done is not None


class ResponseTimings:
    """Timings of the latest ``cap`` responses, updated by ``observe`` (O(1) per record)."""

    def __init__(
        self, clock: Callable[[], float] = time.time, cap: int = DEFAULT_TIMINGS_CAP
    ) -> None:
        if cap < 1:
            raise ValueError(f"the timings cap must be at least 1, not {cap}")
        self.clock = clock
        """Only for ``running_ms`` of an unfinished response; figures use the records' times."""
        self.cap = cap
        self.version = 0
        """Changes whenever a timing changes, so a pane can skip unchanged frames."""
        self._timings: OrderedDict[str, ResponseTiming] = OrderedDict()
        self._by_item: dict[str, str] = {}
        self._requests: deque[tuple[float, str | None]] = deque(maxlen=_MAX_PENDING)
        self._speech_stopped: float | None = None

    def __len__(self) -> int:
        return len(self._timings)

    def get(self, response_id: str) -> ResponseTiming | None:
        """The timing of a response, or ``None`` if unknown (or dropped)."""
        return self._timings.get(response_id)

    def for_item(self, item_id: str) -> ResponseTiming | None:
        """The timing of the response that produced an output item."""
        response_id = self._by_item.get(item_id)
        return None if response_id is None else self._timings.get(response_id)

    def latest(self) -> ResponseTiming | None:
        """The most recently created response's timing."""
        return next(reversed(self._timings.values()), None)

    def all(self) -> list[ResponseTiming]:
        """Every kept timing, oldest first."""
        return list(self._timings.values())

    def running_ms(self, timing: ResponseTiming) -> float:
        """How long a response has run: ``total_ms`` if done, else until the clock's now."""
        total = timing.total_ms
        return total if total is not None else (self.clock() - timing.start) * 1000.0

    def clear(self) -> None:
        """Forget every timing and pending request."""
        self._timings.clear()
        self._by_item.clear()
        self._requests.clear()
        self._speech_stopped = None
        self.version += 1

    def observe(self, record: EventRecord) -> None:
        """Take one record into account (every record may be passed; most are ignored)."""
        event_type, event = record.type, record.event
        if record.source == "client":
            if event_type == "response.create":
                event_id = event.get("event_id")
                self._requests.append(
                    (record.time, event_id if isinstance(event_id, str) else None)
                )
            elif event_type == "conversation.item.create":
                self._speech_stopped = None
            return
        if event_type.endswith(".delta") and event_type.startswith("response."):
            response_id = event.get("response_id")
            timing = self._timings.get(response_id) if isinstance(response_id, str) else None
            if timing is not None and timing.first_delta is None:
                self._set(replace(timing, first_delta=record.time))
        elif event_type == "input_audio_buffer.speech_stopped":
            self._speech_stopped = record.time
        elif event_type == "response.created":
            self._created(record)
        elif event_type == "response.output_item.added":
            self._item_added(event)
        elif event_type == "response.done":
            self._done(record)
        elif event_type == "error":
            self._rejected(event)

    # -- the events that matter ---------------------------------------------------------------

    def _created(self, record: EventRecord) -> None:
        response = record.event.get("response")
        response_id = response.get("id") if isinstance(response, dict) else None
        if not isinstance(response_id, str) or response_id in self._timings:
            return
        start, trigger = self._take_start(record.time)
        self._add(ResponseTiming(response_id, start, trigger, created=record.time))

    def _take_start(self, now: float) -> tuple[float, Trigger]:
        request = self._requests[0][0] if self._requests else None
        speech = self._speech_stopped
        if request is not None and (speech is None or request <= speech):
            self._requests.popleft()
            return request, "request"
        if speech is not None:
            self._speech_stopped = None
            return speech, "speech"
        return now, "server"

    def _rejected(self, event: Mapping[str, Any]) -> None:
        """An ``error`` naming a pending ``response.create``: that request gets no response."""
        error = event.get("error")
        rejected = error.get("event_id") if isinstance(error, dict) else None
        if not isinstance(rejected, str):
            return
        for index, (_, event_id) in enumerate(self._requests):
            if event_id == rejected:
                del self._requests[index]
                return

    def _item_added(self, event: Mapping[str, Any]) -> None:
        response_id, item = event.get("response_id"), event.get("item")
        timing = self._timings.get(response_id) if isinstance(response_id, str) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        if timing is None or not isinstance(item_id, str) or item_id in timing.item_ids:
            return
        self._by_item[item_id] = timing.response_id
        self._set(replace(timing, item_ids=(*timing.item_ids, item_id)))

    def _done(self, record: EventRecord) -> None:
        response = record.event.get("response")
        if not isinstance(response, dict) or not isinstance(response.get("id"), str):
            return
        response_id: str = response["id"]
        timing = self._timings.get(response_id)
        if timing is None:  # a log that starts mid-response, or one dropped long ago
            timing = ResponseTiming(response_id, record.time, "server", created=record.time)
            self._add(timing)
        item_ids = list(timing.item_ids)
        for item in response.get("output") or ():
            item_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(item_id, str) and item_id not in item_ids:
                item_ids.append(item_id)
                self._by_item[item_id] = response_id
        status, details = response.get("status"), response.get("status_details")
        self._set(
            replace(
                timing,
                done=record.time,
                status=status if isinstance(status, str) else None,
                status_details=details if isinstance(details, dict) else None,
                usage=Usage.from_event(response.get("usage")),
                item_ids=tuple(item_ids),
            )
        )

    # -- the bounded map ----------------------------------------------------------------------

    def _add(self, timing: ResponseTiming) -> None:
        self._timings[timing.response_id] = timing
        self.version += 1
        while len(self._timings) > self.cap:
            _, oldest = self._timings.popitem(last=False)
            for item_id in oldest.item_ids:
                if self._by_item.get(item_id) == oldest.response_id:
                    del self._by_item[item_id]

    def _set(self, timing: ResponseTiming) -> None:
        self._timings[timing.response_id] = timing
        self.version += 1
