"""The layout at the README's sizes: 100x30 and 160x48.

F5 on a small terminal used to squeeze the events pane to 27 columns, F6 zoomed the session pane
only to its narrow width, and at 160 columns the server_vad parameters ran off the session
pane's edge. Sizes are read from the widgets' regions after a real layout.
"""

from __future__ import annotations

from textual.widget import Widget

from console.app.app import RealtimeConsoleApp

from .conftest import console_app, screen_lines

OFFLINE_URL = "ws://127.0.0.1:9/v1/realtime"
MIN_EVENTS_WIDTH = 40
"""Time, arrow and a type such as ``response.output_audio.delta`` with its count."""


def idle_app() -> RealtimeConsoleApp:
    return console_app(OFFLINE_URL, autoconnect=False)


async def test_f5_on_a_small_terminal_keeps_every_shown_pane_readable() -> None:
    app = idle_app()
    async with app.run_test(size=(100, 30)) as pilot:
        session, events = app.query_one("#session"), app.query_one("#events")
        conversation = app.query_one("#conversation")
        assert not session.display
        await pilot.press("f5")
        await pilot.pause()
        assert session.display and session.region.width >= 42
        assert conversation.region.width >= 30
        assert not events.display or events.region.width >= MIN_EVENTS_WIDTH, events.region
        await pilot.press("f5")
        await pilot.pause()
        assert not session.display
        assert events.display and events.region.width >= MIN_EVENTS_WIDTH


async def test_f5_on_a_wide_terminal_hides_and_shows_the_session_pane() -> None:
    app = idle_app()
    async with app.run_test(size=(160, 48)) as pilot:
        session, events = app.query_one("#session"), app.query_one("#events")
        assert session.display and events.display
        await pilot.press("f5")
        await pilot.pause()
        assert not session.display and events.display
        await pilot.press("f5")
        await pilot.pause()
        assert session.display and events.display


async def test_f6_zooms_the_session_pane_to_the_whole_width_from_the_instructions() -> None:
    app = idle_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        app.query_one("#session-instructions").focus()
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        session = app.query_one("#session")
        assert app.screen.maximized is session
        assert session.region.width == 100, session.region
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen.maximized is None and session.region.width < 100


def inside(widget: Widget, container: Widget) -> bool:
    region, room = widget.region, container.content_region
    return region.width > 0 and room.x <= region.x and region.right <= room.right


async def test_server_vad_parameters_fit_the_session_pane() -> None:
    app = idle_app()
    async with app.run_test(size=(160, 48)) as pilot:
        turn = app.query_one("#session-turn-detection")
        app.query_one("#session-turn").value = "server_vad"
        await pilot.pause()
        form = app.query_one("#session-form")
        for selector in (
            "#session-vad-threshold",
            "#session-vad-prefix",
            "#session-vad-silence",
            "#session-vad-interrupt",
            "#session-vad-create",
        ):
            widget = turn.query_one(selector)
            assert widget.display and inside(widget, form), (selector, widget.region, form)
        text = "\n".join(screen_lines(app))
        for label in ("threshold", "prefix ms", "silence ms", "interrupt_response", "create_resp"):
            assert label in text, label


async def test_the_conversation_rewraps_when_its_scrollbar_appears() -> None:
    """No horizontal scrollbar, and no line cut at the right edge, once items overflow."""
    from .test_replay import replay_app

    app = replay_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.hold_still()
        await pilot.pause()
        pane = app.query_one("#conversation")
        assert pane.show_vertical_scrollbar
        assert not pane.show_horizontal_scrollbar
        text = "\n".join(screen_lines(app))
        assert 'The set_memory tool returned: {"ok": true}' in text
