"""``--transcription``: the console on a transcription session of the simulator.

User turns come from audio the test appends (speech-like bursts between silences, as in
tests/simulator) or from ``--input-wav``; their transcripts stream into the conversation pane with
their logprobs; no response is ever asked for; the response actions are hidden.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from textual.widgets import Input

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.session import SessionPane
from console.audio.wav import write_wav
from console.inspector.recording import load_recording
from console.simulator import SimulatorServer
from tests.simulator.helpers import silence, tone

from .conftest import (
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
    settled,
    until,
)

COMPLETED = "conversation.item.input_audio_transcription.completed"
DELTA = "conversation.item.input_audio_transcription.delta"


def speech() -> np.ndarray:
    """One turn for the simulator's VAD: silence, a harmonic burst, then enough silence."""
    return np.concatenate([silence(0.3), tone(0.8), silence(0.7)])


def sent_types(app: Any) -> list[str]:
    return [row.type for row in app.inspector.store.rows if row.source == "client"]


async def test_transcripts_stream_into_the_pane_with_logprobs_and_no_response(
    slow_simulator: SimulatorServer,
) -> None:
    app = console_app(slow_simulator.url, transcription=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        pane = app.query_one(ConversationPane)
        first_delta = expect(app, server_event(DELTA))
        completed = expect(app, server_event(COMPLETED))
        app.client.append_input_audio(speech())
        item_id = (await first_delta)["event"]["item_id"]
        seen: list[str] = []

        def drawn() -> bool:  # every frame's text of the item, until it completes
            app.render_frame()
            text = pane.text_of(item_id)
            if text and (not seen or seen[-1] != text):
                seen.append(text)
            return completed.future.done() and bool(text) and "logprob mean" in text

        await until(pilot, drawn, "the completed transcript with its logprobs")
        transcript = (await completed)["event"]["transcript"]
        assert transcript.startswith("[speech")
        assert transcript in seen[-1] and "user" in seen[-1]
        partial = [text for text in seen if transcript not in text and "[speech" in text]
        assert partial, seen  # the deltas showed before the transcript completed
        await pilot.pause()
        shown = screen_text(app)
        assert "logprob mean" in shown and "min -0.0" in shown, shown
        assert "response.create" not in sent_types(app)
        assert not any(row.type.startswith("response.") for row in app.inspector.store.rows)


async def test_an_input_wav_is_transcribed(simulator: SimulatorServer, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "turn.wav", speech())
    app = console_app(simulator.url, transcription=True, input_wav=wav)
    async with app.run_test(size=(160, 48)) as pilot:
        completed = expect(app, server_event(COMPLETED))
        await connected(app)
        event = (await completed)["event"]
        await until(
            pilot,
            lambda: (app.render_frame(), event["transcript"] in screen_text(app))[1],
            "the WAV's transcript on screen",
        )
        assert "response.create" not in sent_types(app)


async def test_push_to_talk_commits_without_a_response(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "turn.wav", tone(1.0))
    app = console_app(simulator.url, transcription=True, input_wav=wav, autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.client.update_session(turn_detection=None)  # manual turns: Space talks
        app.action_connect()
        await connected(app)
        app.action_talk()
        await until(
            pilot,
            lambda: app.client.input_audio_buffer.pending_samples >= 12_000,
            "half a second of the WAV sent",
        )
        completed = expect(app, server_event(COMPLETED))
        app.action_talk()
        assert (await completed)["event"]["transcript"]
        assert sent_types(app).count("input_audio_buffer.commit") == 1
        assert "response.create" not in sent_types(app)


async def test_no_response_action_is_offered_and_typed_text_is_not_sent(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url, transcription=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        prompt = app.query_one("#prompt", Input)
        assert "Transcription session" in prompt.placeholder
        assert "transcription session" in app.sub_title
        for action in ("answer_tool_call", "reconnect_with_history"):
            assert app.check_action(action, ()) is False
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Reconnect with history" not in titles and "Answer tool call" not in titles
        assert "Connect" in titles and "Compose event" in titles
        assert not app.client.tools  # no demo tools: nothing would ever call them
        await pilot.click("#prompt")
        await pilot.press(*"hello", "enter")
        await until(
            pilot,
            lambda: any("takes no messages" in n.message for n in app._notifications),
            "the reason the line was not sent",
        )
        assert prompt.value == "hello"  # kept, not lost
        assert "conversation.item.create" not in sent_types(app)
        app.render_frame()
        await pilot.pause()
        assert "│ transcription │" in screen_text(app)  # the status bar says it too


async def test_a_failed_transcription_says_why(tmp_path: Path) -> None:
    """One server event per line, as another tool logs them: the user's turn, then the
    failure, which the pane shows in the server's words."""
    item = {
        "id": "item_user1",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_audio", "transcript": None}],
    }
    error = {"type": "invalid_request_error", "code": "audio_unintelligible", "message": "noise"}
    events = [
        {"type": "conversation.item.added", "event_id": "e1", "item": item},
        {
            "type": "conversation.item.input_audio_transcription.failed",
            "event_id": "e2",
            "item_id": "item_user1",
            "content_index": 0,
            "error": error,
        },
    ]
    log = tmp_path / "failed.jsonl"
    log.write_text("".join(json.dumps(event) + "\n" for event in events))
    app = console_app(None, replay=load_recording(log), autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        app.render_frame()
        await pilot.pause()
        drawn = app.query_one(ConversationPane).text_of("item_user1") or ""
        assert "✗ transcription failed — audio_unintelligible: noise" in drawn
        assert "transcription failed" in screen_text(app)


async def test_the_editor_shows_and_applies_the_transcription_fields(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url, transcription=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        pane = app.query_one(SessionPane)
        await until(pilot, lambda: bool(pane.state.acknowledged), "the session acknowledged")
        app.render_frame()
        await pilot.pause()
        for shown in ("#session-transcription-model", "#session-logprobs", "#session-turn"):
            assert app.query_one(shown).display
        for absent in ("#session-voice", "#session-instructions", "#session-tools-editor"):
            assert not app.query(absent)  # a transcription session has none of them
        assert not app.query("#session-vad-create")  # nor responses to create
        assert "transcription · gpt-4o-transcribe" in str(pane.summary.render())

        pane.transcriber.language.value = "French"
        pane.action_apply()
        assert "ISO-639-1" in str(pane.result.render())
        assert "not sent" in str(pane.result.render()).lower()

        pane.transcriber.language.value = "fr"
        pane.transcriber.prompt.value = "Names: Amélie, Zoë"
        pane.noise.value = "near_field"
        pane.logprobs.value = False
        updated = expect(app, server_event("session.updated"))
        pane.action_apply()
        sent = app.inspector.session.last_request
        assert sent is not None and sent["session"]["type"] == "transcription"
        session = (await updated)["event"]["session"]
        transcription = session["audio"]["input"]["transcription"]
        assert transcription["language"] == "fr"
        assert transcription["prompt"] == "Names: Amélie, Zoë"
        assert session["audio"]["input"]["noise_reduction"] == {"type": "near_field"}
        assert not session["include"]
        await until(
            pilot,
            lambda: "Applied" in str(pane.result.render()),
            "the Apply line saying the server took it",
        )
        assert "language fr" in str(pane.summary.render())


def test_low_confidence_tokens_are_marked_in_the_transcript() -> None:
    from console.app.widgets.conversation_text import LOW_STYLE, item_text
    from console.inspector.transcripts import Token, TranscriptNote

    item = {
        "id": "item_1",
        "type": "message",
        "role": "user",
        "status": "completed",
        "formatted": {"transcript": "call Zoë now"},
    }
    note = TranscriptNote([Token("call", -0.01), Token(" Zoë", -2.3), Token(" now", -0.2)])
    text = item_text(item, None, "", note=note)
    assert "logprob mean -0.84 · min -2.30 · 1 low" in text.plain
    marked = [text.plain[span.start : span.end] for span in text.spans if span.style == LOW_STYLE]
    assert marked == [" Zoë"]
