"""Hostile server input: error fields forced to text, the client's own frame limit told plainly."""

from __future__ import annotations

import pytest

from console.realtime import RealtimeClient, api
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder
from tests.realtime.scripted_server import ScriptedServer


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ({"code": 7, "message": {"nested": [1, 2]}, "type": 3}, "7", "{'nested': [1, 2]}"),
        ({"code": None, "message": ["a", "b"], "param": 5}, "server_error", "['a', 'b']"),
        ({"code": "x", "message": 1.5, "event_id": 12}, "x", "1.5"),
        ({"message": None}, "server_error", ""),
    ],
)
async def test_server_error_fields_reach_handlers_as_strings(
    client: RealtimeClient,
    server: ScriptedServer,
    error: dict[str, object],
    code: str,
    message: str,
) -> None:
    recorder = Recorder(client, "error")
    await server.inject({"type": "error", "event_id": "evt_1", "error": error})
    (payload,) = await recorder.count("error", 1)
    details = payload["error"]
    assert (details["code"], details["message"]) == (code, message)
    assert isinstance(details["type"], str)
    for key in ("param", "event_id"):
        assert details[key] is None or isinstance(details[key], str)
    assert client.is_connected()


async def test_a_frame_over_the_limit_is_reported_as_the_clients_own_close(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "MAX_FRAME_BYTES", 4096)
    client = RealtimeClient(url=server.url, api_key=API_KEY)
    await client.connect()
    assert await client.wait_for_session_created(5)
    recorder = Recorder(client, "error", "close")
    await server.inject('{"type": "x", "pad": "' + "a" * 10_000 + '"}')
    (close,) = await recorder.count("close", 1)
    assert close == {"error": True, "code": 1009, "reason": "frame_too_large"}
    errors = recorder.events["error"]
    assert [e["error"]["code"] for e in errors] == ["frame_too_large"]
    assert "the client closed the connection" in errors[0]["error"]["message"]
    assert "closed by the server" not in errors[0]["error"]["message"]
    assert not client.is_connected()
