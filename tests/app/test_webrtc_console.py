"""The console over ``--transport webrtc``: a typed message gets its reply, the status bar names
the transport, and neither the key nor the minted ``ek_`` secret shows. Until the simulator has
its calls route, the server is the independent aiortc answerer of ``tests/realtime``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from textual.widgets import Input

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.status import StatusBar
from console.inspector.connection import Target
from tests.realtime.webrtc_answerer import KEY, WebRTCAnswerer

from .conftest import connected, console_app, expect, screen_text, server_event, until


@pytest.fixture
async def answerer() -> AsyncIterator[WebRTCAnswerer]:
    server = WebRTCAnswerer()
    await server.start()
    yield server
    await server.stop()


async def test_a_typed_message_gets_its_reply_over_webrtc(answerer: WebRTCAnswerer) -> None:
    target = Target(answerer.url, KEY, "ga", None, "answerer", transport="webrtc")
    app = console_app(answerer.url, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        assert app.client.realtime.transport == "webrtc"
        stopped = expect(app, server_event("output_audio_buffer.stopped"))
        prompt = app.query_one("#prompt", Input)
        prompt.focus()
        prompt.value = "Hello over WebRTC"
        await pilot.press("enter")
        await stopped
        await until(pilot, lambda: len(app.query_one(ConversationPane).item_ids) == 2, "2 items")
        shown = app.query_one(ConversationPane).item_ids
        assistant = app.client.conversation.get_item(shown[1])
        assert assistant["formatted"]["transcript"] == "Hello from WebRTC."
        assert len(assistant["formatted"]["audio"])  # the track's audio became the item's
        app.render_frame()
        await pilot.pause()
        text = screen_text(app)
        assert "Hello over WebRTC" in text and "Hello from WebRTC." in text
        status = app.query_one(StatusBar).render().plain
        assert "│ WebRTC call rtc_" in status  # the status bar names the transport and the call
        secret = next(iter(answerer.secrets))
        assert KEY not in text and secret not in text


async def test_a_refused_ek_token_is_told_without_showing_it(answerer: WebRTCAnswerer) -> None:
    forged = "ek_forged_0123456789abcdef"
    target = Target(answerer.url, forged, "ga", None, "answerer", True, "webrtc")
    app = console_app(answerer.url, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: "401" in (app.inspector.connection.detail or ""), "refusal")
        app.render_frame()
        await pilot.pause()
        text = screen_text(app)
        assert "401" in text and "--token" in text
        assert forged not in text and forged[3:] not in text
