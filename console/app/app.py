"""The console app: one ``RealtimeClient``, one ``Inspector``, panes that render them.

``make_app(config)`` is the one factory the CLI, the Pilot tests, the snapshots and the
screenshot script all use. The client's listeners only append to the inspector; a ~30 Hz timer
asks each pane to render what changed since its last frame (never one message per event).
Connecting runs as a worker that reports failures in plain words; the app never exits on them.
The app calls small collaborators that own their state: ``FrameRenderer`` (a frame, ``frame``),
``MessageSender`` (typed lines, ``sender``) and ``EventFiles`` (record, export, replay).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from console.app.audio import VoiceKeys, make_voice_session
from console.app.collector import QuietCollector
from console.app.commands import (
    APP_BINDINGS,
    PALETTE,
    REPLACED_SYSTEM_COMMANDS,
    REPLAY_HIDES,
    TRANSCRIPTION_HIDES,
    all_bindings,
)
from console.app.config import ConsoleConfig
from console.app.event_files import EventFiles
from console.app.frame import FRAME_SECONDS, FrameRenderer, Panes
from console.app.mcp_approvals import MCP_ACTIONS, McpActions
from console.app.pane_actions import PaneActions
from console.app.retrieve import RetrieveKeys, is_user_audio
from console.app.screens.composer import ComposerScreen
from console.app.screens.item_detail import Heard, ItemDetailScreen
from console.app.screens.main import MainScreen
from console.app.screens.response_form import ResponseFormScreen
from console.app.screens.tool_answer import AnswerToolCallScreen
from console.app.sender import MessageSender
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.events import EventsPane
from console.app.widgets.memory import MemoryView
from console.app.widgets.meter import MeterPane
from console.app.widgets.out_of_band import OutOfBandPane
from console.app.widgets.prompt import PromptInput
from console.app.widgets.session import SessionPane
from console.app.widgets.status import StatusBar
from console.inspector.connection import header_label
from console.inspector.controller import ConnectionController, Severity
from console.inspector.model import Inspector
from console.inspector.recording import Recorder
from console.inspector.tool_calls import answer_tool_call
from console.inspector.transcripts import TRANSCRIPTION_SESSION

STYLES = Path(__file__).parent / "styles"


def make_app(config: ConsoleConfig) -> RealtimeConsoleApp:
    """The console for ``config`` (the one way every caller builds it)."""
    return RealtimeConsoleApp(config)


class RealtimeConsoleApp(PaneActions, McpActions, App[int]):
    """Conversation, events, session and audio panes over one Realtime connection."""

    TITLE = "realtime-console"
    CSS_PATH = [str(path) for path in sorted(STYLES.glob("*.tcss"))]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)

    def __init__(self, config: ConsoleConfig) -> None:
        super().__init__()
        self.config = config
        target = config.target
        self.client = config.make_client()
        self.inspector = Inspector(
            self.client,
            target,
            event_cap=config.event_cap,
            clock=config.clock,
            prices=config.price_table(),
        )
        self.sub_title = header_label(target, transcription=config.transcription)
        self.voice = make_voice_session(config, self.client, self.inspector)
        self._frame = FrameRenderer(
            self.client, self.inspector, self.voice, self.notify, self.refresh_bindings
        )
        self._files = EventFiles(config, self.client, self.inspector, self.notify)
        self._voice_keys = VoiceKeys(self.voice, self.notify, self._frame.voice_changed)
        self._retrieve = RetrieveKeys(config, self.client, self.inspector, self.voice, self.notify)
        self.collector = QuietCollector()
        self.controller = ConnectionController(
            self.client,
            self.inspector,
            tools=config.session_tools(self.inspector.memory),
            voice=self.voice,
            tell=self._tell,
            voice_changed=self._frame.voice_changed,
            session=TRANSCRIPTION_SESSION if config.transcription else None,
        )
        self.controller.configure()
        self._sender = MessageSender(
            self.client,
            self.controller,
            self.voice,
            self.notify,
            self.run_worker,
            lambda: self.query_one("#prompt", Input),
        )

    # -- building -------------------------------------------------------------------------

    def _tell(self, message: str, severity: Severity) -> None:
        """What the controller tells the user, as a toast."""
        self.notify(message, severity=severity, timeout=10 if severity == "error" else None)

    def get_default_screen(self) -> Screen[Any]:
        """The main screen, which holds the console's keys (see ``commands``)."""
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        inspector = self.inspector
        yield Header(show_clock=False, icon="◉")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ConversationPane(
                    self.client,
                    truncations=inspector.truncations,
                    figures_for=inspector.figures_for,
                    transcribing=inspector.transcribing,
                    note_for=inspector.transcripts.note,
                    dropped=inspector.context.is_dropped,
                    id="conversation",
                )
                yield OutOfBandPane(inspector.out_of_band, id="out-of-band")
                yield MeterPane(
                    inspector.input_levels, inspector.output_levels, inspector.clock, id="meter"
                )
                yield MemoryView(inspector.memory, id="memory")
            yield EventsPane(
                inspector.store,
                tz=self.config.tz,
                turns=inspector.turns,
                refresh_interval=None,
                id="events",
            )
            yield SessionPane(self.client, inspector.session, id="session")
        yield PromptInput(placeholder=self._sender.placeholder, id="prompt")
        yield StatusBar(inspector, id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).focus()
        self._panes = Panes.find(self)
        self._panes.session.border_title = "Session"  # its layout is the app's (the pane is shared)
        attached = self.config.target.call_id is not None  # no tools, no audio: the call's
        self._panes.memory.display = not (self.config.transcription or attached)
        self._panes.meter.display = not attached
        self._frame.attach(self._panes)
        if self.config.keymap:
            self._apply_keymap(self.config.keymap)
        if self.config.record_path is not None:
            self._files.start_recording(self.config.record_path)
        self.set_interval(FRAME_SECONDS, self._frame.tick)
        # Full garbage collections wait for a pause in typing (collector.py says why).
        self.call_after_refresh(self.collector.start)
        self.set_interval(1.0, self.collector.tick)
        if self.config.replay is not None:
            self._load_replay()
        elif self.config.autoconnect:
            self.action_connect()
            self._sender.send_first(self.config.first_message)  # --image

    def _apply_keymap(self, keymap: dict[str, str]) -> None:
        """Remap keys by binding id; an id no binding has is reported, not ignored."""
        known = {binding.id for binding in all_bindings(self._panes.keyed())}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self.inspector.note_error(f"keymap: no binding with id {', '.join(unknown)} (see F1)")
        self.set_keymap({key: value for key, value in keymap.items() if key in known})

    def hold_still(self) -> None:
        """Stop blinking cursors and draw a frame: the same picture every time (snapshots)."""
        self._frame.hold_still(self)

    def render_frame(self, *, conversation: bool = True) -> None:
        """Render what changed since the last frame, pane by pane (``FrameRenderer.render``)."""
        self._frame.render(conversation=conversation)

    # -- connection -----------------------------------------------------------------------

    # Connection actions are queued on the controller, which runs them in order, each to its
    # end (they used to be exclusive workers, which cancelled one another halfway).

    def action_toggle_connection(self) -> None:
        """F2: disconnect when connected, else connect (decided when its turn comes)."""
        self.controller.begin_toggle()

    def action_connect(self) -> None:
        """Connect (or reconnect: same session config and tools); failures are shown."""
        if self.config.replay is not None:
            self.notify("A replay is read-only.", severity="warning")
            return
        self.controller.begin_connect()

    def action_reconnect_with_history(self) -> None:
        """Reconnect, then give the new session the conversation's text."""
        self.controller.begin_connect(with_history=True)

    def action_disconnect(self) -> None:
        self.controller.begin_disconnect()

    def action_reset(self) -> None:
        """Disconnect and forget the conversation and the session (events stay)."""
        self.controller.begin_reset()

    # -- sending --------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def send_message(self, event: Input.Submitted) -> None:
        """Send the line as a user message (``MessageSender.submit`` says how)."""
        if self._sender.submit(event.value):
            event.input.clear()

    def send_raw(self, event: dict[str, Any]) -> None:
        """Send one client event typed in the composer (raises when not connected)."""
        self._sender.send_raw(event)

    def send_content(self, parts: list[dict[str, Any]]) -> bool:
        """Send a user message of content parts ("Send image…"); False if it could not go."""
        return self._sender.send_content(parts)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications never parse markup: they quote server text, ids and exceptions."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    @on(ConversationPane.ItemSelected)
    def show_item(self, message: ConversationPane.ItemSelected) -> None:
        """The item's JSON; a user's audio item also what the server heard of it."""
        item = self.client.conversation.get_item(message.item_id)
        heard = None
        if item is not None and is_user_audio(item):
            audits, clock = self.inspector.retrieves, self.inspector.clock
            heard = Heard(audits, clock, self.action_retrieve_item, self.action_play_heard)
        note = self.inspector.context.why_dropped(message.item_id)
        self.push_screen(ItemDetailScreen(message.item_id, message.detail, heard, note))

    def action_retrieve_item(self, item_id: str | None = None) -> None:
        """Ask the server for what it kept of a user's audio item (``RetrieveKeys``)."""
        self._retrieve.retrieve(item_id or self._panes.conversation.selected_id)

    @work(group="audio", exit_on_error=False)
    async def action_play_heard(self, item_id: str | None = None) -> None:
        """Play the audio the server returned for the item (retrieved first)."""
        await self._retrieve.play(item_id or self._panes.conversation.selected_id)

    def action_cycle_turn_detection(self) -> None:
        """none → server_vad → semantic_vad → none."""
        order = [None, "server_vad", "semantic_vad"]
        current = self.client.get_turn_detection_type()
        following = order[(order.index(current) + 1) % len(order)] if current in order else None
        turn_detection = {"type": following} if following else None
        try:
            self.client.update_session(turn_detection=turn_detection)
        except Exception as exc:
            self.notify(f"Turn detection not changed: {exc}", severity="error")
            return
        self.inspector.touch()
        self.notify(f"Turn detection: {following or 'manual (none)'}")

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        """Every action in the palette (those a replay hides are left out)."""
        for command in super().get_system_commands(screen):
            if command.title not in REPLACED_SYSTEM_COMMANDS:
                yield command
        for title, help_text, action in PALETTE:
            if self.check_action(action.partition("(")[0], ()):
                yield SystemCommand(title, help_text, partial(self.run_action, action))

    # -- replay ---------------------------------------------------------------------------

    def _load_replay(self) -> None:
        """Show the recording (``EventFiles.replay``) read-only: nothing is sent."""
        self._files.replay()
        prompt = self.query_one("#prompt", Input)
        prompt.disabled = True
        prompt.placeholder = f"Replay of {self.config.replay_name} — read-only"
        self._panes.session.disabled = True
        self._panes.conversation.read_only = True  # no Delete item: a replay sends nothing
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A replay sends nothing: the actions that would are hidden ("Answer tool call" also
        while no call waits for an answer, approving and denying while no MCP request waits);
        a transcription session has no response actions."""
        if action == "answer_tool_call" and not self._frame.calls_waiting:
            return False
        if action in MCP_ACTIONS and not self._frame.mcp.waiting:
            return False
        if action == "copy_call_id" and self.inspector.call_id is None:
            return False
        if self.config.transcription and action in TRANSCRIPTION_HIDES:
            return False
        return self.config.replay is None or action not in REPLAY_HIDES

    # -- recording and export ---------------------------------------------------------------

    @property
    def recorder(self) -> Recorder | None:
        """The ``--record`` file's writer, if one is open."""
        return self._files.recorder

    def action_export_events(self, path: str | None = None) -> None:
        """Write the events kept in memory to a JSONL file (``EventFiles.export``)."""
        self._files.export(path)

    def action_copy_call_id(self) -> None:
        """The call's id on the clipboard, and in full in a toast: at 100 columns the status
        bar and the connection row cut it, and a sideband (``--call-id``) needs all of it."""
        call_id = self.inspector.call_id
        if call_id is None:
            self.notify("No call: the call id exists over --transport webrtc", severity="warning")
            return
        self.copy_to_clipboard(call_id)
        self.notify(call_id, title="Call id copied", timeout=10)

    def action_clear_events(self) -> None:
        self._panes.events.action_clear()

    def action_cycle_event_times(self) -> None:
        self._panes.events.action_cycle_times()

    def action_go_to_sent_event(self) -> None:
        self._panes.events.action_go_to_cause()

    def action_composer(self) -> None:
        self.push_screen(ComposerScreen(self.send_raw, dialect=self.client.realtime.dialect))

    def action_response_form(self) -> None:
        """A ``response.create`` with per-response options (palette, or Ctrl+R in the composer)."""
        self.push_screen(ResponseFormScreen(self.client))

    def action_answer_tool_call(self) -> None:
        """Answer a call no handler answered: the selected item's, else the newest pending."""
        calls = self.inspector.tool_calls
        call = calls.to_answer(self._panes.conversation.selected_id)
        if call is None:
            self.notify("No tool call is waiting for an answer.")
            return
        send = partial(answer_tool_call, self.client)
        self.push_screen(AnswerToolCallScreen(calls, call.call_id, send))

    async def on_event(self, event: events.Event) -> None:
        """Every key the user presses (whatever has focus) defers full collections."""
        if isinstance(event, events.Key):
            self.collector.key_pressed()
        await super().on_event(event)

    def on_unmount(self) -> None:
        """However the app ends, the recording keeps every line written so far."""
        self._files.close()
        if self.voice is not None:
            self.voice.close()  # queued on the device thread, which ends before the process
        self.collector.restore()

    # -- audio (VoiceKeys says what happened) -------------------------------------------

    def action_talk(self) -> None:
        self._voice_keys.talk()

    def action_mute(self) -> None:
        self._voice_keys.mute()

    @work(group="audio", exit_on_error=False)
    async def action_retry_audio(self) -> None:
        """Rescan and reopen the devices on the device thread; the UI goes on meanwhile."""
        await self._voice_keys.retry()
        self.inspector.meter_from_events = self.voice is None or not self.voice.streaming

    @work(group="audio", exit_on_error=False)
    async def action_play_item(self) -> None:
        await self._voice_keys.play(self._panes.conversation.selected_id)

    async def action_quit(self) -> None:
        self._files.close()
        if self.client.is_connected():
            await self.client.disconnect()
        self.exit(0)
