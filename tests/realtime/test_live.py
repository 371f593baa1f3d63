"""The reference scenarios against OpenAI itself; skipped without OPENAI_API_KEY."""

from __future__ import annotations

import os

import pytest

from console.realtime import RealtimeAPI, RealtimeClient
from tests.realtime.test_reference_scenarios import run_text_turn

pytestmark = pytest.mark.live


async def test_live_bad_key_gives_an_error_event() -> None:
    api = RealtimeAPI(api_key="sk-not-a-real-key")
    try:
        await api.connect()
    except ConnectionError as exc:  # OpenAI may refuse the upgrade outright
        assert "401" in str(exc) or "403" in str(exc)
        return
    error = await api.wait_for_next("server.error", timeout=10)
    assert error is not None and "Incorrect API key provided" in error["error"]["message"]
    await api.disconnect()


async def test_live_text_turn() -> None:
    client = RealtimeClient(api_key=os.environ["OPENAI_API_KEY"])
    client.update_session(
        instructions="Always include the phrase San Francisco in every answer. Be brief."
    )
    await run_text_turn(client, "san francisco")
