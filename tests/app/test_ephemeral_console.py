"""The console with ``--token ek_…``: the secret carries its session, so the console's connect
does not reset it and the session editor shows the secret's configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from console.app.widgets.session import SessionPane
from console.inspector.connection import Target
from console.realtime.secrets import create_client_secret, http_base
from console.simulator import SimulatorServer

from .conftest import connected, console_app, until

KEY = "sk-ephemeral-console-key-1234"
PIRATE = "Talk like a pirate."


@pytest.fixture
async def keyed_simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        yield server


async def test_the_editor_shows_the_secrets_session(keyed_simulator: SimulatorServer) -> None:
    session = {
        "type": "realtime",
        "instructions": PIRATE,
        "output_modalities": ["text"],
        "audio": {"output": {"voice": "marin"}},
    }
    answer = await create_client_secret(http_base(keyed_simulator.url), KEY, session=session)
    target = Target(keyed_simulator.url, answer["value"], "ga", None, "simulator", True)
    app = console_app(keyed_simulator.url, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        pane = app.query_one(SessionPane)
        await until(pilot, lambda: pane.instructions.text == PIRATE, "the secret's instructions")
        assert pane.voice.value == "marin"
        store = app.inspector.store
        await until(
            pilot,
            lambda: any(r.type == "session.updated" for r in store.records),
            "the answer to the console's tools",
        )
        updates = [r.event["session"] for r in store.records if r.type == "session.update"]
        assert updates and all("instructions" not in u and "audio" not in u for u in updates)
        assert pane.instructions.text == PIRATE and pane.voice.value == "marin"
        assert app.client.session_config["modalities"] == ["text"]
