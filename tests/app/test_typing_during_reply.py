"""A message typed while a reply is generating gets its own reply (issue 12 #1), in both dialects.

The console cancels the reply in progress and sends the new message; the library holds the new
message's response.create until the cancelled response is done, so the server never answers
``conversation_already_has_active_response`` and nothing sits unanswered.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import Input

from console.inspector.connection import Target
from console.simulator import SimulatorServer
from tests.app.conftest import connected, console_app


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize("delay_s", [0.0, 0.03])
async def test_a_second_message_typed_as_the_first_reply_starts_gets_its_reply(
    slow_simulator: SimulatorServer, dialect: str, delay_s: float
) -> None:
    target = Target(slow_simulator.url, None, dialect, None, "simulator — test")
    app = console_app(None, target=target)
    async with app.run_test(size=(160, 48)):
        await connected(app)
        events: list[dict[str, Any]] = []
        app.client.on("realtime.event", lambda payload: events.append(payload["event"]))
        created = asyncio.ensure_future(
            app.client.realtime.wait_for_next("server.response.created", 10)
        )
        prompt = app.query_one("#prompt", Input)
        app.send_message(Input.Submitted(prompt, "tell me a long story about lighthouses"))
        assert await created is not None
        await asyncio.sleep(delay_s)  # typing the second message 0 or 30 ms into the reply
        app.send_message(Input.Submitted(prompt, "actually, what time is it?"))

        def done(status: str) -> list[dict[str, Any]]:
            return [
                e
                for e in events
                if e.get("type") == "response.done" and e["response"]["status"] == status
            ]

        async with asyncio.timeout(15):
            while not done("completed"):
                await app.client.realtime.wait_for_next("server.response.done", 15)
        assert len(done("cancelled")) == 1, "the first reply is cancelled"
        (answer,) = done("completed")
        transcript = str(answer["response"]["output"])
        assert "what time is it" in transcript
        errors = [e for e in events if e.get("type") == "error"]
        assert not errors, errors
        assert not app.client.response_state.in_flight
