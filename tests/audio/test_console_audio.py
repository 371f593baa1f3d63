"""The console's audio through Pilot: push-to-talk on a real sink, and missing devices."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from console.simulator import SimulatorServer
from tests.app.conftest import (
    client_event,
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
)

from .pulse import PrivatePulse
from .signals import have_speech_tools, speech_wav
from .test_streams import play_file


@pytest.mark.audio
async def test_push_to_talk_sends_the_speech_and_asks_for_a_reply(
    pulse: PrivatePulse, tmp_path: Path
) -> None:
    if not have_speech_tools():
        pytest.skip("espeak-ng and sox are needed to make speech")
    speech = speech_wav(tmp_path, "Hello from the push to talk test.")
    async with SimulatorServer(pace="fast") as simulator:
        app = console_app(simulator.url, audio=True, save_audio=tmp_path / "saved")
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            assert app.voice is not None and app.voice.notice is None, app.voice
            app.query_one("#conversation").focus()  # space types into the input line there
            appended = expect(app, client_event("input_audio_buffer.append"))
            await pilot.press("space")
            assert app.voice.talking
            await play_file(speech)
            await appended
            committed = expect(app, client_event("input_audio_buffer.commit"))
            answered = expect(app, server_event("response.done"))
            await pilot.press("space")
            assert not app.voice.talking
            await committed
            await answered
            user = next(i for i in app.client.conversation.get_items() if i["role"] == "user")
            assert len(user["formatted"]["audio"]) > 24_000 * 0.5  # the spoken sentence
            app.render_frame()
            await pilot.pause()
            assert "space to talk" in screen_text(app)
        assert list((tmp_path / "saved").glob("*.wav")), "--save-audio wrote nothing"


async def test_missing_devices_are_a_notice_and_text_goes_on() -> None:
    async with SimulatorServer(pace="fast") as simulator:
        app = console_app(
            simulator.url, audio=True, input_device="no such mic", output_device="no such speaker"
        )
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            assert app.voice is not None and app.voice.notice
            app.render_frame()
            await pilot.pause()
            assert "no such" in screen_text(app)
            answered = expect(app, server_event("response.done"))
            prompt = app.query_one("#prompt")
            prompt.value = "still works in text"  # type: ignore[attr-defined]
            prompt.focus()
            await pilot.press("enter")
            await answered
            await pilot.press("escape")
            app.query_one("#conversation").focus()
            await pilot.press("space")  # push-to-talk without a microphone: a notice, no crash
            assert app.is_running


async def test_a_device_that_comes_back_is_used_without_restarting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from .test_devices import fake_sounddevice

    card = {
        "index": 0,
        "name": "USB Headset",
        "hostapi": 0,
        "max_input_channels": 1,
        "max_output_channels": 2,
        "default_samplerate": 48000.0,
    }
    devices: list[dict[str, object]] = []
    module = fake_sounddevice(devices)  # no device yet
    module._terminate = lambda: None  # type: ignore[attr-defined]
    module._initialize = lambda: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", module)
    async with SimulatorServer(pace="fast") as simulator:
        app = console_app(simulator.url, audio=True)
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            assert app.voice is not None
            assert app.voice.notice == "no audio: no input device found; no output device found"
            devices.append(card)  # plugged in
            await pilot.press("ctrl+p")
            await pilot.press(*"Retry audio")
            await pilot.press("enter")
            await app.workers.wait_for_complete()  # the rescan runs on the device thread
            assert app.voice.notice is None and app.voice.streaming
            assert not app.inspector.meter_from_events


@pytest.mark.audio
async def test_a_message_typed_over_a_reply_still_playing_truncates_it(
    pulse: PrivatePulse,
) -> None:
    """Issue 12 #2: the reply finished generating (response.done) but still plays; typing a new
    message first tells the server where the listener stopped hearing it."""
    async with SimulatorServer(pace="realtime", generation_speed=20.0) as simulator:
        app = console_app(simulator.url, audio=True)
        async with app.run_test(size=(160, 48)):
            await connected(app)
            assert app.voice is not None and app.voice.speaker is not None
            speaker = app.voice.speaker
            done = expect(app, server_event("response.done"))
            app.send_message(
                Input.Submitted(app.query_one("#prompt", Input), "tell me about lighthouses")
            )
            await done  # generated 20 times faster than it plays: it plays on
            assert await speaker.wait_output(0.3, timeout=10)
            playing = speaker.tracker.current_item
            assert playing is not None and speaker.buffered_samples > 24_000 // 2
            truncated = expect(app, client_event("conversation.item.truncate"))
            app.send_message(Input.Submitted(app.query_one("#prompt", Input), "stop, a question"))
            truncate = (await truncated)["event"]
            played_ms = speaker.samples_played(playing) * 1000 // 24_000
            assert truncate["item_id"] == playing
            assert abs(truncate["audio_end_ms"] - played_ms) <= 50
