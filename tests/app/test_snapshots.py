"""How the console looks: SVG snapshots of its main screens (pytest-textual-snapshot).

Screens with a conversation come from a committed recording (``fixtures/conversation.jsonl``),
so ids and times are the same on every run; times are shown in UTC. Update the baselines with
``python3 -m pytest tests/app/test_snapshots.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Collapsible, Select, TextArea

from console.app.app import RealtimeConsoleApp
from console.app.screens.timeline import TimelineScreen
from console.app.widgets.event_list import EventList
from console.app.widgets.session import SessionPane
from console.inspector.recording import load_recording

from .conftest import console_app, until

FIXTURE = Path(__file__).parent / "fixtures" / "conversation.jsonl"
OFFLINE_URL = "ws://127.0.0.1:9/v1/realtime"
WIDE = (160, 48)
NARROW = (100, 30)


def replay_app() -> RealtimeConsoleApp:
    return console_app(
        None, replay=load_recording(FIXTURE), replay_name="conversation.jsonl", autoconnect=False
    )


def idle_app() -> RealtimeConsoleApp:
    return console_app(OFFLINE_URL, autoconnect=False, clock=lambda: 1_767_268_800.0)


async def settle(pilot: Pilot[Any]) -> None:
    """Steady cursors and one rendered frame."""
    app = pilot.app
    assert isinstance(app, RealtimeConsoleApp)
    app.hold_still()
    await pilot.pause()


class TestConsole:
    def test_idle(self, snap_compare: Any) -> None:
        """Not connected: empty panes, the input focused, the status bar says disconnected."""
        assert snap_compare(idle_app(), terminal_size=WIDE, run_before=settle)

    def test_mid_conversation_with_a_tool_call(self, snap_compare: Any) -> None:
        """A message, a set_memory call with its output, the answer; events folded."""
        assert snap_compare(replay_app(), terminal_size=WIDE, run_before=settle)

    def test_replay_at_100_by_30(self, snap_compare: Any) -> None:
        """The same recording on a small terminal: the session pane waits behind F5."""
        assert snap_compare(replay_app(), terminal_size=NARROW, run_before=settle)

    def test_session_pane_at_100_by_30(self, snap_compare: Any) -> None:
        """F5 on a small terminal: the session pane takes the events pane's place."""

        async def show_session(pilot: Pilot[Any]) -> None:
            await settle(pilot)  # laid out once: the screen knows it is narrow
            await pilot.press("f5")
            await settle(pilot)

        assert snap_compare(replay_app(), terminal_size=NARROW, run_before=show_session)

    def test_selected_item(self, snap_compare: Any) -> None:
        """A selected conversation item: the accent marker in the gutter and its background."""

        async def select(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            pilot.app.query_one("#conversation").focus()
            await pilot.press("up", "up")
            await settle(pilot)

        assert snap_compare(replay_app(), terminal_size=WIDE, run_before=select)

    def test_help_at_100_by_30(self, snap_compare: Any) -> None:
        """The help screen on a small terminal: titled, with a scrollbar one can see."""

        async def help_screen(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()

        assert snap_compare(idle_app(), terminal_size=NARROW, run_before=help_screen)

    def test_event_json_detail(self, snap_compare: Any) -> None:
        """An audio delta's JSON, highlighted, its base64 shown as a byte count."""

        async def open_detail(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            events = pilot.app.query_one("#events-list", EventList)
            events.focus()
            audio = next(i for i, row in enumerate(events.rows) if row.type.endswith("audio.delta"))
            await pilot.press("home", *["down"] * audio, "enter")
            await settle(pilot)

        assert snap_compare(replay_app(), terminal_size=WIDE, run_before=open_detail)


class TestSessionEditor:
    def test_server_vad_parameters(self, snap_compare: Any) -> None:
        """server_vad's parameters, one per line inside the pane at 160 columns."""

        async def server_vad(pilot: Pilot[Any]) -> None:
            pilot.app.query_one("#session-turn", Select).value = "server_vad"
            await settle(pilot)

        assert snap_compare(idle_app(), terminal_size=WIDE, run_before=server_vad)

    def test_invalid_tools_json(self, snap_compare: Any) -> None:
        """Tools JSON with a syntax error: line and column shown, Apply would send nothing."""

        async def break_tools(pilot: Pilot[Any]) -> None:
            area = pilot.app.query_one("#session-tools", TextArea)
            area.load_text('[\n  {"type": "function", "name": "x"\n]')
            # the editor validates after a 300 ms debounce
            await until(pilot, lambda: area.has_class("-invalid"), "the debounced check")
            await settle(pilot)

        assert snap_compare(idle_app(), terminal_size=WIDE, run_before=break_tools)

    def test_refused_field(self, snap_compare: Any) -> None:
        """A voice change the server refused once audio existed, with the server's reason."""

        async def zoom_session(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            pilot.app.query_one("#session").focus()
            pilot.app.screen.maximize(pilot.app.query_one("#session"), container=False)
            await settle(pilot)

        assert snap_compare(replay_app(), terminal_size=WIDE, run_before=zoom_session)

    def test_full_surface_at_160_by_48(self, snap_compare: Any) -> None:
        """Zoomed with every section unfolded: each GA option, filled from a configuration
        (server_vad with an idle timeout, transcription language and prompt, logprobs, noise
        reduction, speed, retention-ratio truncation, a prompt with variables, custom tracing,
        reasoning effort with the models that take it), in two columns."""

        async def full_surface(pilot: Pilot[Any]) -> None:
            app = pilot.app
            assert isinstance(app, RealtimeConsoleApp)
            await settle(pilot)
            app.client.update_session(
                instructions="Answer in French.",
                voice="marin",
                speed=1.2,
                turn_detection={
                    "type": "server_vad",
                    "threshold": 0.6,
                    "prefix_padding_ms": 250,
                    "silence_duration_ms": 400,
                    "idle_timeout_ms": 8000,
                    "create_response": True,
                    "interrupt_response": False,
                },
                input_audio_transcription={
                    "model": "gpt-4o-transcribe",
                    "language": "fr",
                    "prompt": "Names: Zoë",
                },
                include=["item.input_audio_transcription.logprobs"],
                input_audio_noise_reduction={"type": "near_field"},
                truncation={
                    "type": "retention_ratio",
                    "retention_ratio": 0.8,
                    "token_limits": {"post_instructions": 2000},
                },
                prompt={"id": "pmpt_support", "version": "3", "variables": {"city": "Paris"}},
                tracing={"workflow_name": "console", "group_id": "team-a", "metadata": {"env": 1}},
                reasoning={"effort": "low"},
            )
            pane = app.query_one("#session", SessionPane)
            pane.refresh_from_state(force=True)
            pane.focus()
            app.screen.maximize(pane, container=False)
            for section in app.query(Collapsible):
                section.collapsed = False
            # Folded sections mount their rows when first unfolded.
            await until(pilot, lambda: bool(app.query("#session-reasoning-note")), "the rows")
            await settle(pilot)

        assert snap_compare(idle_app(), terminal_size=WIDE, run_before=full_surface)


TIMELINE = Path(__file__).parent / "fixtures" / "timeline.jsonl"


def timeline_app() -> RealtimeConsoleApp:
    return console_app(
        None, replay=load_recording(TIMELINE), replay_name="timeline.jsonl", autoconnect=False
    )


async def show_timeline(pilot: Pilot[Any]) -> None:
    """F7 on the replay of ``timeline.jsonl``; the screen takes the turns in at once."""
    await settle(pilot)
    await pilot.press("f7")
    await until(pilot, lambda: isinstance(pilot.app.screen, TimelineScreen), "the timeline")
    screen = pilot.app.screen
    assert isinstance(screen, TimelineScreen)
    screen.tick()
    await pilot.pause()


class TestTimeline:
    def test_timeline_at_160_by_48(self, snap_compare: Any) -> None:
        """Seven turns of every kind on one axis; the summary under them."""
        assert snap_compare(timeline_app(), terminal_size=WIDE, run_before=show_timeline)

    def test_timeline_at_100_by_30(self, snap_compare: Any) -> None:
        """The same on a small terminal: short labels, the legend's short form."""
        assert snap_compare(timeline_app(), terminal_size=NARROW, run_before=show_timeline)

    def test_events_of_one_turn(self, snap_compare: Any) -> None:
        """Enter on the talked-over turn: the events pane shows its events and says so."""

        async def choose(pilot: Pilot[Any]) -> None:
            await show_timeline(pilot)
            await pilot.press("up", "up", "up", "enter")
            await until(pilot, lambda: not isinstance(pilot.app.screen, TimelineScreen), "main")
            await settle(pilot)

        assert snap_compare(timeline_app(), terminal_size=WIDE, run_before=choose)
