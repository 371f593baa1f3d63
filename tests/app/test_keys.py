"""The console's own keys work from every focus, and exports land in ``export_dir``.

Input and TextArea bind keys the console uses too (Ctrl+E is "end of line" in both, F6 selects a
line in a TextArea); the console's keys must win wherever the focus is, while typing still types.
Each key is pressed from each focusable place and its effect checked on the app, not on a mock.
"""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget
from textual.widgets import Input

from console.app.app import RealtimeConsoleApp
from console.app.commands import CONSOLE_BINDINGS
from console.app.screens.composer import ComposerScreen
from console.app.screens.help import HelpScreen

from .conftest import console_app

OFFLINE_URL = "ws://127.0.0.1:9/v1/realtime"
FOCUS_TARGETS = (
    "#prompt",
    "#events-filter",
    "#events-list",
    "#conversation",
    "#session-instructions",
    "#session-voice",
    "#session-turn",
    "#session-tools",
    "#session-apply",
)
"""Every kind of place the focus can be: inputs, text areas, a select, a button, the lists."""


def idle_app(tmp_path: Path) -> RealtimeConsoleApp:
    return console_app(OFFLINE_URL, autoconnect=False, export_dir=tmp_path)


def exports_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("realtime-events-*.jsonl"))


def pane_of(widget: Widget) -> Widget | None:
    """The pane F6 zooms for a focus inside it."""
    panes = ("events", "session", "conversation")
    return next((node for node in widget.ancestors_with_self if node.id in panes), None)


async def test_ctrl_e_exports_from_the_input_line_into_export_dir(tmp_path: Path) -> None:
    app = idle_app(tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        assert app.focused is app.query_one("#prompt")
        await pilot.press("h", "i", "ctrl+e")
        await pilot.pause()
        files = exports_in(tmp_path)
        assert len(files) == 1, "Ctrl+E from the input line wrote no export"
        assert app.query_one("#prompt", Input).value == "hi", "typing must still type"
        notes = [str(note.message) for note in app._notifications]
        assert any(str(files[0].resolve()) in note for note in notes), notes


async def test_exports_in_the_same_second_do_not_overwrite_each_other(tmp_path: Path) -> None:
    app = idle_app(tmp_path)
    async with app.run_test(size=(160, 48)):
        for _ in range(3):
            app.action_export_events()
        assert len(exports_in(tmp_path)) == 3


async def test_export_without_export_dir_goes_to_the_current_directory(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = console_app(OFFLINE_URL, autoconnect=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        app.action_export_events()
        await pilot.pause()
        files = exports_in(tmp_path)
        assert len(files) == 1
        assert any(str(files[0].resolve()) in str(n.message) for n in app._notifications)


async def test_an_unwritable_export_dir_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    app = console_app(OFFLINE_URL, autoconnect=False, export_dir=missing)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        app.action_export_events()
        await pilot.pause()
        assert app.is_running
        notes = [str(note.message) for note in app._notifications]
        assert any("Export failed" in note and str(missing) in note for note in notes), notes


async def test_console_keys_act_from_every_focus(tmp_path: Path) -> None:
    """The keys a focused widget also binds or consumes, pressed from each place."""
    app = idle_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        app.hold_still()
        store = app.inspector.store
        for selector in FOCUS_TARGETS:
            target = app.query_one(selector)

            async def focus(target: Widget = target) -> None:
                target.focus()
                await pilot.pause()
                assert app.focused is target, f"{target} takes no focus"

            await focus()
            exports = len(exports_in(tmp_path))
            await pilot.press("ctrl+e")
            assert len(exports_in(tmp_path)) == exports + 1, f"Ctrl+E from {selector}"

            await focus()
            generation = store.generation
            await pilot.press("ctrl+l")
            assert store.generation == generation + 1, f"Ctrl+L from {selector}"

            await focus()
            before = app.client.get_turn_detection_type()
            await pilot.press("f4")
            assert app.client.get_turn_detection_type() != before, f"F4 from {selector}"

            await focus()
            await pilot.press("f6")
            pane = pane_of(target)
            if pane is not None:
                assert app.screen.maximized is pane, f"F6 from {selector}"
                await pilot.press("f6")
            assert app.screen.maximized is None

            await focus()
            await pilot.press("escape")
            assert app.focused is app.query_one("#prompt"), f"Escape from {selector}"


async def test_every_console_key_resolves_to_its_action_from_every_focus(tmp_path: Path) -> None:
    """What each key runs, per focus (Space excepted: it types in text fields; y and n too:
    they are active only while an MCP approval request waits, see test_mcp_console.py)."""
    app = idle_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        for selector in FOCUS_TARGETS:
            app.query_one(selector).focus()
            await pilot.pause()
            active = app.screen.active_bindings
            for binding in CONSOLE_BINDINGS:
                if binding.key == "space" or binding.id in ("mcp.approve", "mcp.deny"):
                    continue
                assert binding.key in active, f"{binding.key} from {selector}"
                action = active[binding.key].binding.action
                if binding.key == "ctrl+l" and selector.startswith("#events"):
                    assert action == "clear"  # the events pane's own Clear: the same action
                    continue
                assert action == binding.action, (binding, selector)


async def test_help_and_composer_open_from_a_text_area(tmp_path: Path) -> None:
    app = idle_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        for key, screen in (("f1", HelpScreen), ("f3", ComposerScreen)):
            app.query_one("#session-instructions").focus()
            await pilot.press(key)
            assert isinstance(app.screen, screen), key
            app.pop_screen()
            await pilot.pause()
        session = app.query_one("#session")
        app.query_one("#session-tools").focus()
        await pilot.press("f5")
        assert not session.display
