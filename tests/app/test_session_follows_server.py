"""The session pane, the status bar and F4 follow the server after a raw ``session.update``
sent from the composer (F3): the console on the simulator over a real socket, with Pilot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from textual.widgets import Static

from console.app.widgets.session import SessionPane
from console.app.widgets.status import StatusBar
from console.audio.wav import write_wav
from console.simulator import SimulatorServer
from tests.simulator.helpers import silence, tone

from .conftest import client_event, connected, console_app, expect, server_event, until
from .test_composer_validation import open_composer

RAW = {
    "type": "session.update",
    "session": {
        "type": "realtime",
        "instructions": "Be brief.",
        "audio": {
            "output": {"voice": "marin", "speed": 1.3},
            "input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}},
        },
    },
}


def status_of(app: object, name: str) -> str:
    return str(app.query_one(f"#session-status-{name}", Static).content)  # type: ignore[attr-defined]


async def test_a_raw_update_is_followed_by_the_pane_status_bar_and_f4(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(180, 50)) as pilot:
        await connected(app)
        pane = app.query_one(SessionPane)
        assert pane.voice.value != "marin"
        updated = expect(app, server_event("session.updated"))
        await open_composer(pilot, app, json.dumps(RAW))
        await pilot.press("ctrl+s")
        await updated
        await pilot.press("escape")
        await until(pilot, lambda: pane.voice.value == "marin", "the pane's voice follows")
        assert pane.speed.value == "1.3"
        assert pane.turn.kind.value == "semantic_vad"
        assert pane.instructions.text == "Be brief."
        assert app.client.get_turn_detection_type() == "semantic_vad"
        await until(pilot, lambda: "voice" in pane._drawn, "the statuses drawn")
        for name in ("voice", "speed", "turn-detection", "instructions"):
            assert status_of(app, name).startswith("~ server has"), (name, status_of(app, name))
        assert pane.changed_fields() == []  # nothing shows as edited by the user
        await until(
            pilot,
            lambda: "turns: semantic_vad" in str(app.query_one(StatusBar).render()),
            "the status bar's turn mode follows",
        )
        # F4 cycles from what the server has: semantic_vad -> manual.
        sent = expect(app, client_event("session.update"))
        await pilot.press("f4")
        event = (await sent)["event"]
        assert event["session"]["audio"]["input"]["turn_detection"] is None
        assert app.client.get_turn_detection_type() is None


async def test_a_raw_server_vad_update_ends_push_to_talk_for_an_input_wav(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "noisy.wav", np.concatenate([silence(0.3), tone(0.5)]))
    app = console_app(simulator.url, input_wav=wav)
    async with app.run_test(size=(180, 50)) as pilot:
        await connected(app)
        status = app.query_one(StatusBar)
        await until(pilot, lambda: status.extra == "space sends noisy.wav", "push-to-talk")
        updated = expect(app, server_event("session.updated"))
        raw = {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad"}}},
            },
        }
        await open_composer(pilot, app, json.dumps(raw))
        await pilot.press("ctrl+s")
        await updated
        await pilot.press("escape")
        await until(pilot, lambda: "space sends" not in status.extra, "the file streams")
        assert "noisy.wav" in status.extra
        assert "turns: server_vad" in str(status.render())
