"""The retrieve audit in the console, against the simulator: a user's audio item is retrieved
(``r``), its detail compares what was sent with what the server kept, and every case where the
action does not apply is told in words."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from console.app.app import RealtimeConsoleApp
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.heard import HeardPanel
from console.inspector.connection import Target
from console.simulator import SimulatorServer
from tests.simulator.helpers import silence, tone

from .conftest import connected, console_app, expect, screen_text, server_event, until

SPEECH = np.concatenate([silence(0.4), tone(1.0), silence(1.0)])


async def spoken_item(app: RealtimeConsoleApp, pilot: Any) -> str:
    """Speak a tone under server VAD; the user item it makes (its response done)."""
    done = expect(app, server_event("response.done"))
    app.client.update_session(turn_detection={"type": "server_vad"})
    app.client.append_input_audio(SPEECH)
    await done
    app.render_frame()
    await pilot.pause()
    item = next(item for item in app.client.conversation.get_items() if item["role"] == "user")
    return str(item["id"])


def toasts(app: RealtimeConsoleApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_retrieve_shows_what_was_sent_beside_what_the_server_heard(
    simulator: SimulatorServer, dialect: str
) -> None:
    app = console_app(simulator.url, target=Target(simulator.url, None, dialect, None, "test"))
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        item_id = await spoken_item(app, pilot)
        pane = app.query_one(ConversationPane)
        pane.focus()
        pane.select(item_id)
        retrieved = expect(app, server_event("conversation.item.retrieved"))
        await pilot.press("r")
        event = (await retrieved)["event"]
        assert event["item"]["id"] == item_id and event["item"]["content"][0]["audio"]
        audit = app.inspector.retrieves.get(item_id)
        assert audit is not None and audit.state == "done"
        assert audit.sent_levels is not None and audit.heard_levels is not None
        assert audit.alignment is not None and abs(audit.alignment.offset_ms) < 5
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query(HeardPanel), "the detail's heard panel")
        await until(pilot, lambda: "heard  " in screen_text(app), "the comparison lines")
        text = screen_text(app)
        sent_s, heard_s = audit.sent_levels.seconds, audit.heard_levels.seconds
        assert f"sent   {sent_s:.2f} s · RMS" in text and f"heard  {heard_s:.2f} s · RMS" in text
        assert "VAD window" in text and "starts with what was sent" in text
        assert "▕" in text  # the level strip
        await pilot.press("h")  # no speaker in the tests: told in words
        await until(
            pilot, lambda: any("No speaker" in t for t in toasts(app)), "the no-speaker toast"
        )


async def test_the_action_is_refused_in_words_where_it_does_not_apply(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        pane = app.query_one(ConversationPane)
        pane.focus()
        await pilot.press("r")  # nothing selected
        await until(pilot, lambda: any("Select a user audio" in t for t in toasts(app)), "select")
        await spoken_item(app, pilot)
        assistant = next(
            item["id"] for item in app.client.conversation.get_items() if item["role"] != "user"
        )
        pane.select(assistant)
        await pilot.press("r")
        await until(pilot, lambda: any("(assistant)" in t for t in toasts(app)), "kind")
        await pilot.press("h")
        await until(pilot, lambda: any("Nothing retrieved" in t for t in toasts(app)), "nothing")


async def test_an_item_the_server_no_longer_has_fails_with_its_error(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        item_id = await spoken_item(app, pilot)
        error = expect(app, server_event("error"))
        app.client.realtime.send("conversation.item.retrieve", {"item_id": "item_gone"})
        await error
        audit = app.inspector.retrieves.get("item_gone")
        assert audit is not None and audit.state == "failed"
        assert audit.reason.startswith("item_retrieve_invalid_item_id: ")
        assert app.inspector.retrieves.get(item_id) is None


async def test_a_transcription_session_is_told_that_retrieve_does_not_apply(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url, transcription=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.action_retrieve_item("item_1")
        await until(pilot, lambda: any("transcription session" in t for t in toasts(app)), "told")


async def test_noise_reduction_lowers_the_level_the_server_heard(
    simulator: SimulatorServer,
) -> None:
    """Steady noise around a tone: with ``near_field`` the server keeps the noise quieter."""
    noise = np.random.default_rng(7).normal(0, 600, int(3.0 * 24000))
    noisy = np.concatenate([silence(1.0), tone(1.0), silence(1.0)]) + noise
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)):
        await connected(app)
        updated = expect(app, server_event("session.updated"))
        app.client.update_session(input_audio_noise_reduction={"type": "near_field"})
        await updated
        added = expect(app, server_event("conversation.item.added"))
        app.client.append_input_audio(np.clip(noisy, -32768, 32767).astype(np.int16))
        app.client.commit_input_audio()
        item_id = (await added)["event"]["item"]["id"]
        retrieved = expect(app, server_event("conversation.item.retrieved"))
        app.action_retrieve_item(item_id)
        await retrieved
        audit = app.inspector.retrieves.get(item_id)
        assert audit is not None and audit.sent_levels and audit.heard_levels
        assert audit.heard_levels.samples == audit.sent_levels.samples
        assert audit.heard_levels.rms_dbfs < audit.sent_levels.rms_dbfs
        sent_row, heard_row = audit.strip
        noise_sent, noise_heard = sent_row[2], heard_row[2]  # within the first second: noise
        assert noise_sent is not None and noise_heard is not None
        assert noise_sent - noise_heard > 6.0, (noise_sent, noise_heard)
        speech = sent_row[len(sent_row) // 2], heard_row[len(heard_row) // 2]
        assert speech[0] is not None and speech[1] is not None
        assert abs(speech[0] - speech[1]) < 3.0  # the tone passes


async def test_a_g711_session_compares_the_decoded_audio(simulator: SimulatorServer) -> None:
    """The server keeps G.711 (8 kHz) audio: the retrieved clip is decoded to 24 kHz as the
    session's input format says, and still lines up with what was sent."""
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        updated = expect(app, server_event("session.updated"))
        app.client.update_session(audio={"input": {"format": {"type": "audio/pcmu"}}})
        await updated
        item_id = await spoken_item(app, pilot)
        retrieved = expect(app, server_event("conversation.item.retrieved"))
        app.action_retrieve_item(item_id)
        await retrieved
        audit = app.inspector.retrieves.get(item_id)
        assert audit is not None and audit.state == "done", audit and audit.reason
        assert audit.sent_levels is not None and audit.heard_levels is not None
        assert abs(audit.heard_levels.samples - audit.sent_levels.samples) <= 3 * 2
        assert abs(audit.heard_levels.rms_dbfs - audit.sent_levels.rms_dbfs) < 1.0
        # The 8 kHz round trip's low-pass filters (the client's, the server's) delay the audio
        # by about 11 ms: the heard clip starts that much "before" what was sent.
        assert audit.alignment is not None and -15 < audit.alignment.offset_ms <= 0


async def test_a_webrtc_call_is_told_that_retrieve_does_not_apply() -> None:
    """Attached to a call (``--call-id``), the microphone's audio went on the call's track."""
    url = "ws://127.0.0.1:9/v1/realtime"
    target = Target(url, None, "ga", None, "test", call_id="rtc_test")
    app = console_app(url, target=target, autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.action_retrieve_item("item_1")
        await until(pilot, lambda: any("over WebRTC" in t for t in toasts(app)), "told")


async def test_r_in_the_item_detail_retrieves_and_the_panel_fills_in(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        item_id = await spoken_item(app, pilot)
        pane = app.query_one(ConversationPane)
        pane.focus()
        pane.select(item_id)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query(HeardPanel), "the detail's heard panel")
        assert "r retrieves what the server kept" in screen_text(app)
        assert "heard  " not in screen_text(app)
        retrieved = expect(app, server_event("conversation.item.retrieved"))
        await pilot.press("r")
        await retrieved
        await until(pilot, lambda: "heard  " in screen_text(app), "the comparison lines")
        assert "sent   " in screen_text(app)
