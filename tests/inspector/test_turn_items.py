"""A typed message or a tool output sent without an item id (as the library sends them) still
becomes its turn's trigger item: the server's ``conversation.item.added`` names it."""

from __future__ import annotations

from typing import Any

import pytest

from console.inspector.store import PlainEvent
from console.inspector.turns import TurnModel
from console.simulator import SimulatorServer

from .test_turns import connected, wait_for_records

ADDED = {"ga": "conversation.item.added", "beta": "conversation.item.created"}


def feed(turns: TurnModel, t: float, source: Any, event_type: str, **fields: Any) -> None:
    turns.observe(PlainEvent(source, event_type, {"type": event_type, **fields}, t))


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_the_server_names_the_items_of_two_quick_messages_in_order(dialect: str) -> None:
    turns = TurnModel()
    message = {"type": "message", "role": "user", "content": []}
    for t in (1.0, 1.001):
        feed(turns, t, "client", "conversation.item.create", item=message)
        feed(turns, t, "client", "response.create")
    for t, item_id in ((1.05, "u1"), (1.06, "u2")):
        feed(turns, t, "server", ADDED[dialect], item={**message, "id": item_id})
    feed(turns, 1.1, "server", "response.created", response={"id": "r1"})
    feed(turns, 1.2, "server", "response.created", response={"id": "r2"})
    first, second = turns.get("r1"), turns.get("r2")
    assert first is not None and (first.trigger, first.user_item_id) == ("text", "u1")
    assert second is not None and (second.trigger, second.user_item_id) == ("text", "u2")
    assert turns.for_item("u1") is first and turns.for_item("u2") is second


def test_a_tool_output_item_named_by_the_server_triggers_its_turn() -> None:
    turns = TurnModel()
    output = {"type": "function_call_output", "call_id": "c1", "output": "{}"}
    feed(turns, 1.0, "client", "conversation.item.create", item=output)
    feed(turns, 1.05, "server", "conversation.item.added", item={**output, "id": "out1"})
    feed(turns, 1.06, "client", "response.create")  # after the item was added: still its turn's
    feed(turns, 1.1, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and (turn.trigger, turn.user_item_id) == ("tool", "out1")


def test_an_assistant_item_is_no_trigger() -> None:
    turns = TurnModel()
    message = {"type": "message", "role": "user", "content": []}
    feed(turns, 1.0, "client", "conversation.item.create", item=message)
    feed(turns, 1.0, "client", "response.create")
    feed(turns, 1.05, "server", "conversation.item.added", item={"id": "a0", "role": "assistant"})
    feed(turns, 1.1, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.user_item_id is None


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_typed_message_is_its_turns_trigger_item_on_the_simulator(dialect: str) -> None:
    async with SimulatorServer(pace="fast") as server:
        client, store, turns = await connected(server, dialect)
        client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
        await wait_for_records(store, "response.done", 1)
        (turn,) = turns.all()
        user = [i for i in client.conversation.get_items() if i.get("role") == "user"]
        assert turn.user_item_id == user[0]["id"] and turns.for_item(user[0]["id"]) is turn
        await client.disconnect()
