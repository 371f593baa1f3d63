"""Connecting, reconnecting (optionally with the conversation's text) and disconnecting.

A lost connection keeps the conversation and the events on screen; F2 or the palette's
"Reconnect" opens a new session with the same session configuration and tools (the client's
``connect`` sends its whole configuration), and "Reconnect with history" then gives the new
session the earlier user and assistant text as conversation items, as livekit and pipecat do
(audio is not carried: the server cannot take assistant audio back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.inspector.connection import carried_history, explain_connect_failure
from console.realtime import text_message_item

if TYPE_CHECKING:
    from console.app.app import RealtimeConsoleApp


async def connect(app: RealtimeConsoleApp, *, with_history: bool = False) -> None:
    """Connect (or reconnect); a failure is shown, never raised."""
    client, inspector = app.client, app.inspector
    if app.config.replay is not None:
        app.notify("A replay is read-only.", severity="warning")
        return
    carried = carried_history(client.conversation.get_items()) if with_history else []
    if client.is_connected():
        await client.disconnect()
    if carried:  # the carried turns come back as the new session's items: no doubles
        client.conversation.clear()
    inspector.set_connection("connecting", inspector.target.endpoint)
    try:
        await client.connect()
    except (TimeoutError, ConnectionError, OSError, RuntimeError) as exc:
        detail = explain_connect_failure(exc, inspector.target)
        inspector.set_connection("disconnected", detail)
        app.notify(detail, title="Could not connect", severity="error", timeout=10)
        return
    inspector.set_connection("connected")
    for role, text in carried:
        item = text_message_item(role, text, client.realtime.dialect)
        client.realtime.send("conversation.item.create", {"item": item})
    if with_history:
        app.notify(f"Carried {len(carried)} messages into the new session.")
    voice = app.voice
    if voice is not None:
        await voice.start()
        # Devices that opened feed the meters; without any, the events still do.
        inspector.meter_from_events = not voice.streaming
        app.voice_changed()


async def disconnect(app: RealtimeConsoleApp) -> None:
    """Close the connection you asked to close: the conversation starts over next time."""
    if app.voice is not None:
        await app.voice.stop()
    await app.client.disconnect()
    app.inspector.reset_conversation()  # the client forgot its conversation
    app.inspector.set_connection("disconnected", "disconnected by you")
