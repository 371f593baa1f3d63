"""Errors: the real codes/messages/params, the offending event_id, and the socket stays open."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
import websockets

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, tone


async def connect(server: SimulatorServer, dialect: str = "ga") -> Client:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    return client


async def still_open(client: Client) -> None:
    """A round trip after the error proves the connection survived."""
    await client.send("input_audio_buffer.clear")
    await client.recv_until("input_audio_buffer.cleared")


async def expect_error(
    client: Client, event: dict[str, Any], code: str, param: str | None
) -> dict[str, Any]:
    await client.send(event.pop("type"), event_id="evt_probe", **event)
    err = await client.error()
    assert err["type"] == "invalid_request_error"
    assert err["code"] == code, err
    assert err["param"] == param, err
    assert err["event_id"] == "evt_probe"
    assert err["message"]
    await still_open(client)
    return err


async def test_bad_json_and_non_objects(server: SimulatorServer) -> None:
    client = await connect(server)
    await client.send_raw("{oops")
    err = await client.error()
    assert err["code"] == "invalid_json" and err["event_id"] is None
    await client.send_raw("[1, 2]")
    assert (await client.error())["code"] == "invalid_type"
    await client.send_raw(b"\xff\xfe")
    assert (await client.error())["code"] == "invalid_json"
    await still_open(client)
    await client.close()


async def test_unknown_type_and_missing_fields(server: SimulatorServer) -> None:
    client = await connect(server)
    err = await expect_error(client, {"type": "response.explode"}, "invalid_value", "type")
    assert "Invalid value: 'response.explode'" in err["message"]
    await client.send_raw('{"event_id": "x"}')
    assert (await client.error())["code"] == "missing_required_parameter"
    await expect_error(
        client, {"type": "conversation.item.create"}, "missing_required_parameter", "item"
    )
    await expect_error(
        client,
        {"type": "conversation.item.create", "item": {"role": "user"}},
        "missing_required_parameter",
        "item.type",
    )
    await expect_error(
        client,
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": [{"type": "input_text"}]},
        },
        "missing_required_parameter",
        "item.content[0].text",
    )
    await expect_error(
        client,
        {"type": "conversation.item.truncate", "item_id": "x"},
        "missing_required_parameter",
        "content_index",
    )
    await client.close()


@pytest.mark.parametrize(
    ("dialect", "session", "code", "param"),
    [
        ("ga", {"type": "realtime", "foo": 1}, "unknown_parameter", "session.foo"),
        (
            "ga",
            {"type": "realtime", "modalities": ["text"]},
            "unknown_parameter",
            "session.modalities",
        ),
        ("ga", {"output_modalities": ["text"]}, "missing_required_parameter", "session.type"),
        (
            "ga",
            {"type": "realtime", "audio": {"output": {"voice": "bogus"}}},
            "invalid_value",
            "session.audio.output.voice",
        ),
        (
            "ga",
            {"type": "realtime", "audio": {"input": {"format": {"type": "audio/mp3"}}}},
            "invalid_value",
            "session.audio.input.format.type",
        ),
        (
            "ga",
            {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 1.5}}},
            },
            "invalid_value",
            "session.audio.input.turn_detection.threshold",
        ),
        (
            "ga",
            {
                "type": "realtime",
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": -1}}
                },
            },
            "invalid_value",
            "session.audio.input.turn_detection.silence_duration_ms",
        ),
        (
            "ga",
            {"type": "realtime", "output_modalities": ["text", "audio"]},
            "invalid_value",
            "session.output_modalities",
        ),
        ("ga", {"type": "realtime", "instructions": 5}, "invalid_type", "session.instructions"),
        (
            "ga",
            {"type": "realtime", "max_output_tokens": 0},
            "invalid_value",
            "session.max_output_tokens",
        ),
        ("beta", {"temperature": 3.0}, "invalid_value", "session.temperature"),
        ("beta", {"voice": "marin"}, "invalid_value", "session.voice"),
        ("beta", {"input_audio_format": "mp3"}, "invalid_value", "session.input_audio_format"),
        (
            "beta",
            {"turn_detection": {"type": "server_vad", "prefix_padding_ms": "x"}},
            "invalid_type",
            "session.turn_detection.prefix_padding_ms",
        ),
        (
            "beta",
            {"input_audio_transcription": {"enabled": True}},
            "unknown_parameter",
            "session.input_audio_transcription.enabled",
        ),
        ("beta", {"type": "realtime"}, "unknown_parameter", "session.type"),
        (
            "beta",
            {"tools": [{"type": "function"}]},
            "missing_required_parameter",
            "session.tools[0].name",
        ),
        ("beta", {"tool_choice": "nope"}, "invalid_value", "session.tool_choice"),
    ],
)
async def test_session_update_validation(
    server: SimulatorServer, dialect: str, session: dict[str, Any], code: str, param: str
) -> None:
    client = await connect(server, dialect)
    await expect_error(client, {"type": "session.update", "session": session}, code, param)
    await client.close()


async def test_commit_under_100ms(server: SimulatorServer) -> None:
    client = await connect(server)
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    await client.recv_until("session.updated")
    await client.send("input_audio_buffer.append", audio=pcm_b64(tone(0.05)))
    err = await expect_error(
        client, {"type": "input_audio_buffer.commit"}, "input_audio_buffer_commit_empty", None
    )
    assert err["message"] == (
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, "
        "but buffer only has 50.00ms of audio."
    )
    await client.close()


async def assistant_audio_item(client: Client) -> tuple[str, int]:
    await client.send(
        "conversation.item.create",
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    )
    await client.send("response.create")
    done = (await client.recv_until("response.done"))["response"]
    item_id = done["output"][0]["id"]
    await client.send("conversation.item.retrieve", item_id=item_id)
    item = (await client.recv_until("conversation.item.retrieved"))["item"]
    samples = len(np.frombuffer(__import__("base64").b64decode(item["content"][0]["audio"]), "<i2"))
    return item_id, samples * 1000 // 24000


async def test_truncate_errors(server: SimulatorServer) -> None:
    client = await connect(server)
    item_id, length_ms = await assistant_audio_item(client)
    err = await expect_error(
        client,
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": length_ms + 500,
        },
        "invalid_value",
        "audio_end_ms",
    )
    assert (
        err["message"]
        == f"Audio content of {length_ms} ms is already shorter than {length_ms + 500} ms"
    )
    await expect_error(
        client,
        {
            "type": "conversation.item.truncate",
            "item_id": "item_nope",
            "content_index": 0,
            "audio_end_ms": 0,
        },
        "item_truncate_invalid_item_id",
        "item_id",
    )
    await client.send(
        "conversation.item.create",
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]},
    )
    user_id = (await client.recv_until("conversation.item.added"))["item"]["id"]
    await expect_error(
        client,
        {
            "type": "conversation.item.truncate",
            "item_id": user_id,
            "content_index": 0,
            "audio_end_ms": 0,
        },
        "unsupported_content_type",
        "item_id",
    )
    # A valid truncation shortens the audio and drops the transcript.
    await client.send(
        "conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=200
    )
    await client.recv_until("conversation.item.truncated")
    await client.send("conversation.item.retrieve", item_id=item_id)
    item = (await client.recv_until("conversation.item.retrieved"))["item"]
    assert len(__import__("base64").b64decode(item["content"][0]["audio"])) == 200 * 24 * 2
    assert item["content"][0]["transcript"] == ""
    await client.close()


async def test_voice_fixed_after_audio(server: SimulatorServer) -> None:
    client = await connect(server)
    await assistant_audio_item(client)
    await expect_error(
        client,
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"output": {"voice": "cedar"}}},
        },
        "cannot_update_voice",
        "session.audio.output.voice",
    )
    await client.close()


async def test_item_errors(server: SimulatorServer) -> None:
    client = await connect(server)
    item = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "x"}],
        "id": "item_fixed",
    }
    await expect_error(
        client,
        {"type": "conversation.item.create", "item": item, "previous_item_id": "item_ghost"},
        "item_create_invalid_previous_item_id",
        "previous_item_id",
    )
    await client.send("conversation.item.create", item=item)
    await client.recv_until("conversation.item.done")
    await expect_error(
        client,
        {"type": "conversation.item.create", "item": item},
        "item_create_duplicate_id",
        "item.id",
    )
    await expect_error(
        client,
        {"type": "conversation.item.delete", "item_id": "ghost"},
        "item_delete_invalid_item_id",
        "item_id",
    )
    await expect_error(
        client,
        {"type": "conversation.item.retrieve", "item_id": "ghost"},
        "item_retrieve_invalid_item_id",
        "item_id",
    )
    bad_role = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "input_text", "text": "x"}],
    }
    await expect_error(
        client,
        {"type": "conversation.item.create", "item": bad_role},
        "invalid_value",
        "item.content[0].type",
    )
    await expect_error(
        client, {"type": "input_audio_buffer.append", "audio": "***"}, "invalid_value", "audio"
    )
    await expect_error(
        client,
        {"type": "input_audio_buffer.append", "audio": "AAAA", "extra": 1},
        "unknown_parameter",
        "extra",
    )
    await client.close()


async def test_cancel_without_response(server: SimulatorServer) -> None:
    client = await connect(server)
    err = await expect_error(
        client, {"type": "response.cancel"}, "response_cancel_not_active", None
    )
    assert err["message"] == "Cancellation failed: no active response found"
    await expect_error(
        client,
        {"type": "response.cancel", "response_id": "resp_x"},
        "response_cancel_not_active",
        None,
    )
    await client.close()


async def test_second_response_while_active(slow_server: SimulatorServer) -> None:
    client = await connect(slow_server)
    await client.send("response.create")
    created = await client.recv_until("response.created")
    err = await expect_error(
        client, {"type": "response.create"}, "conversation_already_has_active_response", None
    )
    assert created["response"]["id"] in err["message"]
    # Out-of-band responses may run alongside.
    await client.send(
        "response.create", response={"conversation": "none", "output_modalities": ["text"]}
    )
    await client.send("response.cancel", response_id=created["response"]["id"])
    done = [await client.recv_until("response.done") for _ in range(2)]
    statuses = sorted(d["response"]["status"] for d in done)
    assert statuses == ["cancelled", "completed"]
    await client.close()


@pytest.mark.parametrize("how", ["bearer", "subprotocol", "none"])
async def test_bad_key_with_require_key(how: str) -> None:
    secret = "sk-right-key-123456"
    wrong = "sk-wrong-key-abcdefxyz"
    async with SimulatorServer(pace="fast", require_key=secret) as srv:
        headers = {"Authorization": f"Bearer {wrong}"} if how == "bearer" else {}
        protocols = (
            ["realtime", f"openai-insecure-api-key.{wrong}"] if how == "subprotocol" else None
        )
        client = await Client.connect(srv.url, headers=headers, subprotocols=protocols)
        err = await client.error()
        assert err["code"] == "invalid_api_key"
        assert err["message"].startswith("Incorrect API key provided")
        assert wrong not in err["message"]
        with pytest.raises(websockets.ConnectionClosed):
            await client.recv()
        assert client.ws.close_code == 3000
        # The right key, either way, gets a session.
        good = await Client.connect(srv.url, headers={"Authorization": f"Bearer {secret}"})
        await good.recv_until("session.created")
        await good.close()
        good = await Client.connect(
            srv.url, subprotocols=["realtime", f"openai-insecure-api-key.{secret}"]
        )
        assert good.ws.subprotocol == "realtime"
        await good.recv_until("session.created")
        await good.close()


async def test_session_expiry_closes_with_1001() -> None:
    async with SimulatorServer(pace="fast", session_expiry_s=0.3) as srv:
        client = await Client.connect(srv.url)
        created = await client.recv_until("session.created")
        assert created["session"]["expires_at"] >= 0
        err = await client.error()
        assert err["code"] == "session_expired"
        assert err["message"] == "Your session hit the maximum duration of 0.3 seconds."
        with pytest.raises(websockets.ConnectionClosed):
            await client.recv()
        assert client.ws.close_code == 1001


async def test_oversized_frame_closes_with_1009(server: SimulatorServer) -> None:
    """The real behaviour for frames over the size limit: the connection closes with 1009."""
    client = await connect(server)
    # The server may close while the frame is still being written (aiohttp stops reading at
    # the frame's header), so the send itself may already see the close.
    with pytest.raises(websockets.ConnectionClosed):
        await client.send_raw(
            '{"type": "input_audio_buffer.append", "audio": "' + "A" * (17 * 1024 * 1024) + '"}'
        )
        await asyncio.wait_for(client.ws.recv(), 5)
    assert client.ws.close_code == 1009


async def test_large_frame_under_limit_accepted(server: SimulatorServer) -> None:
    """A 10 MB append (about 3.6 minutes of audio) is accepted."""
    client = await connect(server)
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    await client.recv_until("session.updated")
    big = np.zeros(5 * 1024 * 1024, dtype=np.int16)
    await client.send("input_audio_buffer.append", audio=pcm_b64(big))
    await client.send("input_audio_buffer.commit")
    committed = await client.recv_until("input_audio_buffer.committed", timeout=15)
    assert committed["item_id"].startswith("item_")
    await client.close()


@pytest.mark.parametrize(
    ("tools", "bad"),
    [
        ([{"type": "function", "name": "get weather"}], 0),
        ([{"type": "function", "name": ""}], 0),
        ([{"type": "function", "name": "x" * 65}], 0),
        ([{"type": "function", "name": "a"}, {"type": "function", "name": "a"}], 1),
    ],
)
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_tool_names_must_be_valid_and_unique(
    server: SimulatorServer, dialect: str, tools: list[dict[str, Any]], bad: int
) -> None:
    client = await connect(server, dialect)
    session: dict[str, Any] = {"tools": tools}
    if dialect == "ga":
        session["type"] = "realtime"
    event = {"type": "session.update", "session": session}
    await expect_error(client, event, "invalid_value", f"session.tools[{bad}].name")
    await client.close()
