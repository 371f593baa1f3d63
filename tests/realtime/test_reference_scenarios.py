"""The reference client's test suite (api.js, client.js, audio.js), over real websockets.

Run against the scripted server in both dialects; the same scenarios run against the embedded
simulator in ``test_against_simulator.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from console.realtime import RealtimeAPI, RealtimeClient
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder, realtime_types
from tests.realtime.scripted_server import ScriptedServer


async def test_api_without_key_gets_an_error_event(server: ScriptedServer, dialect: str) -> None:
    api = RealtimeAPI(url=server.url, dialect=dialect)
    assert api.api_key is None
    assert await api.connect() is True
    error = await api.wait_for_next("server.error", timeout=5)
    assert error is not None
    assert "Incorrect API key provided" in error["error"]["message"]
    await api.disconnect()


async def test_api_connects_and_disconnects(server: ScriptedServer, dialect: str) -> None:
    api = RealtimeAPI(url=server.url, api_key=API_KEY, dialect=dialect)
    assert api.api_key == API_KEY
    assert await api.connect() is True
    assert api.is_connected()
    await api.disconnect()
    assert not api.is_connected()


async def run_text_turn(client: RealtimeClient, expected_in_transcript: str) -> None:
    """The reference's client.js sequence, from session.update to the completed answer."""
    recorder = Recorder(client, "realtime.event")
    await client.connect()
    assert client.is_connected()
    assert await client.wait_for_session_created(10)
    events = recorder.events["realtime.event"]
    assert realtime_types(events) == ["client:session.update", "server:session.created"]

    client.send_user_message_content([{"type": "input_text", "text": "How are you?"}])
    assert realtime_types(events)[2:] == [
        "client:conversation.item.create",
        "client:response.create",
    ]
    assert len(events) == 4

    user = await client.wait_for_next_item(10)
    assert user is not None
    assert user["item"]["type"] == "message" and user["item"]["role"] == "user"
    assert user["item"]["status"] == "completed"
    assert user["item"]["formatted"]["text"] == "How are you?"

    assistant = await client.wait_for_next_item(10)
    assert assistant is not None
    assert assistant["item"]["role"] == "assistant"
    assert assistant["item"]["status"] == "in_progress"
    assert assistant["item"]["formatted"]["text"] == ""

    completed = await client.wait_for_next_completed_item(10)
    assert completed is not None
    item = completed["item"]
    assert item["role"] == "assistant" and item["status"] == "completed"
    assert expected_in_transcript in item["formatted"]["transcript"].lower()
    assert item["formatted"]["audio"].dtype == np.int16 and len(item["formatted"]["audio"]) > 0

    await client.disconnect()
    assert not client.is_connected()


async def test_text_turn(server: ScriptedServer, dialect: str) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
    client.update_session(instructions="Always include the phrase San Francisco.")
    await run_text_turn(client, "how are you?")


async def test_audio_message_gives_four_client_events(client: RealtimeClient) -> None:
    """audio.js: an input_audio message (float samples converted to PCM16)."""
    recorder = Recorder(client, "realtime.event")
    samples = np.sin(np.linspace(0, 100, 24000)).astype(np.float32)
    client.send_user_message_content([{"type": "input_audio", "audio": samples}])
    assert realtime_types(recorder.events["realtime.event"], "client") == [
        "client:conversation.item.create",
        "client:response.create",
    ]
    user = await client.wait_for_next_item(10)
    assert user is not None and user["item"]["role"] == "user"
    assert user["item"]["formatted"]["text"] == ""
    completed = await client.wait_for_next_completed_item(10)
    assert completed is not None and completed["item"]["role"] == "assistant"


@pytest.mark.parametrize("dialect", ["ga"])
async def test_empty_audio_message_is_valid(client: RealtimeClient) -> None:
    """The seed README's ``{type: 'input_audio', audio: new Int16Array(0)}``."""
    recorder = Recorder(client, "realtime.event")
    client.send_user_message_content([{"type": "input_audio", "audio": np.zeros(0, np.int16)}])
    sent = recorder.events["realtime.event"][0]["event"]
    assert sent["item"]["content"] == [{"type": "input_audio", "audio": ""}]
