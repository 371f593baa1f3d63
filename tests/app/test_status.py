"""The status bar and the events totals fit the terminal: what matters most stays visible.

At 100 columns the status bar used to lose everything after the session id, and at 160 the last
error never showed; the events totals line lost its dropped count. The lines are read off the
screen (the SVG export), at the sizes the README names.
"""

from __future__ import annotations

import pytest

from console.app.widgets.events import EventsPane
from console.app.widgets.status import StatusBar
from console.inspector.connection import Target

from .conftest import console_app, screen_lines

LONG_URL = "wss://realtime-relay.internal.example.com:8443/v1/realtime"
SESSION_ID = "sess_C2mT9xQ1hVfJ0pL7wR4aK8sDe"
ERROR = (
    "conversation_already_has_active_response: Conversation already has an active response "
    "in progress: resp_C2mTa1b2c3d4e5f6. Wait until the response is finished before creating "
    "a new one."
)
AUDIO = "space to talk · 12 blocks dropped"


async def status_line(width: int, *, error: str = ERROR, audio: str = AUDIO) -> str:
    target = Target(LONG_URL, None, "ga", None, "relay — test")
    app = console_app(None, target=target, autoconnect=False)
    async with app.run_test(size=(width, 30)) as pilot:
        inspector = app.inspector
        inspector.set_connection("connected")
        inspector.connection.session_id = SESSION_ID
        inspector.connection.model = "gpt-realtime-2025-08-28"
        if error:
            inspector.note_error(error)
        bar = app.query_one(StatusBar)
        bar.extra = audio
        app.render_frame()
        await pilot.pause()
        return screen_lines(app)[bar.region.y]


@pytest.mark.parametrize("width", [100, 160])
async def test_errors_and_the_audio_state_stay_visible(width: int) -> None:
    line = await status_line(width)
    assert len(line.rstrip()) <= width
    assert "connected" in line
    assert "conversation_already_has_active_response" in line, line
    assert AUDIO in line, line


async def test_the_session_id_and_the_endpoint_give_way_first() -> None:
    line = await status_line(100, error="rate_limited: slow down")
    for part in ("connected", "rate_limited: slow down", AUDIO, "turns: manual", "GA"):
        assert part in line, (part, line)
    assert SESSION_ID not in line and LONG_URL not in line, line


async def test_with_room_everything_shows_in_full() -> None:
    line = await status_line(220, error="rate_limited: slow down")
    for part in ("connected", "rate_limited: slow down", AUDIO, "turns: manual", "GA"):
        assert part in line, (part, line)
    assert "gpt-realtime-2025-08-28" in line and SESSION_ID in line and LONG_URL in line, line


async def test_the_events_totals_show_the_dropped_count_at_100_columns() -> None:
    app = console_app(None, autoconnect=False, event_cap=1_000)
    async with app.run_test(size=(100, 30)) as pilot:
        for index in range(1_500):
            app.inspector.store.add("server", {"type": "response.output_text.delta", "n": index})
        app.render_frame()
        await pilot.pause()
        pane = app.query_one(EventsPane)
        totals = pane.query_one("#events-status")
        line = screen_lines(app)[totals.region.y]
        assert "500 dropped" in line, line
        assert "following" in line, line
