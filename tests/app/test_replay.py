"""A replay offers nothing that sends, and shows what the recording's tools did."""

from __future__ import annotations

from pathlib import Path

from console.app.widgets.conversation import ConversationPane
from console.app.widgets.memory import MemoryView
from console.inspector.recording import load_recording

from .conftest import console_app, screen_text

FIXTURE = Path(__file__).parent / "fixtures" / "conversation.jsonl"


def replay_app():
    return console_app(
        None, replay=load_recording(FIXTURE), replay_name="conversation.jsonl", autoconnect=False
    )


async def test_the_conversation_offers_no_delete_in_a_replay() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        app.render_frame()
        pane = app.query_one(ConversationPane)
        pane.focus()
        await pilot.press("up")
        await pilot.pause()
        assert pane.selected_id is not None
        active = app.screen.active_bindings
        assert "delete" not in active, active.get("delete")
        assert "enter" in active and "p" in active  # reading and playing stay
        await pilot.press("delete")
        await pilot.pause()
        assert not any("delete" in str(n.message).lower() for n in app._notifications)
        assert "Delete item" not in screen_text(app)


async def test_the_conversation_offers_delete_when_live() -> None:
    app = console_app("ws://127.0.0.1:9/v1/realtime", autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.query_one(ConversationPane).focus()
        await pilot.pause()
        assert "delete" in app.screen.active_bindings


async def test_the_memory_pane_shows_the_recorded_set_memory_calls() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 48)) as pilot:
        app.render_frame()
        await pilot.pause()
        assert app.query_one(MemoryView).memory == {"Ada": "set_memory"}
        assert "Ada: set_memory" in screen_text(app)
