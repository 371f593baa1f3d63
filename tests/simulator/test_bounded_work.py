"""Bounded work: no client can make the simulator block other connections or generate without
limit. Huge messages get bounded replies (text-only replies synthesise no audio, audio is made a
word at a time between yields), hostile tool schemas are refused at ``session.update`` with
``invalid_value``, and every hostile case leaves the connection working."""

from __future__ import annotations

import time

import pytest

from console.simulator import SimulatorServer, responder, voice
from console.simulator.conversation import Item

from .helpers import Client


async def _connected(srv: SimulatorServer, dialect: str = "ga") -> Client:
    client = await Client.connect(srv.url, dialect)
    await client.recv_until("session.created")
    return client


async def _say(client: Client, text: str) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")


async def _ping(client: Client) -> float:
    """A short text exchange; returns how long it took."""
    started = time.monotonic()
    await _say(client, "ping")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    return time.monotonic() - started


def _distinct_words(size: int) -> str:
    words, n = [], 0
    while sum(len(w) + 1 for w in words) < size:
        words.append("w" + "".join("aeiou"[int(d) % 5] + "bcdfg"[int(d) // 2] for d in str(n)))
        n += 1
    return " ".join(words)


async def test_text_only_reply_synthesises_no_audio(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_synthesis(*args: object, **kwargs: object) -> None:
        raise AssertionError("text-only replies must not synthesise audio")

    monkeypatch.setattr(voice, "_word_audio", no_synthesis)
    client = await _connected(server)
    await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"]})
    await client.recv_until("session.updated")
    await _say(client, "hello there")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0]["text"] == "You said: hello there"
    await client.close()


@pytest.mark.parametrize("modality", ["text", "audio"])
async def test_huge_message_bounded_and_others_not_blocked(
    server: SimulatorServer, modality: str
) -> None:
    big = _distinct_words(35_000)
    hostile = await _connected(server)
    other = await _connected(server)
    await hostile.send(
        "session.update", session={"type": "realtime", "output_modalities": [modality]}
    )
    await hostile.recv_until("session.updated")
    await _say(hostile, big)
    await hostile.recv_until("response.created")
    assert await _ping(other) < 1.0  # not stalled behind the hostile reply
    done = (await hostile.recv_until("response.done", timeout=10))["response"]
    part = done["output"][0]["content"][0]
    said = part.get("text") or part.get("transcript") or ""
    assert said.startswith("You said: w")
    assert len(said) <= responder.MAX_REPLY_CHARS + 2
    await _ping(hostile)
    await hostile.close()
    await other.close()


def _tool(parameters: dict[str, object]) -> dict[str, object]:
    return {"type": "function", "name": "lookup", "parameters": parameters}


def _nested_arrays(levels: int, min_items: int) -> dict[str, object]:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "array", "minItems": min_items, "items": schema}
    return {"type": "object", "properties": {"x": schema}, "required": ["x"]}


HOSTILE_SCHEMAS = {
    "nested_repeat_pattern": {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": "(a+)+b"}},
        "required": ["code"],
    },
    "backreference": {
        "type": "object",
        "properties": {"c": {"type": "string", "pattern": r"(a*)\1b"}},
    },
    "huge_repeat": {
        "type": "object",
        "properties": {"c": {"type": "string", "pattern": "a{100000}"}},
    },
    "invalid_pattern": {"type": "object", "properties": {"c": {"type": "string", "pattern": "(a"}}},
    "nested_min_items": _nested_arrays(3, 100),
    "min_length": {
        "type": "object",
        "properties": {"s": {"type": "string", "minLength": 10_000_000}},
        "required": ["s"],
    },
    "cyclic_ref": {
        "type": "object",
        "properties": {"node": {"$ref": "#/$defs/node"}},
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
    },
    "root_ref": {"type": "object", "properties": {"self": {"$ref": "#"}}},
    "remote_ref": {"type": "object", "properties": {"r": {"$ref": "https://example.com/s.json"}}},
    "dangling_ref": {"type": "object", "properties": {"r": {"$ref": "#/$defs/missing"}}},
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SCHEMAS))
async def test_hostile_tool_schema_refused(server: SimulatorServer, name: str) -> None:
    client = await _connected(server)
    started = time.monotonic()
    tools = [_tool(HOSTILE_SCHEMAS[name])]
    await client.send("session.update", session={"type": "realtime", "tools": tools})
    error = await client.error()
    assert error["code"] == "invalid_value", error
    assert error["param"] == "session.tools[0].parameters"
    # response.create's own tools are held to the same limits
    await client.send("response.create", response={"tools": tools})
    error = await client.error()
    assert error["code"] == "invalid_value" and error["param"] == "response.tools[0].parameters"
    await _say(client, "lookup aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac please")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    assert all(o["type"] == "message" for o in done["output"])  # the tool was never set
    assert time.monotonic() - started < 2.0
    await client.close()


async def test_reasonable_schema_still_generates(server: SimulatorServer) -> None:
    parameters = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2,4}$"},
            "tags": {"type": "array", "minItems": 3, "items": {"$ref": "#/$defs/tag"}},
        },
        "required": ["code", "tags"],
        "$defs": {"tag": {"type": "string", "minLength": 2}},
    }
    client = await _connected(server)
    await client.send("session.update", session={"type": "realtime", "tools": [_tool(parameters)]})
    await client.recv_until("session.updated")
    await _say(client, "lookup please")
    done = (await client.recv_until("response.done"))["response"]
    call = next(o for o in done["output"] if o["type"] == "function_call")
    assert '"code":"AAA-00"' in call["arguments"]
    await client.close()


async def _turn_work(client: Client, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many items one text turn reads (Item.text and Item.__eq__ calls)."""
    calls = 0
    original_text = Item.text

    def counting_text(item: Item) -> str:
        nonlocal calls
        calls += 1
        return original_text(item)

    def counting_eq(item: Item, other: object) -> bool:
        nonlocal calls
        calls += 1
        return item is other

    with monkeypatch.context() as patch:
        patch.setattr(Item, "text", counting_text)
        patch.setattr(Item, "__eq__", counting_eq)
        await _say(client, "ping")
        assert (await client.recv_until("response.done"))["response"]["status"] == "completed"
    return calls


async def _grow(client: Client, items: int) -> None:
    for index in range(items):
        part = {"type": "input_text", "text": f"note {index}"}
        await client.send(
            "conversation.item.create", item={"type": "message", "role": "user", "content": [part]}
        )
    for _ in range(items):
        await client.recv_until("conversation.item.done")


async def test_turn_cost_independent_of_history(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await _connected(server)
    await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"]})
    await client.recv_until("session.updated")
    await _grow(client, 200)
    small = await _turn_work(client, monkeypatch)
    await _grow(client, 1000)
    large = await _turn_work(client, monkeypatch)
    assert large == small, (small, large)
    # usage still counts the whole conversation
    await _say(client, "ping")
    usage = (await client.recv_until("response.done"))["response"]["usage"]
    assert usage["input_token_details"]["text_tokens"] > 1200
    await client.close()
