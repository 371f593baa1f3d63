"""Per-response options of ``response.create`` over a real socket, in both dialects where the
beta protocol has the option: out-of-band responses (``conversation: "none"``, ``metadata``),
``input`` replacing the context, and ``instructions``, ``tools``, ``tool_choice``, modalities,
the output token limit and the voice overriding the session for that response only (the next
response uses the session's again). Every server event validates against the SDK's models
(``Client`` is strict)."""

from __future__ import annotations

from typing import Any

import pytest

from console.simulator import SimulatorServer

from .helpers import Client

DIALECTS = ["ga", "beta"]
LOOKUP = {
    "type": "function",
    "name": "lookup_order",
    "description": "Look up an order by its number",
    "parameters": {"type": "object", "properties": {"number": {"type": "integer"}}},
}


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def spelled(dialect: str, **options: Any) -> dict[str, Any]:
    """``response`` options in ``dialect``'s spelling (given in GA's, voice flat)."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if dialect == "beta" and key == "output_modalities":
            out["modalities"] = ["text", "audio"] if "audio" in value else ["text"]
        elif dialect == "beta" and key == "max_output_tokens":
            out["max_response_output_tokens"] = value
        elif dialect == "ga" and key == "voice":
            out["audio"] = {"output": {"voice": value}}
        elif dialect == "ga" and key == "tool_choice" and value not in ("auto", "none", "required"):
            out["tool_choice"] = {"type": "function", "name": value}
        else:
            out[key] = value
    return out


def added_type(dialect: str) -> str:
    return "conversation.item.created" if dialect == "beta" else "conversation.item.added"


def reply_text(response: dict[str, Any]) -> str:
    """The assistant message's text or transcript in a ``response.done``'s response."""
    for item in response["output"]:
        if item["type"] == "message":
            part = item["content"][0]
            return str(part.get("text") or part.get("transcript") or "")
    return ""


async def connect(url: str, dialect: str) -> Client:
    client = await Client.connect(url, dialect)
    await client.recv_until("session.created")
    return client


async def say(client: Client, text: str) -> str:
    """Add a user message; returns its id (once its last event has come)."""
    await client.send("conversation.item.create", item=user_text(text))
    last = "conversation.item.done" if client.dialect == "ga" else "conversation.item.created"
    return str((await client.recv_until(last))["item"]["id"])


async def respond(client: Client, **options: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``response.create`` with ``options`` (GA spelling); the response.done's response and
    every event up to it."""
    if options:
        await client.send("response.create", response=spelled(client.dialect, **options))
    else:
        await client.send("response.create")
    events = await client.collect_until("response.done")
    return events[-1]["response"], events


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_out_of_band_output_stays_out_of_the_conversation(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    await say(client, "hello there")
    metadata = {"topic": "summary", "origin": "test"}
    done, events = await respond(client, conversation="none", metadata=metadata)
    types = [e["type"] for e in events]
    assert added_type(dialect) not in types and "conversation.item.done" not in types
    created = next(e for e in events if e["type"] == "response.created")["response"]
    assert created["conversation_id"] is None and created["metadata"] == metadata
    assert done["conversation_id"] is None and done["metadata"] == metadata
    assert done["status"] == "completed" and reply_text(done) == "You said: hello there"
    oob_item = done["output"][0]["id"]
    # Not in the conversation: it cannot be retrieved, and the next response does not read it.
    await client.send("conversation.item.retrieve", item_id=oob_item)
    assert oob_item in (await client.error())["message"]
    done, events = await respond(client)
    assert done["conversation_id"] is not None and done["metadata"] is None
    assert added_type(dialect) in [e["type"] for e in events]
    assert reply_text(done) == "You said: hello there"
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_input_replaces_the_context_for_that_response_only(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    first = await say(client, "first words")
    await say(client, "second words")
    done, _ = await respond(client, conversation="none", input=[user_text("only this")])
    assert reply_text(done) == "You said: only this"
    done, _ = await respond(
        client, conversation="none", input=[{"type": "item_reference", "id": first}]
    )
    assert reply_text(done) == "You said: first words"
    done, _ = await respond(client, conversation="none", input=[])  # an empty context
    assert reply_text(done).startswith("Hello! I am the realtime-console simulator")
    assert done["usage"]["input_token_details"]["text_tokens"] < 60
    done, _ = await respond(client)  # the conversation again
    assert reply_text(done) == "You said: second words"
    await client.send(
        "response.create",
        response={"conversation": "none", "input": [{"type": "item_reference", "id": "item_x"}]},
    )
    error = await client.error()
    assert error["param"] == "response.input[0].id" and "item_x" in error["message"]
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_input_in_the_default_conversation_adds_the_output(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    await say(client, "in the conversation")
    done, events = await respond(client, input=[user_text("elsewhere")])
    assert reply_text(done) == "You said: elsewhere" and done["conversation_id"] is not None
    assert added_type(dialect) in [e["type"] for e in events]
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_instructions_override_the_session_for_one_response(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    session = {"instructions": "Session rules."}
    if dialect == "ga":
        session["type"] = "realtime"
    await client.send("session.update", session=session)
    await client.recv_until("session.updated")
    await say(client, "what are your instructions?")
    done, _ = await respond(client, instructions="Answer in French.")
    assert reply_text(done) == "My instructions are: Answer in French."
    await say(client, "and your instructions now?")
    done, _ = await respond(client)
    assert reply_text(done) == "My instructions are: Session rules."
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_tools_and_tool_choice_override_the_session_for_one_response(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    await say(client, "please lookup order 42")
    done, _ = await respond(client, conversation="none", tools=[LOOKUP])
    call = done["output"][-1]
    assert call["type"] == "function_call" and call["name"] == "lookup_order"
    done, _ = await respond(
        client, conversation="none", tools=[LOOKUP], tool_choice="none"
    )  # the tool is there, but not to be called
    assert [i["type"] for i in done["output"]] == ["message"]
    done, _ = await respond(client, conversation="none", tools=[LOOKUP], tool_choice="lookup_order")
    assert [i["type"] for i in done["output"]] == ["function_call"]
    done, _ = await respond(client, conversation="none")  # the session has no tools
    assert [i["type"] for i in done["output"]] == ["message"]
    await say(client, "which tools do you have?")
    done, _ = await respond(client, tools=[LOOKUP], tool_choice="none")
    assert reply_text(done) == "I have 1 tool: lookup_order."
    done, _ = await respond(client)
    assert reply_text(done) == "I have no tools."
    # A function tool_choice naming no tool of this response is refused.
    await client.send("response.create", response=spelled(dialect, tool_choice="missing"))
    error = await client.error()
    assert error["param"] == "response.tool_choice"
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_output_modalities_override_the_session_for_one_response(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    await say(client, "hi")
    done, events = await respond(client, conversation="none", output_modalities=["text"])
    types = {e["type"] for e in events}
    text_delta = "response.output_text.delta" if dialect == "ga" else "response.text.delta"
    audio_delta = "response.output_audio.delta" if dialect == "ga" else "response.audio.delta"
    assert text_delta in types and audio_delta not in types
    assert done["output"][0]["content"][0]["type"] == ("output_text" if dialect == "ga" else "text")
    done, events = await respond(client, conversation="none")  # the session's: audio
    types = {e["type"] for e in events}
    assert audio_delta in types and text_delta not in types
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_max_output_tokens_override_the_session_for_one_response(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    await say(client, "one two three four five six seven eight nine ten eleven twelve")
    done, _ = await respond(client, conversation="none", max_output_tokens=3)
    assert done["status"] == "incomplete"
    assert done["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert done["max_output_tokens"] == 3
    done, _ = await respond(client, conversation="none")
    assert done["status"] == "completed" and done["max_output_tokens"] == "inf"
    await client.send("response.create", response=spelled(dialect, max_output_tokens=4097))
    error = await client.error()
    assert "max" in error["param"] and "output_tokens" in error["param"]
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_voice_overrides_the_session_for_one_response(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server.url, dialect)
    await say(client, "hi")

    def voice_of(response: dict[str, Any]) -> str:
        return str(response["voice"] if dialect == "beta" else response["audio"]["output"]["voice"])

    done, _ = await respond(client, conversation="none", voice="verse")
    assert voice_of(done) == "verse"
    done, _ = await respond(client, conversation="none")
    assert voice_of(done) == "alloy"
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_out_of_band_runs_beside_the_default_response(
    slow_server: SimulatorServer, dialect: str
) -> None:
    client = await connect(slow_server.url, dialect)
    await say(client, "a long reply please " * 5)
    await client.send("response.create")
    default_id = (await client.recv_until("response.created"))["response"]["id"]
    await client.send(
        "response.create",
        response=spelled(
            dialect, conversation="none", metadata={"k": "v"}, output_modalities=["text"]
        ),
    )
    oob = (await client.recv_until("response.created"))["response"]
    assert oob["id"] != default_id and oob["conversation_id"] is None
    # A second default response while the first is active is refused; the first goes on.
    await client.send("response.create")
    assert (await client.error())["code"] == "conversation_already_has_active_response"
    done_ids: set[str] = set()
    while len(done_ids) < 2:
        done_ids.add((await client.recv_until("response.done", timeout=20))["response"]["id"])
    assert done_ids == {default_id, oob["id"]}
    await client.close()


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("metadata", "param"),
    [
        ({f"k{i}": "v" for i in range(17)}, "response.metadata"),
        ({"k": "v" * 513}, "response.metadata.k"),
        ({"k" * 65: "v"}, "response.metadata." + "k" * 65),
        ({"k": 1}, "response.metadata.k"),
    ],
)
async def test_metadata_beyond_the_api_limits_is_refused(
    server: SimulatorServer, dialect: str, metadata: dict[str, Any], param: str
) -> None:
    client = await connect(server.url, dialect)
    await client.send("response.create", response={"conversation": "none", "metadata": metadata})
    assert (await client.error())["param"] == param
    await client.close()
