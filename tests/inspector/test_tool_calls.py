"""Tool calls from the event stream: hand-made records in both dialects, and real sessions.

The facts under test: a call with no output is pending; an output sent (client
``conversation.item.create``) answers it and times the handler from the arguments' done; a refused
output makes it pending again; incomplete and deleted calls wait for nothing; the map is bounded;
a replay of a recording gives the same facts as the live session.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.inspector.recording import export_jsonl, load_recording, replay_into
from console.inspector.store import EventRecord, EventStore
from console.inspector.tool_calls import (
    ToolCalls,
    ToolOutputError,
    answer_tool_call,
    describe_call,
    parse_tool_output,
)
from console.realtime import RealtimeClient, RealtimeConversation
from console.simulator import SimulatorServer

TIMEOUT = 5.0
ORDER_TOOL = {
    "type": "function",
    "name": "lookup_order",
    "description": "Looks up an order by its number",
    "parameters": {
        "type": "object",
        "properties": {"order": {"type": "string", "description": "the order number"}},
        "required": ["order"],
    },
}


class Feed:
    """Hand-made records into a ``ToolCalls``, with increasing sequence numbers."""

    def __init__(self, calls: ToolCalls) -> None:
        self.calls = calls
        self.seq = 0

    def __call__(self, t: float, source: Any, event_type: str, **fields: Any) -> Any:
        event = {"type": event_type, **fields}
        self.seq += 1
        return self.calls.observe(EventRecord(self.seq, t, source, event_type, event))

    def call(self, t: float, call_id: str, item_id: str, dialect: str = "ga") -> None:
        """A response that calls ``lookup_order``: added at ``t``, arguments done at ``t + 0.1``."""
        item = {"id": item_id, "type": "function_call", "status": "in_progress"}
        item |= {"name": "lookup_order", "call_id": call_id, "arguments": ""}
        added = "conversation.item.added" if dialect == "ga" else "conversation.item.created"
        self(t, "server", "response.output_item.added", response_id="resp_1", item=item)
        self(t, "server", added, item=item)
        done = {**item, "status": "completed", "arguments": '{"order":"42"}'}
        self(
            t + 0.1,
            "server",
            "response.function_call_arguments.done",
            response_id="resp_1",
            item_id=item_id,
            call_id=call_id,
            arguments='{"order":"42"}',
        )
        self(t + 0.1, "server", "response.output_item.done", response_id="resp_1", item=done)
        if dialect == "ga":
            self(t + 0.1, "server", "conversation.item.done", item=done)
        response = {"id": "resp_1", "status": "completed", "output": [done]}
        self(t + 0.12, "server", "response.done", response=response)

    def answer(self, t: float, call_id: str, event_id: str = "evt_out", output: str = "{}") -> Any:
        item = {"type": "function_call_output", "call_id": call_id, "output": output}
        return self(t, "client", "conversation.item.create", event_id=event_id, item=item)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_a_call_is_pending_until_its_output_is_sent_then_timed(dialect: str) -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed.call(100.0, "call_1", "item_1", dialect)
    call = calls.get("call_1")
    assert call is not None and calls.for_item("item_1") is call
    assert (call.name, call.item_id, call.response_id) == ("lookup_order", "item_1", "resp_1")
    assert call.arguments == '{"order":"42"}' and call.arguments_done == 100.1
    assert call.pending and calls.pending() == [call]
    assert describe_call(call, has_handler=False) == "pending — no handler"
    assert describe_call(call, has_handler=True) == "handler running"
    assert describe_call(call, has_handler=False, live=False) == "unanswered in the recording"

    feed.answer(100.312, "call_1", output='{"status":"shipped"}')
    assert not call.pending and calls.pending() == []
    assert call.output == '{"status":"shipped"}'
    assert call.handler_ms == pytest.approx(212.0)
    assert describe_call(call, has_handler=False) == "answered in 212 ms"
    received = {"id": "item_2", "type": "function_call_output", "call_id": "call_1"}
    feed(100.4, "server", "conversation.item.added", item=received)
    assert call.output_received == 100.4


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_a_call_answered_by_another_connection_is_answered(dialect: str) -> None:
    """Attached to a call, the caller answers: no output is sent from here, but the server's
    conversation shows the ``function_call_output`` item (GA: ``conversation.item.added`` then
    ``.done``; beta: ``conversation.item.created``)."""
    calls = ToolCalls()
    feed = Feed(calls)
    feed.call(100.0, "call_1", "item_1", dialect)
    call = calls.get("call_1")
    assert call is not None and call.pending
    output = {"id": "item_2", "type": "function_call_output", "call_id": "call_1"}
    output |= {"output": '{"sky":"clear"}'}
    if dialect == "ga":
        feed(100.35, "server", "conversation.item.added", previous_item_id="item_1", item=output)
        feed(100.35, "server", "conversation.item.done", previous_item_id="item_1", item=output)
    else:
        feed(100.35, "server", "conversation.item.created", previous_item_id="item_1", item=output)
    assert not call.pending and calls.pending() == [] and calls.to_answer() is None
    assert call.output == '{"sky":"clear"}' and call.outputs == 0
    assert describe_call(call, has_handler=False) == "answered by another connection in 250 ms"
    assert describe_call(call, has_handler=False, live=False) == (
        "answered by another connection in 250 ms"
    )


def test_arguments_still_streaming_are_not_pending_and_incomplete_calls_wait_for_nothing() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    item = {"id": "item_1", "type": "function_call", "status": "in_progress"}
    item |= {"name": "lookup_order", "call_id": "call_1", "arguments": ""}
    feed(1.0, "server", "response.output_item.added", response_id="resp_1", item=item)
    call = calls.get("call_1")
    assert call is not None and not call.pending and describe_call(call, has_handler=False) == ""
    cut = {**item, "status": "incomplete"}
    response = {"id": "resp_1", "status": "cancelled", "output": [cut]}
    feed(1.2, "server", "response.done", response=response)
    assert call.status == "incomplete" and not call.pending and call.arguments_done is None


def test_a_refused_output_makes_the_call_pending_again_and_says_why() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed.call(1.0, "call_1", "item_1")
    feed.answer(2.0, "call_1", event_id="evt_bad")
    error = {"type": "invalid_request_error", "code": "invalid_value", "event_id": "evt_bad"}
    feed(2.01, "server", "error", error=error)
    call = calls.get("call_1")
    assert call is not None and call.pending and call.refused == "invalid_value"
    assert describe_call(call, has_handler=False) == "pending — answer refused (invalid_value)"
    feed.answer(3.1, "call_1", event_id="evt_good")
    assert not call.pending and call.handler_ms == pytest.approx(2000.0)
    assert describe_call(call, has_handler=False) == "answered in 2.00 s (2 outputs sent)"


def test_an_error_about_something_else_changes_no_call() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed.call(1.0, "call_1", "item_1")
    feed.answer(2.0, "call_1", event_id="evt_out")
    version = calls.version
    assert feed(2.1, "server", "error", error={"code": "x", "event_id": "evt_other"}) == ()
    assert feed(2.1, "server", "error", error="not an object") == ()
    assert calls.version == version and not calls.get("call_1").pending  # type: ignore[union-attr]


def test_a_deleted_call_waits_for_nothing_and_unknown_outputs_are_ignored() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed.call(1.0, "call_1", "item_1")
    assert feed.answer(1.5, "call_unknown") == ()
    feed(2.0, "server", "conversation.item.deleted", item_id="item_1")
    call = calls.get("call_1")
    assert call is not None and call.deleted and not call.pending and calls.pending() == []


def test_a_new_session_leaves_the_old_sessions_calls_unanswerable() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed(0.5, "server", "session.created", session={"id": "sess_1"})
    feed.call(1.0, "call_1", "item_1")
    feed.call(2.0, "call_2", "item_2")
    feed.answer(2.5, "call_2")
    feed(9.0, "server", "session.created", session={"id": "sess_2"})  # a reconnect
    old, answered = calls.get("call_1"), calls.get("call_2")
    assert old is not None and answered is not None
    assert not old.pending and calls.pending() == [] and calls.to_answer() is None
    assert describe_call(old, has_handler=False) == "never answered (its session ended)"
    assert describe_call(answered, has_handler=False) == "answered in 400 ms"
    feed.call(10.0, "call_3", "item_3")
    assert [call.call_id for call in calls.pending()] == ["call_3"]


def test_a_log_that_starts_mid_call_still_knows_the_call() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed(
        5.0,
        "server",
        "response.function_call_arguments.done",
        response_id="resp_9",
        item_id="item_9",
        call_id="call_9",
        name="lookup_order",
        arguments="{}",
    )
    call = calls.get("call_9")
    assert call is not None and call.pending and call.name == "lookup_order"
    assert calls.for_item("item_9") is call and call.response_id == "resp_9"


def test_hostile_events_change_nothing() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    for fields in (
        {"item": None},
        {"item": {"type": "function_call"}},
        {"item": {"type": "function_call", "call_id": 7}},
        {"item": [1, 2]},
    ):
        assert feed(1.0, "server", "response.output_item.added", **fields) == ()
    assert feed(1.0, "server", "response.done", response={"output": "nope"}) == ()
    assert feed(1.0, "server", "response.function_call_arguments.done", call_id=None) == ()
    assert feed(1.0, "client", "conversation.item.create", item="x") == ()
    assert len(calls) == 0


def test_the_map_is_bounded_and_lets_the_oldest_go() -> None:
    calls = ToolCalls(cap=3)
    feed = Feed(calls)
    for n in range(5):
        feed.call(float(n), f"call_{n}", f"item_{n}")
    assert [call.call_id for call in calls.all()] == ["call_2", "call_3", "call_4"]
    assert calls.for_item("item_0") is None and calls.for_item("item_4") is not None
    with pytest.raises(ValueError):
        ToolCalls(cap=0)


def test_arguments_and_outputs_are_kept_bounded() -> None:
    calls = ToolCalls()
    feed = Feed(calls)
    feed.call(1.0, "call_1", "item_1")
    feed.answer(2.0, "call_1", output="x" * 200_000)
    call = calls.get("call_1")
    assert call is not None and call.output is not None and len(call.output) == 64_000


def test_typed_outputs_are_checked() -> None:
    assert parse_tool_output('{ "ok": true }', "json") == '{"ok":true}'
    assert parse_tool_output("done, shipped", "text") == "done, shipped"
    with pytest.raises(ToolOutputError, match="line 1, column"):
        parse_tool_output("{ok: true}", "json")
    with pytest.raises(ToolOutputError, match="empty"):
        parse_tool_output("  \n", "text")
    with pytest.raises(ToolOutputError, match="longer"):
        parse_tool_output("x" * 70_000, "text")


# -- real sessions -----------------------------------------------------------------------------


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast") as server:
        yield server


class Watch:
    """A ``ToolCalls`` and a store fed by a real client, and a way to wait for a record."""

    def __init__(self, client: RealtimeClient) -> None:
        self.store = EventStore()
        self.calls = ToolCalls()
        self._waiters: list[tuple[Any, asyncio.Future[EventRecord]]] = []
        client.on("realtime.event", self._on_event)

    def _on_event(self, payload: dict[str, Any]) -> None:
        record = self.store.add(payload["source"], payload["event"])
        self.calls.observe(record)
        for predicate, future in self._waiters:
            if not future.done() and predicate(record):
                future.set_result(record)

    async def wait_for(self, source: str, event_type: str) -> EventRecord:
        future: asyncio.Future[EventRecord] = asyncio.get_running_loop().create_future()
        self._waiters.append((lambda r: r.source == source and r.type == event_type, future))
        return await asyncio.wait_for(future, TIMEOUT)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_call_with_no_handler_against_the_simulator_then_answered_and_replayed(
    simulator: SimulatorServer, dialect: str, tmp_path: Path
) -> None:
    client = RealtimeClient(url=simulator.url, dialect=dialect)
    watch = Watch(client)
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        client.update_session(tools=[ORDER_TOOL], output_modalities=["text"])
        done = asyncio.ensure_future(watch.wait_for("server", "response.done"))
        client.send_user_message_content([{"type": "input_text", "text": "lookup_order 42"}])
        await done
        [call] = watch.calls.pending()
        assert call.name == "lookup_order" and call.call_id.startswith("call_")
        assert call.item_id is not None and client.conversation.get_item(call.item_id)
        assert json.loads(call.arguments)
        reply = asyncio.ensure_future(watch.wait_for("server", "response.done"))
        answer_tool_call(client, call.call_id, parse_tool_output('{"status": "shipped"}', "json"))
        await reply
        assert not call.pending and call.output == '{"status":"shipped"}'
        assert call.output_received is not None and call.handler_ms is not None
        items = client.conversation.get_items()
        assert items[-1]["role"] == "assistant"  # the reply came after the answer
    finally:
        await client.disconnect()

    export_jsonl(watch.store.records, tmp_path / "session.jsonl")
    replayed_store, replayed = EventStore(), ToolCalls()
    replayed_store.listen(replayed.observe)
    replay_into(load_recording(tmp_path / "session.jsonl"), RealtimeConversation(), replayed_store)
    again = replayed.get(call.call_id)
    assert again is not None and not again.pending
    assert again.handler_ms == pytest.approx(call.handler_ms)
