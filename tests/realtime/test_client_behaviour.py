"""RealtimeClient behaviours beyond the reference suite: dialects, tools, errors, audio."""

from __future__ import annotations

import asyncio
import json
import logging

import numpy as np
import pytest

from console.realtime import RealtimeClient, SessionConfigError
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder
from tests.realtime.scripted_server import ScriptedServer

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def sent(server: ScriptedServer, event_type: str) -> list[dict]:
    return [e for e in server.connections[-1].received if e["type"] == event_type]


async def received_count(client: RealtimeClient, server: ScriptedServer, n: int) -> None:
    """Wait until the server has answered ``n`` client events (each answer is a server event)."""
    recorder = Recorder(client, "realtime.event")
    await recorder.wait_for(lambda: len(server.connections[-1].received) >= n)


# -- handshake ------------------------------------------------------------------------------


async def test_ga_handshake_sends_no_beta_header(server: ScriptedServer) -> None:
    client = RealtimeClient(url=server.url + "?relay=1", api_key=API_KEY, model="gpt-realtime-2")
    await client.connect()
    conn = server.connections[-1]
    assert "openai-beta" not in conn.headers
    assert conn.headers["authorization"] == f"Bearer {API_KEY}"
    assert conn.path == "/v1/realtime?relay=1&model=gpt-realtime-2"
    await client.disconnect()


async def test_beta_handshake_and_model_argument(server: ScriptedServer) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY, dialect="beta")
    await client.connect(model="gpt-4o-realtime-preview-2024-12-17")
    conn = server.connections[-1]
    assert conn.headers["openai-beta"] == "realtime=v1"
    assert conn.path.endswith("?model=gpt-4o-realtime-preview-2024-12-17")
    await client.disconnect()


async def test_http_relay_urls_are_mapped_to_ws(server: ScriptedServer) -> None:
    client = RealtimeClient(url=f"http://127.0.0.1:{server.port}/v1/realtime", api_key=API_KEY)
    await client.connect()
    assert await client.wait_for_session_created(5)
    await client.disconnect()


async def test_connection_refused_is_a_clear_error_without_the_key() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime", api_key=API_KEY)
    with pytest.raises(ConnectionError, match="Could not connect") as raised:
        await client.connect()
    assert API_KEY not in str(raised.value) and API_KEY not in repr(client.realtime)


# -- session --------------------------------------------------------------------------------


async def test_update_session_sends_the_dialect_shape(server: ScriptedServer, dialect: str) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
    client.update_session(instructions="Be upbeat.", voice="alloy")
    client.update_session(
        turn_detection={"type": "none"}, input_audio_transcription={"model": "whisper-1"}
    )
    await client.connect()
    client.update_session(audio={"output": {"voice": "coral"}}, output_modalities=["text"])
    await received_count(client, server, 2)
    first, second = (e["session"] for e in sent(server, "session.update"))
    if dialect == "ga":
        assert first["type"] == "realtime"
        assert first["audio"]["output"]["voice"] == "alloy"
        assert first["audio"]["input"]["turn_detection"] is None
        assert first["audio"]["input"]["transcription"] == {"model": "whisper-1"}
        assert "temperature" not in first and "modalities" not in first
        assert second["audio"]["output"]["voice"] == "coral"
        assert second["output_modalities"] == ["text"]
    else:
        assert first["voice"] == "alloy" and first["turn_detection"] is None
        assert first["input_audio_transcription"] == {"model": "whisper-1"}
        assert second["voice"] == "coral" and second["modalities"] == ["text"]
    assert first["instructions"] == "Be upbeat."
    await client.disconnect()


def test_unknown_session_fields_are_rejected_and_change_nothing() -> None:
    client = RealtimeClient()
    before = dict(client.session_config)
    with pytest.raises(SessionConfigError, match="unknown session field 'voices'"):
        client.update_session(voices="alloy")
    with pytest.raises(SessionConfigError, match="input_audio_format"):
        client.update_session(instructions="x", input_audio_format="mp3")
    assert client.session_config == before


async def test_tools_persist_and_remove_tool_updates_the_server(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    manual = {"type": "function", "name": "lookup", "description": "d", "parameters": {}}
    client.update_session(tools=[manual])
    client.add_tool(WEATHER_TOOL, lambda args: {"ok": True})
    client.update_session(instructions="again")
    client.remove_tool("get_weather")
    await received_count(client, server, 5)
    updates = [e["session"] for e in sent(server, "session.update")]
    # Only the fields given are sent; tools go with every change of the tool list.
    assert [[t["name"] for t in u["tools"]] if "tools" in u else None for u in updates[1:]] == [
        ["lookup"],
        ["lookup", "get_weather"],
        None,
        ["lookup"],
    ]
    assert updates[3].get("instructions") == "again"
    with pytest.raises(ValueError, match="already been defined"):
        client.add_tool({**WEATHER_TOOL, "name": "lookup"}, lambda args: None)
    with pytest.raises(ValueError, match="does not exist"):
        client.remove_tool("get_weather")


# -- tools ----------------------------------------------------------------------------------


async def test_registered_tool_runs_and_the_response_follows_once(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    calls: list[dict] = []

    async def get_weather(arguments: dict) -> dict:
        calls.append(arguments)
        return {"temperature": 21}

    client.add_tool(WEATHER_TOOL, get_weather)
    recorder = Recorder(client, "realtime.event")
    client.send_user_message_content([{"type": "input_text", "text": "get_weather in Paris"}])
    await recorder.wait_for(lambda: len(sent(server, "response.create")) >= 2, what="2nd response")
    assert calls == [{"city": "Paris", "days": 2}]
    outputs = [
        e["item"]
        for e in sent(server, "conversation.item.create")
        if e["item"]["type"] == "function_call_output"
    ]
    assert [json.loads(o["output"]) for o in outputs] == [{"temperature": 21}]
    order = [f"{r['source']}:{r['event']['type']}" for r in recorder.events["realtime.event"]]
    follow_up = len(order) - 1 - order[::-1].index("client:response.create")
    assert order.index("server:response.done") < follow_up
    assert order.count("client:response.create") == 2  # the user's, then one after the tool


async def test_tool_returning_none_sends_null(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    client.add_tool(WEATHER_TOOL, lambda args: None)
    recorder = Recorder(client, "realtime.event")
    client.send_user_message_content([{"type": "input_text", "text": "get_weather please"}])
    await recorder.wait_for(lambda: len(sent(server, "response.create")) >= 2)
    outputs = [
        e["item"]["output"]
        for e in sent(server, "conversation.item.create")
        if e["item"]["type"] == "function_call_output"
    ]
    assert outputs == ["null"]


async def test_failing_tool_sends_an_error_output_and_reports(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    def broken(arguments: dict) -> None:
        raise RuntimeError("weather service down")

    client.add_tool(WEATHER_TOOL, broken)
    recorder = Recorder(client, "error", "realtime.event")
    client.send_user_message_content([{"type": "input_text", "text": "get_weather now"}])
    await recorder.wait_for(lambda: len(sent(server, "response.create")) >= 2)
    outputs = [
        json.loads(e["item"]["output"])
        for e in sent(server, "conversation.item.create")
        if e["item"]["type"] == "function_call_output"
    ]
    assert outputs == [{"error": "weather service down"}]
    assert [e["error"]["code"] for e in recorder.events["error"]] == ["tool_error"]


async def test_unregistered_tools_are_not_called(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    client.update_session(tools=[{"type": "function", **WEATHER_TOOL}])
    recorder = Recorder(client, "conversation.item.completed")
    done = Recorder(client.realtime, "server.response.done")
    client.send_user_message_content([{"type": "input_text", "text": "get_weather here"}])
    completed = await recorder.wait_for(
        lambda: [
            e
            for e in recorder.events["conversation.item.completed"]
            if e["item"]["type"] == "function_call"
        ]
    )
    assert json.loads(completed[0]["item"]["formatted"]["tool"]["arguments"])["city"] == "Paris"
    await done.count("server.response.done", 1)
    # A barrier: any follow-up scheduled by response.done would reach the server before it.
    barrier = Recorder(client.realtime, "server.session.updated")
    client.update_session(instructions="barrier")
    await barrier.count("server.session.updated", 1)
    assert all(
        e["item"]["type"] != "function_call_output"
        for e in sent(server, "conversation.item.create")
    )
    assert len(sent(server, "response.create")) == 1


# -- errors ---------------------------------------------------------------------------------


async def test_server_errors_and_bad_frames_become_error_events(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    recorder = Recorder(client, "error", "conversation.updated")
    client.cancel_response()  # nothing active: nothing sent
    client.realtime.send("response.cancel")
    await recorder.count("error", 1)
    await server.inject("{not json")
    await server.inject(
        {"type": "response.output_audio.delta", "event_id": "e", "item_id": "x", "delta": ""}
    )
    await server.inject("[1, 2]")
    errors = await recorder.count("error", 4)
    assert [(e["source"], e["error"]["code"]) for e in errors] == [
        ("server", "response_cancel_not_active"),
        ("client", "invalid_frame"),
        ("client", "conversation_error"),
        ("client", "invalid_event"),
    ]
    assert 'Item "x" not found' in errors[2]["error"]["message"]
    # The loop goes on: a normal turn still works.
    client.send_user_message_content([{"type": "input_text", "text": "still there?"}])
    completed = await client.wait_for_next_completed_item(5)
    assert completed is not None


async def test_failing_user_handler_does_not_stop_the_client(client: RealtimeClient) -> None:
    recorder = Recorder(client, "error")

    def broken(event: dict) -> None:
        raise KeyError("oops")

    client.on("conversation.updated", broken)
    client.send_user_message_content([{"type": "input_text", "text": "hi"}])
    assert (await client.wait_for_next_completed_item(5)) is not None
    codes = {e["error"]["code"] for e in recorder.events["error"]}
    assert codes == {"handler_error"}


async def test_connection_loss_is_reported_and_waits_do_not_hang(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    recorder = Recorder(client, "error", "close")
    await server.close_connection(1011, "upstream failure")
    closes = await recorder.count("close", 1)
    assert closes[0] == {"error": True, "code": 1011, "reason": "upstream failure"}
    assert recorder.events["error"][0]["error"]["code"] == "connection_lost"
    assert not client.is_connected()
    with pytest.raises(ConnectionError):
        await client.wait_for_session_created(1)


async def test_sending_while_disconnected_raises_clearly() -> None:
    client = RealtimeClient()
    with pytest.raises(ConnectionError, match="not connected"):
        client.append_input_audio(np.ones(10, np.int16))
    assert len(client.input_audio_buffer) == 0


async def test_reconnect_gets_no_stale_close(server: ScriptedServer) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY)
    recorder = Recorder(client, "close")
    await client.connect()
    await client.disconnect()
    await client.connect()
    assert await client.wait_for_session_created(5)
    assert len(recorder.events["close"]) == 1 and client.is_connected()
    await client.disconnect()


async def test_wait_timeouts_return_none_and_unregister(client: RealtimeClient) -> None:
    assert await client.wait_for_next_item(timeout=0.05) is None
    assert await client.wait_for_next_completed_item(timeout=0.05) is None
    assert not client._next_listeners.get("conversation.item.appended")
    assert not client.realtime._next_listeners.get("close")


# -- audio ----------------------------------------------------------------------------------


async def test_manual_commit_gives_the_user_item_its_audio(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    audio = (np.arange(12000) % 1000).astype(np.int16)
    recorder = Recorder(client, "conversation.item.appended")
    for chunk in np.split(audio, 5):
        client.append_input_audio(chunk)
    client.create_response()
    user = await recorder.wait_for(
        lambda: [
            e["item"]
            for e in recorder.events["conversation.item.appended"]
            if e["item"]["role"] == "user"
        ]
    )
    assert np.array_equal(user[0]["formatted"]["audio"], audio)
    types = [e["type"] for e in server.connections[-1].received]
    assert types[-2:] == ["input_audio_buffer.commit", "response.create"]
    assert client.input_audio_buffer.pending_samples == 0


@pytest.mark.parametrize("dialect", ["ga"])
async def test_vad_slices_stay_aligned_and_the_buffer_is_bounded(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    client.update_session(turn_detection="server_vad")
    recorder = Recorder(client, "conversation.item.appended", "conversation.interrupted")
    audio = np.arange(48000, dtype=np.int32).astype(np.int16)
    client.append_input_audio(audio[:24000])
    client.append_input_audio(audio[24000:])
    await server.inject(
        {
            "type": "input_audio_buffer.speech_started",
            "event_id": "e1",
            "item_id": "item_u",
            "audio_start_ms": 1200,
        }
    )
    await server.inject(
        {
            "type": "input_audio_buffer.speech_stopped",
            "event_id": "e2",
            "item_id": "item_u",
            "audio_end_ms": 1700,
        }
    )
    await server.inject(
        {
            "type": "conversation.item.added",
            "event_id": "e3",
            "item": {
                "id": "item_u",
                "type": "message",
                "role": "user",
                "status": "completed",
                "content": [{"type": "input_audio", "transcript": None}],
            },
        }
    )
    appended = await recorder.count("conversation.item.appended", 1)
    assert np.array_equal(appended[0]["item"]["formatted"]["audio"], audio[28800:40800])
    assert recorder.events["conversation.interrupted"] == [
        {"item_id": "item_u", "audio_start_ms": 1200}
    ]
    # Audio before the end of the turn is dropped locally.
    assert len(client.input_audio_buffer) == 48000 - 40800


def test_input_buffer_keeps_a_bounded_window() -> None:
    client = RealtimeClient(max_input_audio_seconds=1)
    buffer = client.input_audio_buffer
    for _ in range(100):
        buffer.append(np.ones(2400, np.int16))
    assert len(buffer) == 24000 and buffer.total_samples == 240000


async def test_cancel_response_validates_then_truncates_to_received_audio(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    client.send_user_message_content([{"type": "input_text", "text": "talk"}])
    completed = await client.wait_for_next_completed_item(5)
    completed = await client.wait_for_next_completed_item(5)
    assert completed is not None
    item = completed["item"]
    assert await client.realtime.wait_for_next("server.response.done", timeout=5)
    with pytest.raises(ValueError, match="Could not find item"):
        client.cancel_response("item_missing", 10)
    user_id = client.conversation.get_items()[0]["id"]
    with pytest.raises(ValueError, match='role "assistant"'):
        client.cancel_response(user_id, 10)
    client.cancel_response(item["id"], 10**9)
    await received_count(client, server, 4)
    truncate = sent(server, "conversation.item.truncate")[0]
    assert truncate["audio_end_ms"] == len(item["formatted"]["audio"]) * 1000 // 24000
    assert sent(server, "response.cancel") == []  # the response was already done


async def test_debug_logs_events_without_audio_or_key(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="console.realtime")
    client = RealtimeClient(url=server.url, api_key=API_KEY, debug=True)
    await client.connect()
    client.append_input_audio(np.ones(4800, np.int16))
    client.send_user_message_content([{"type": "input_text", "text": "log me"}])
    assert await client.wait_for_next_completed_item(5)
    assert await client.wait_for_next_completed_item(5)
    await client.disconnect()
    text = caplog.text
    assert "sent: input_audio_buffer.append" in text and "received: session.created" in text
    assert "<audio: 12800 base64 chars>" in text
    assert API_KEY not in text


async def test_the_key_never_reaches_any_log(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Even websockets' handshake debug lines (every header) are masked."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="console.realtime.websocket")
    client = RealtimeClient(url=server.url, api_key=API_KEY, debug=True)
    await client.connect()
    assert await client.wait_for_session_created(5)
    await client.disconnect()
    # The scripted server's own logger (websockets.server) is not the client's business.
    client_side = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")
    )
    assert "Authorization: [redacted]" in client_side  # the handshake was logged...
    assert API_KEY not in client_side  # ...without the key


@pytest.mark.parametrize(
    "url",
    [
        "ws//127.0.0.1:9/v1/realtime?api_key=sk-SECRET-123456",
        "ws://user:sk-SECRET-123456@127.0.0.1:9/v1/realtime",
    ],
)
async def test_keys_in_urls_stay_out_of_errors_and_reprs(url: str) -> None:
    client = RealtimeClient(url=url)
    with pytest.raises(ConnectionError) as raised:
        await client.connect()
    assert "sk-SECRET" not in str(raised.value) and "sk-SECRET" not in repr(client.realtime)


async def test_waiting_raises_when_the_connection_closes_meanwhile(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    waiting = asyncio.ensure_future(client.wait_for_next_item(timeout=5))
    asyncio.get_running_loop().call_soon(
        lambda: asyncio.ensure_future(server.close_connection(1011))
    )
    with pytest.raises(ConnectionError, match="closed while waiting"):
        await waiting
    with pytest.raises(ConnectionError, match="Not connected"):
        await client.wait_for_next_item()


async def test_absurdly_nested_frames_are_reported_and_the_loop_goes_on(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    recorder = Recorder(client, "error")
    await server.inject("[" * 100_000 + "]" * 100_000)
    errors = await recorder.count("error", 1)
    assert errors[0]["error"]["code"] == "invalid_frame"
    client.send_user_message_content([{"type": "input_text", "text": "still reading?"}])
    assert await client.wait_for_next_completed_item(5) is not None


async def test_manual_audio_goes_to_the_committed_item_not_a_text_one(
    client: RealtimeClient,
) -> None:
    audio = (np.arange(24000) % 500).astype(np.int16)
    client.append_input_audio(audio)
    recorder = Recorder(client, "conversation.item.appended")
    client.send_user_message_content([{"type": "input_text", "text": "and this text"}])
    users = await recorder.wait_for(
        lambda: (
            [
                e["item"]
                for e in recorder.events["conversation.item.appended"]
                if e["item"]["role"] == "user"
            ][:2]
            or None
            if len(
                [
                    e
                    for e in recorder.events["conversation.item.appended"]
                    if e["item"]["role"] == "user"
                ]
            )
            >= 2
            else None
        )
    )
    text_item, audio_item = users
    assert text_item["formatted"]["text"] == "and this text"
    assert len(text_item["formatted"]["audio"]) == 0
    assert np.array_equal(audio_item["formatted"]["audio"], audio)


async def test_cancel_right_after_create_response_is_sent(
    client: RealtimeClient, server: ScriptedServer
) -> None:
    recorder = Recorder(client, "realtime.event")
    client.create_response()
    client.cancel_response()
    await recorder.wait_for(lambda: sent(server, "response.cancel"))


def test_session_values_the_api_rejects_are_caught_locally() -> None:
    client = RealtimeClient()
    with pytest.raises(SessionConfigError, match="voice"):
        client.update_session(voice="")
    with pytest.raises(SessionConfigError, match="not supported"):
        client.update_session(type="transcription")
    with pytest.raises(SessionConfigError, match="unknown response field"):
        client.create_response({"modality": ["text"]})
