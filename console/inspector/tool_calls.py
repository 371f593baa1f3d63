"""Tool calls as facts of the event stream: who was called, when, and whether it was answered.

A function call made by the model waits for a ``function_call_output`` item with its
``call_id``. When the console has a handler the library sends one; when it has none (a session
defined elsewhere, or a tool typed into the session editor's JSON) nothing does, and the call just
sits. ``ToolCalls`` is fed every ``EventRecord`` (live or replayed, either dialect; O(1) per event
except ``response.done``, which walks its own output list, and ``session.created``, which walks
the calls kept) and keeps, per call: its name, call id, item id, response id, arguments, when its
arguments were done, when an output for it was sent (a client ``conversation.item.create``), and
when the server's conversation showed one (sent from here, or by another connection: attached to
a call, its caller answers; a call with an output in the conversation is answered either way).
So "pending" and "how long the handler ran" (arguments done → output sent) are facts here, with
the times of the records, and a replay gives the same answers as the live session. An output the
server refuses (an ``error`` naming the sending event's id) leaves the call pending, with the
refusal noted; a call whose item was deleted, or whose session ended (a new ``session.created``),
waits for nothing any more. ``ToolCall`` objects are changed only here; others read them.

At most ``cap`` calls are kept (the oldest are let go); arguments and outputs are kept up to
``MAX_TEXT_CHARS`` each. ``parse_tool_output`` checks what a user types as an answer, and
``answer_tool_call`` sends it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from console.realtime import RealtimeClient

from .store import TimedEvent

DEFAULT_TOOL_CALLS_CAP = 1_000
MAX_TEXT_CHARS = 64_000
"""Arguments and outputs longer than this are kept cut (the event store has them whole)."""
_MAX_SENT = 256
"""Output items sent and not yet seen by the server, remembered to match a refusal."""

OutputKind = Literal["json", "text"]


@dataclass(slots=True)
class ToolCall:
    """One function call; times are epoch seconds from the records (``None``: not yet)."""

    call_id: str
    name: str
    item_id: str | None
    response_id: str | None
    seen: float | None
    """When the call was first seen (its ``output_item.added``, usually)."""
    arguments: str = ""
    arguments_done: float | None = None
    """When its arguments were complete (``function_call_arguments.done`` or the item's done)."""
    status: str | None = None
    """The item's status as last seen (``in_progress``, ``completed``, ``incomplete``)."""
    output: str | None = None
    output_sent: float | None = None
    """When the first ``function_call_output`` for it was sent."""
    outputs: int = 0
    """How many outputs were sent for it (a second one is a mistake worth seeing)."""
    output_received: float | None = None
    """When the server added that output item to the conversation."""
    refused: str | None = None
    """Why the server refused the output sent for it (it is pending again)."""
    deleted: bool = False
    """The call's item was deleted from the conversation: nothing can answer it now."""
    ended: bool = False
    """Its session ended (a later ``session.created``) before it was answered: nothing can."""

    @property
    def answerable(self) -> bool:
        """The model waits for an output: arguments complete, item kept, not incomplete."""
        return (
            self.arguments_done is not None
            and self.status != "incomplete"
            and not self.deleted
            and not self.ended
        )

    @property
    def pending(self) -> bool:
        """Answerable, no output sent for it (or the one sent was refused), and none in the
        conversation (another connection, such as the caller of an attached call, may answer)."""
        return self.answerable and self.output_sent is None and self.output_received is None

    @property
    def answered_elsewhere_ms(self) -> float | None:
        """From its arguments being done to an output it did not send arriving: how long the
        other connection (the caller of an attached call) took; None if not that case."""
        if self.output_sent is not None or self.output_received is None:
            return None
        if self.arguments_done is None:
            return None
        return max(0.0, (self.output_received - self.arguments_done) * 1000.0)

    @property
    def handler_ms(self) -> float | None:
        """From its arguments being done to its output being sent: how long the handler ran."""
        if self.arguments_done is None or self.output_sent is None:
            return None
        return max(0.0, (self.output_sent - self.arguments_done) * 1000.0)


class ToolCalls:
    """The latest ``cap`` function calls, updated by ``observe`` (O(1) per record)."""

    def __init__(self, cap: int = DEFAULT_TOOL_CALLS_CAP) -> None:
        if cap < 1:
            raise ValueError(f"the tool calls cap must be at least 1, not {cap}")
        self.cap = cap
        self.version = 0
        """Changes whenever a call changes, so a view can skip unchanged frames."""
        self._calls: OrderedDict[str, ToolCall] = OrderedDict()
        self._by_item: dict[str, str] = {}
        self._sent: OrderedDict[str, str] = OrderedDict()
        """Event id of a ``function_call_output`` sent → its call id, until the server has it."""

    def __len__(self) -> int:
        return len(self._calls)

    def get(self, call_id: str) -> ToolCall | None:
        """The call with this ``call_id``, or ``None`` if unknown (or let go)."""
        return self._calls.get(call_id)

    def for_item(self, item_id: str) -> ToolCall | None:
        """The call whose conversation item this is."""
        call_id = self._by_item.get(item_id)
        return None if call_id is None else self._calls.get(call_id)

    def all(self) -> list[ToolCall]:
        """Every kept call, oldest first."""
        return list(self._calls.values())

    def pending(self) -> list[ToolCall]:
        """Calls waiting for an output, oldest first."""
        return [call for call in self._calls.values() if call.pending]

    def to_answer(self, item_id: str | None = None) -> ToolCall | None:
        """The call an answer is for: ``item_id``'s if it is pending, else the newest pending."""
        call = self.for_item(item_id) if item_id is not None else None
        if call is not None and call.pending:
            return call
        return next((call for call in reversed(self._calls.values()) if call.pending), None)

    def clear(self) -> None:
        """Forget every call."""
        self._calls.clear()
        self._by_item.clear()
        self._sent.clear()
        self.version += 1

    def observe(self, record: TimedEvent) -> tuple[ToolCall, ...]:
        """Take one record into account; the calls it changed (most records: none)."""
        if record.source == "server" and record.type == "response.done":
            return self._response_done(record)
        if record.source == "server" and record.type == "session.created":
            return self._session_created()
        call = self._observe(record)
        return () if call is None else (call,)

    def _observe(self, record: TimedEvent) -> ToolCall | None:
        event_type, event = record.type, record.event
        if record.source == "client":
            if event_type == "conversation.item.create":
                return self._output_sent(record)
            return None
        if event_type == "response.function_call_arguments.done":
            return self._arguments_done(record)
        if event_type in ("response.output_item.added", "response.output_item.done"):
            return self._item(event.get("item"), record.time, _text(event.get("response_id")))
        if event_type in (
            "conversation.item.added",
            "conversation.item.created",
            "conversation.item.done",
            "conversation.item.retrieved",
        ):
            item = event.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call_output":
                return self._output_received(item, record.time)
            return self._item(item, record.time, None)
        if event_type == "conversation.item.deleted":
            return self._deleted(event.get("item_id"))
        if event_type == "error":
            return self._refused(event.get("error"))
        return None

    # -- the events that matter ---------------------------------------------------------------

    def _item(self, item: Any, at: float | None, response_id: str | None) -> ToolCall | None:
        """A ``function_call`` item as the server shows it (added, done, or in a list)."""
        if not isinstance(item, dict) or item.get("type") != "function_call":
            return None
        call_id, item_id = item.get("call_id"), item.get("id")
        if not isinstance(call_id, str) or not call_id:
            return None
        call = self._calls.get(call_id)
        if call is None:
            name = item.get("name")
            call = ToolCall(
                call_id,
                name if isinstance(name, str) else "?",
                item_id if isinstance(item_id, str) else None,
                response_id,
                seen=at,
            )
            self._add(call)
        if call.item_id is None and isinstance(item_id, str):
            call.item_id = item_id
            self._by_item[item_id] = call_id
        if call.response_id is None:
            call.response_id = response_id
        status = item.get("status")
        if isinstance(status, str):
            call.status = status
        arguments = item.get("arguments")
        if isinstance(arguments, str) and arguments:
            call.arguments = arguments[:MAX_TEXT_CHARS]
        if status == "completed" and call.arguments_done is None:
            call.arguments_done = at
        self.version += 1
        return call

    def _arguments_done(self, record: TimedEvent) -> ToolCall | None:
        event = record.event
        call_id = event.get("call_id")
        call = self._calls.get(call_id) if isinstance(call_id, str) else None
        if call is None:  # a log that starts mid-call: the done event says enough
            item_id = event.get("item_id")
            call = self._item(
                {
                    "type": "function_call",
                    "call_id": call_id,
                    "id": item_id,
                    "name": event.get("name"),
                },
                record.time,
                _text(event.get("response_id")),
            )
            if call is None:
                return None
        arguments = event.get("arguments")
        if isinstance(arguments, str):
            call.arguments = arguments[:MAX_TEXT_CHARS]
        if call.arguments_done is None:
            call.arguments_done = record.time
        self.version += 1
        return call

    def _response_done(self, record: TimedEvent) -> tuple[ToolCall, ...]:
        """The final word on each call the response made (an ``incomplete`` one is not run)."""
        response = record.event.get("response")
        output = response.get("output") if isinstance(response, dict) else None
        if not isinstance(response, dict) or not isinstance(output, list):
            return ()
        response_id = _text(response.get("id"))
        calls = (self._item(item, record.time, response_id) for item in output)
        return tuple(call for call in calls if call is not None)

    def _output_sent(self, record: TimedEvent) -> ToolCall | None:
        item = record.event.get("item")
        if not isinstance(item, dict) or item.get("type") != "function_call_output":
            return None
        call_id = item.get("call_id")
        call = self._calls.get(call_id) if isinstance(call_id, str) else None
        if call is None:
            return None
        call.outputs += 1
        if call.output_sent is None:
            call.output_sent = record.time
            output = item.get("output")
            call.output = output[:MAX_TEXT_CHARS] if isinstance(output, str) else None
            call.refused = None
        event_id = record.event.get("event_id")
        if isinstance(event_id, str):
            self._sent[event_id] = call.call_id
            while len(self._sent) > _MAX_SENT:
                self._sent.popitem(last=False)
        self.version += 1
        return call

    def _output_received(self, item: Mapping[str, Any], at: float | None) -> ToolCall | None:
        call_id = item.get("call_id")
        call = self._calls.get(call_id) if isinstance(call_id, str) else None
        if call is None or call.output_received is not None:
            return None
        call.output_received = at
        if call.output_sent is None:  # answered by another connection: its output is the one
            output = item.get("output")
            call.output = output[:MAX_TEXT_CHARS] if isinstance(output, str) else None
            call.refused = None
        for event_id, sent_for in list(self._sent.items()):
            if sent_for == call.call_id:
                del self._sent[event_id]
        self.version += 1
        return call

    def _refused(self, error: Any) -> ToolCall | None:
        """An ``error`` naming an output we sent: the call waits for an answer again."""
        event_id = error.get("event_id") if isinstance(error, dict) else None
        call_id = self._sent.pop(event_id, None) if isinstance(event_id, str) else None
        call = self._calls.get(call_id) if call_id is not None else None
        if call is None or call.output_received is not None or not isinstance(error, dict):
            return None
        call.output_sent = None
        call.output = None
        call.refused = str(error.get("code") or error.get("message") or "refused")
        self.version += 1
        return call

    def _session_created(self) -> tuple[ToolCall, ...]:
        """A new session (a reconnect): its server knows none of the calls still waiting."""
        ended = tuple(call for call in self._calls.values() if call.pending)
        for call in ended:
            call.ended = True
        if ended:
            self.version += 1
        return ended

    def _deleted(self, item_id: Any) -> ToolCall | None:
        call = self.for_item(item_id) if isinstance(item_id, str) else None
        if call is None:
            return None
        call.deleted = True
        self.version += 1
        return call

    # -- the bounded map ----------------------------------------------------------------------

    def _add(self, call: ToolCall) -> None:
        self._calls[call.call_id] = call
        if call.item_id is not None:
            self._by_item[call.item_id] = call.call_id
        while len(self._calls) > self.cap:
            _, oldest = self._calls.popitem(last=False)
            if oldest.item_id is not None and self._by_item.get(oldest.item_id) == oldest.call_id:
                del self._by_item[oldest.item_id]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def describe_call(call: ToolCall, *, has_handler: bool, live: bool = True) -> str:
    """How a call's line reads: ``pending — no handler``, ``answered in 212 ms``, or ``""``.

    ``has_handler``: the console runs this tool itself (it is "running" until it answers);
    ``live``: False in a replay, where nothing can answer any more.
    """
    if call.output_sent is not None:
        ms = call.handler_ms
        text = "answered" if ms is None else f"answered in {format_ms(ms)}"
        return text if call.outputs < 2 else f"{text} ({call.outputs} outputs sent)"
    if call.output_received is not None:  # an output this console did not send
        ms = call.answered_elsewhere_ms
        text = "answered by another connection"
        return text if ms is None else f"{text} in {format_ms(ms)}"
    if call.ended:
        return "never answered (its session ended)"
    if not call.pending:
        return ""
    if not live:
        return "unanswered in the recording"
    if call.refused:
        return f"pending — answer refused ({call.refused})"
    return "handler running" if has_handler else "pending — no handler"


def format_ms(ms: float) -> str:
    """``212 ms`` under a second, ``1.25 s`` above."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


class ToolOutputError(ValueError):
    """An answer the console will not send; the message says why."""


def parse_tool_output(text: str, kind: OutputKind) -> str:
    """The ``output`` string to send: ``json`` must parse (sent compact), ``text`` as typed.

    Either must not be empty (the model would get nothing to go on).
    """
    if not text.strip():
        raise ToolOutputError("the output is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ToolOutputError(f"the output is longer than {MAX_TEXT_CHARS:,} characters")
    if kind == "text":
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolOutputError(
            f"not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg} "
            "(choose plain text to send it as typed)"
        ) from None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def answer_tool_call(
    client: RealtimeClient, call_id: str, output: str, respond: bool = True
) -> None:
    """Send ``output`` as the ``function_call_output`` of ``call_id``, then (``respond``) ask
    for a response, as the library does after its own handlers. Raises when not connected."""
    item = {"type": "function_call_output", "call_id": call_id, "output": output}
    client.realtime.send("conversation.item.create", {"item": item})
    if respond:
        client.create_response()
