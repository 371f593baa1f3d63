"""A turn names what triggered it: the user item (also when the client sent it without an id)
and the client events that asked for it, so the events pane can show a turn's trigger."""

from __future__ import annotations

from typing import Any

import pytest

from console.inspector.store import PlainEvent
from console.inspector.turns import TurnModel


class Feed:
    """Hand-made events into a ``TurnModel``."""

    def __init__(self, turns: TurnModel) -> None:
        self.turns = turns

    def __call__(self, t: float | None, source: Any, event_type: str, **fields: Any) -> None:
        self.turns.observe(PlainEvent(source, event_type, {"type": event_type, **fields}, t))


@pytest.mark.parametrize("added", ["conversation.item.added", "conversation.item.created"])
def test_a_user_message_sent_without_an_id_gets_the_servers_id(added: str) -> None:
    """Our client sends user messages without an id: the server's echo names the item."""
    turns = TurnModel()
    feed = Feed(turns)
    text = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    feed(1.0, "client", "conversation.item.create", event_id="evt_item", item=text)
    feed(1.0, "client", "response.create", event_id="evt_resp")
    feed(1.1, "server", added, item={**text, "id": "item_user"})
    feed(1.2, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.trigger == "text"
    assert turn.user_item_id == "item_user" and turns.for_item("item_user") is turn
    assert turn.client_event_ids == ["evt_item", "evt_resp"]


def test_an_echo_before_response_create_names_the_trigger_too() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    output = {"type": "function_call_output", "call_id": "call_1", "output": "{}"}
    feed(1.0, "client", "conversation.item.create", event_id="evt_out", item=output)
    feed(1.1, "server", "conversation.item.added", item={**output, "id": "item_out"})
    feed(1.2, "client", "response.create", event_id="evt_resp")
    feed(1.3, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.trigger == "tool"
    assert (turn.user_item_id, turn.client_event_ids) == ("item_out", ["evt_out", "evt_resp"])


def test_push_to_talk_names_the_committed_item_when_response_create_follows_at_once() -> None:
    """The library sends commit and response.create together: ``committed`` comes after both."""
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "client", "input_audio_buffer.commit", event_id="evt_commit")
    feed(1.0, "client", "response.create", event_id="evt_resp")
    feed(1.1, "server", "input_audio_buffer.committed", item_id="item_audio")
    feed(1.2, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.trigger == "commit"
    assert (turn.user_item_id, turn.client_event_ids) == ("item_audio", ["evt_commit", "evt_resp"])


def test_a_speech_item_does_not_name_a_pending_text_request() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    text = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    feed(1.0, "client", "conversation.item.create", event_id="evt_item", item=text)
    feed(1.0, "client", "response.create", event_id="evt_resp")
    audio = {"type": "message", "role": "user", "content": [{"type": "input_audio"}]}
    feed(1.1, "server", "conversation.item.added", item={**audio, "id": "item_speech"})
    feed(1.2, "server", "conversation.item.added", item={**text, "id": "item_text"})
    feed(1.3, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.user_item_id == "item_text"


def test_an_item_the_client_named_keeps_its_id() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    text = {"type": "message", "role": "user", "id": "mine", "content": []}
    feed(1.0, "client", "conversation.item.create", event_id="evt_item", item=text)
    feed(1.0, "client", "response.create")
    feed(1.1, "server", "conversation.item.added", item={**text, "id": "mine"})
    feed(1.2, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.user_item_id == "mine"
    assert turn.client_event_ids == ["evt_item"]  # the response.create had no event id


def test_a_bare_response_create_names_only_itself() -> None:
    turns = TurnModel()
    feed = Feed(turns)
    feed(1.0, "client", "response.create", event_id="evt_resp")
    feed(1.2, "server", "response.created", response={"id": "r1"})
    turn = turns.get("r1")
    assert turn is not None and turn.trigger == "other"
    assert (turn.user_item_id, turn.client_event_ids) == (None, ["evt_resp"])
