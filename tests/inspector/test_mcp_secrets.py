"""MCP tools' secrets (header values, authorization) never reach a recording or the screen."""

from __future__ import annotations

import json
from typing import Any

from console.inspector.payloads import event_json, search_text
from console.inspector.recording import record_to_json
from console.inspector.store import EventRecord

SECRET = "Bearer sk-mcp-0123456789"


def _session_update() -> dict[str, Any]:
    tool = {
        "type": "mcp",
        "server_label": "weather",
        "server_url": "https://mcp.example.com/mcp",
        "headers": {"Authorization": SECRET},
        "authorization": "oauth-token-42",
    }
    function = {"type": "function", "name": "ping", "parameters": {}}
    return {"type": "session.update", "session": {"type": "realtime", "tools": [tool, function]}}


def test_a_recording_masks_mcp_headers_and_keeps_the_rest() -> None:
    event = _session_update()
    line = record_to_json(EventRecord(1, 0.0, "client", "session.update", event))
    assert SECRET not in line and "oauth-token-42" not in line
    tools = json.loads(line)["event"]["session"]["tools"]
    assert tools[0]["headers"] == {"Authorization": "••••••"}
    assert tools[0]["server_url"] == "https://mcp.example.com/mcp"
    assert tools[1] == {"type": "function", "name": "ping", "parameters": {}}
    assert event["session"]["tools"][0]["headers"]["Authorization"] == SECRET  # not mutated


def test_the_events_pane_text_masks_them_in_sessions_and_responses() -> None:
    event = _session_update()
    echoed = {"type": "session.updated", "event_id": "e1", "session": event["session"]}
    response = {"type": "response.create", "response": {"tools": event["session"]["tools"]}}
    for shown in (event, echoed, response):
        assert SECRET not in event_json(shown)
        assert SECRET.casefold() not in search_text(shown)
