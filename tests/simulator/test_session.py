"""Session updates merge deeply and come back whole; dialect conversions of the same settings."""

from __future__ import annotations

from console.simulator import SimulatorServer

from .helpers import Client


async def test_ga_deep_merge(server: SimulatorServer) -> None:
    client = await Client.connect(server.url)
    created = (await client.recv_until("session.created"))["session"]
    await client.send(
        "session.update",
        session={
            "type": "realtime",
            "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 0.8}}},
        },
    )
    session = (await client.recv_until("session.updated"))["session"]
    td = session["audio"]["input"]["turn_detection"]
    assert td["threshold"] == 0.8
    assert td["silence_duration_ms"] == 200 and td["prefix_padding_ms"] == 300
    assert session["audio"]["output"] == created["audio"]["output"]
    assert session["instructions"] == created["instructions"]
    assert session["id"] == created["id"] and session["expires_at"] == created["expires_at"]
    # Switching type starts from that type's settings; null disables; other fields survive.
    await client.send(
        "session.update",
        session={
            "type": "realtime",
            "instructions": "new",
            "audio": {
                "input": {"turn_detection": {"type": "semantic_vad", "eagerness": "low"}},
                "output": {"speed": 1.2},
            },
        },
    )
    session = (await client.recv_until("session.updated"))["session"]
    assert session["audio"]["input"]["turn_detection"] == {
        "type": "semantic_vad",
        "eagerness": "low",
        "create_response": True,
        "interrupt_response": True,
    }
    assert (
        session["audio"]["output"]["speed"] == 1.2
        and session["audio"]["output"]["voice"] == "alloy"
    )
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    session = (await client.recv_until("session.updated"))["session"]
    assert session["audio"]["input"]["turn_detection"] is None
    assert session["instructions"] == "new"
    await client.close()


async def test_beta_fields_convert(server: SimulatorServer) -> None:
    client = await Client.connect(server.url, "beta")
    await client.recv_until("session.created")
    tool = {
        "type": "function",
        "name": "lookup",
        "parameters": {"type": "object", "properties": {}},
    }
    await client.send(
        "session.update",
        session={
            "modalities": ["text"],
            "voice": "sage",
            "input_audio_format": "g711_ulaw",
            "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "en"},
            "tools": [tool],
            "tool_choice": "lookup",
            "temperature": 0.7,
            "max_response_output_tokens": 200,
        },
    )
    session = (await client.recv_until("session.updated"))["session"]
    assert session["modalities"] == ["text"]
    assert session["voice"] == "sage"
    assert session["input_audio_format"] == "g711_ulaw"
    assert session["output_audio_format"] == "pcm16"
    assert session["input_audio_transcription"] == {
        "model": "gpt-4o-transcribe",
        "language": "en",
        "prompt": None,
    }
    assert session["tool_choice"] == "lookup"
    assert session["temperature"] == 0.7
    assert session["max_response_output_tokens"] == 200
    # The named tool_choice forces the call.
    await client.send(
        "conversation.item.create",
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    )
    await client.send("response.create", response={"voice": "verse", "temperature": 1.0})
    done = (await client.recv_until("response.done"))["response"]
    assert done["output"][0]["type"] == "function_call" and done["output"][0]["name"] == "lookup"
    assert done["voice"] == "verse" and done["temperature"] == 1.0
    assert done["modalities"] == ["text"]
    await client.close()


async def test_ga_per_response_voice_and_format(server: SimulatorServer) -> None:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send(
        "response.create",
        response={
            "audio": {"output": {"voice": "cedar", "format": {"type": "audio/pcma"}}},
            "conversation": "none",
        },
    )
    done = (await client.recv_until("response.done"))["response"]
    assert done["audio"]["output"] == {"voice": "cedar", "format": {"type": "audio/pcma"}}
    assert done["output_modalities"] == ["audio"]
    await client.close()


async def test_commit_links_previous_item(server: SimulatorServer) -> None:
    from .helpers import pcm_b64, tone

    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    await client.recv_until("session.updated")
    await client.send(
        "conversation.item.create",
        item={
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": "sys"}],
        },
    )
    system_id = (await client.recv_until("conversation.item.done"))["item"]["id"]
    await client.send("input_audio_buffer.append", audio=pcm_b64(tone(0.3)))
    await client.send("input_audio_buffer.commit")
    committed = await client.recv_until("input_audio_buffer.committed")
    assert committed["previous_item_id"] == system_id
    added = await client.recv_until("conversation.item.added")
    assert added["item"]["id"] == committed["item_id"]
    assert added["item"]["content"] == [{"type": "input_audio", "transcript": None}]
    await client.close()
