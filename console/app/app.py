"""The console app: one ``RealtimeClient``, one ``Inspector``, panes that render them.

``make_app(config)`` is the one factory the CLI, the Pilot tests, the snapshots and the
screenshot script all use. The client's listeners only append to the inspector; a ~30 Hz timer
asks each pane to render what changed since its last frame (never one message per event).
Connecting runs as a worker that reports failures in plain words; the app never exits on them.
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, TextArea

from console.app.audio import VoiceKeys, make_voice_session
from console.app.collector import QuietCollector
from console.app.commands import (
    APP_BINDINGS,
    CONSOLE_BINDINGS,
    PALETTE,
    REPLACED_SYSTEM_COMMANDS,
)
from console.app.config import ConsoleConfig
from console.app.screens.composer import ComposerScreen
from console.app.screens.help import HelpScreen
from console.app.screens.item_detail import ItemDetailScreen
from console.app.screens.main import MainScreen
from console.app.screens.tool_answer import AnswerToolCallScreen
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.events import EventsPane
from console.app.widgets.memory import MemoryView
from console.app.widgets.meter import MeterPane
from console.app.widgets.prompt import PromptInput
from console.app.widgets.session import SessionPane
from console.app.widgets.status import StatusBar
from console.inspector.controller import ConnectionController, Severity
from console.inspector.model import Inspector
from console.inspector.recording import Recorder, export_jsonl
from console.inspector.tool_calls import answer_tool_call
from console.inspector.tools import Tool, demo_tools
from console.realtime import RealtimeClient, RealtimeNotConnectedError

STYLES = Path(__file__).parent / "styles"
FRAME_SECONDS = 1 / 30
CONVERSATION_EVERY = 3
PANES = ("conversation", "events", "session", "meter")
REPLAY_HIDES = frozenset(
    {
        "toggle_connection",
        "connect",
        "reconnect_with_history",
        "disconnect",
        "reset",
        "composer",
        "cycle_turn_detection",
        "talk",
        "mute",
        "answer_tool_call",
    }
)


def unused_path(folder: Path, stem: str, suffix: str = ".jsonl") -> Path:
    """``folder/stem.jsonl``, or ``stem-2.jsonl`` and on if taken: an export never overwrites."""
    candidate = folder / f"{stem}{suffix}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def make_app(config: ConsoleConfig) -> RealtimeConsoleApp:
    """The console for ``config`` (the one way every caller builds it)."""
    return RealtimeConsoleApp(config)


class RealtimeConsoleApp(App[int]):
    """Conversation, events, session and audio panes over one Realtime connection."""

    TITLE = "realtime-console"
    CSS_PATH = [str(path) for path in sorted(STYLES.glob("*.tcss"))]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)

    def __init__(self, config: ConsoleConfig) -> None:
        super().__init__()
        self.config = config
        target = config.target
        self.client = RealtimeClient(
            url=target.url,
            api_key=target.api_key,
            model=target.model,
            dialect=target.dialect,
            tool_timeout=config.tool_timeout,
            max_audio_seconds=config.max_audio_seconds,
            # G.711 sessions use the library's polyphase FIR (3.3 ms of delay, nothing held
            # back): soxr's streams hold back 25-40 ms at 3:1 and, with no flush in the
            # resampler protocol, would cut the end of every reply and push-to-talk turn.
        )
        self.inspector = Inspector(
            self.client,
            target,
            event_cap=config.event_cap,
            clock=config.clock,
            prices=config.price_table(),
        )
        self.sub_title = target.label
        self._status_version = -1
        self._turns_version = -1
        self._frames = 0
        self._errors_shown = 0
        self._error_toast_at = 0.0
        self.recorder: Recorder | None = None
        self.voice = make_voice_session(config, self.client, self.inspector)
        self._voice_keys = VoiceKeys(self.voice, self.notify, self.voice_changed)
        self._turns_seen: str | None = None
        self.collector = QuietCollector()
        self._calls_version = -1
        self._calls_waiting = False
        self.controller = ConnectionController(
            self.client,
            self.inspector,
            tools=self._tools() if config.replay is None else (),  # a replay runs no tools
            voice=self.voice,
            tell=self._tell,
            voice_changed=self.voice_changed,
        )
        self.controller.register_tools()

    # -- building -------------------------------------------------------------------------

    def _tools(self) -> list[Tool]:
        """The user's tools, then the demo tools whose names the user's do not take."""
        tools = list(self.config.tools)
        taken = {definition.get("name") for definition, _ in tools}
        if self.config.demo_tools:
            demos = demo_tools(self.inspector.memory, self.config.weather_url)
            tools += [(d, handler) for d, handler in demos if d.get("name") not in taken]
        return tools

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
                    id="conversation",
                )
                yield MeterPane(
                    inspector.input_levels, inspector.output_levels, inspector.clock, id="meter"
                )
                yield MemoryView(inspector.memory, id="memory")
            yield EventsPane(inspector.store, tz=self.config.tz, refresh_interval=None, id="events")
            yield SessionPane(self.client, inspector.session, id="session")
        yield PromptInput(
            placeholder="Message — Enter sends (Ctrl+P: commands, F1: help)", id="prompt"
        )
        yield StatusBar(inspector, id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).focus()
        self._conversation = self.query_one(ConversationPane)
        self._status = self.query_one(StatusBar)
        self._memory = self.query_one(MemoryView)
        self._events = self.query_one(EventsPane)
        self._session = self.query_one(SessionPane)
        self._session.border_title = "Session"  # its layout is the app's (the pane is shared)
        self._meter = self.query_one(MeterPane)
        if self.config.keymap:
            self._apply_keymap(self.config.keymap)
        if self.config.record_path is not None:
            self._start_recording(self.config.record_path)
        self.set_interval(FRAME_SECONDS, self._tick)
        # Full garbage collections wait for a pause in typing (collector.py says why).
        self.call_after_refresh(self.collector.start)
        self.set_interval(1.0, self.collector.tick)
        if self.config.replay is not None:
            self._load_replay()
        elif self.config.autoconnect:
            self.action_connect()

    def _apply_keymap(self, keymap: dict[str, str]) -> None:
        """Remap keys by binding id; an id no binding has is reported, not ignored."""
        known = {binding.id for binding in self._all_bindings()}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self.inspector.note_error(f"keymap: no binding with id {', '.join(unknown)} (see F1)")
        self.set_keymap({key: value for key, value in keymap.items() if key in known})

    def voice_changed(self) -> None:
        """The status bar says what the microphone does."""
        status = getattr(self, "_status", None)  # set on mount
        if self.voice is not None and status is not None:
            status.extra = self.voice.describe()
            self.inspector.touch()

    def hold_still(self) -> None:
        """Stop blinking cursors and draw a frame: the same picture every time (snapshots)."""
        for widget in self.query(Input):
            widget.cursor_blink = False
        for area in self.query(TextArea):
            area.cursor_blink = False
        self.render_frame()

    def _tick(self) -> None:
        """The 30 Hz timer: every pane each frame, the conversation every third."""
        self._frames += 1
        self.render_frame(conversation=self._frames % CONVERSATION_EVERY == 0)

    def render_frame(self, *, conversation: bool = True) -> None:
        """Render what changed since the last frame, pane by pane.

        The conversation renders every third frame: each render wraps the streaming item's text
        again, and at 10 Hz streaming text still reads as live for less CPU (a headless flood:
        16-23% of a core instead of 23-25% at 100 events/s, 39-45% instead of 48-51% at 2,000).
        Its changes wait (they accumulate) until it renders.
        """
        if conversation and self._conversation.display:
            reset, changed = self.inspector.take_item_changes()
            self._conversation.refresh_items(reset, changed)
        if self._events.display:
            self._events.refresh_from_store()
        if self._session.display:
            self._session.refresh_from_state()
        if self._meter.display:
            self._meter.tick()
            self._meter.show_retention(self.client.conversation.retention)
        if self._memory.display:
            self._memory.tick()
        if self.inspector.turns.version != self._turns_version:
            self._turns_version = self.inspector.turns.version
            self._conversation.refresh_figures()
        self._toast_errors()
        if self.voice is not None:  # no device call here: a --input-wav file at most
            turns = self.client.get_turn_detection_type()
            if turns != self._turns_seen:
                self._turns_seen = turns
                self.voice.turn_detection_changed()
            if self._status.extra != self.voice.describe():
                self.voice_changed()
        calls = self.inspector.tool_calls
        if calls.version != self._calls_version:  # "Answer call" only while one waits
            self._calls_version = calls.version
            if self._calls_waiting != (calls.to_answer() is not None):
                self._calls_waiting = not self._calls_waiting
                self.refresh_bindings()
        if self.inspector.version != self._status_version:
            self._status_version = self.inspector.version
            self._status.refresh()
            self._conversation.refresh_figures()

    def _toast_errors(self) -> None:
        """Toast the newest error in its own words, at most once a second.

        The text comes from the inspector's recent errors, not from the status bar's last error,
        which a new connection clears: an error noted at start-up (a keymap id no binding has)
        was toasted as an empty "Error" once the autoconnect had cleared it.
        """
        inspector = self.inspector
        now = time.monotonic()
        unseen = inspector.errors - self._errors_shown
        if not unseen or now - self._error_toast_at <= 1.0 or not inspector.recent_errors:
            return
        self._errors_shown, self._error_toast_at = inspector.errors, now
        message = inspector.recent_errors[-1]
        if unseen > 1:
            message += f"\n(and {unseen - 1} more: see the events pane)"
        self.notify(message, title="Error", severity="error", timeout=6)

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
        """Send the line as a user message, cancelling a response in progress first.

        Typed while a connection is opening, the message waits for it (and comes back to the
        input line, with the reason, if the connection fails).
        """
        text = event.value.strip()
        if not text:
            return
        if not self.client.is_connected():
            if not self.controller.busy:
                self.notify("Not connected (F2 connects).", severity="error")
                return
            self.notify("Connecting: the message goes as soon as the session is open.")
            self._send_when_connected(text)
        elif not self._send_text(text):
            return
        event.input.clear()

    def _send_text(self, text: str) -> bool:
        """Send a user message now; False (and the user is told) if it could not go."""
        try:
            # A reply still playing is cut where the user stopped hearing it (truncate), and
            # one still generating is cancelled; the library sends the new message's
            # response.create once the cancelled response is done, so it gets its reply.
            if self.voice is not None:
                self.voice.interrupt_playback()
            self.client.cancel_response()
            self.client.send_user_message_content([{"type": "input_text", "text": text}])
        except Exception as exc:  # the socket closed under us
            self.notify(f"Not sent: {exc}", severity="error")
            return False
        return True

    @work(group="messages", exit_on_error=False)
    async def _send_when_connected(self, text: str) -> None:
        """Send ``text`` once the connection action under way has finished."""
        await self.controller.idle()
        if self.client.is_connected():
            if self._send_text(text):
                return
        else:
            self.notify("Not sent: not connected (F2 connects).", severity="error")
        prompt = self.query_one("#prompt", Input)
        if not prompt.value:  # the message comes back to be sent again
            prompt.value = text

    def send_raw(self, event: dict[str, Any]) -> None:
        """Send one client event typed in the composer (raises when not connected)."""
        if not self.client.is_connected():
            raise RealtimeNotConnectedError("not connected (F2 reconnects)")
        payload = {key: value for key, value in event.items() if key != "type"}
        self.client.realtime.send(str(event["type"]), payload)

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

    # -- panes ----------------------------------------------------------------------------

    def action_toggle_pane(self, name: str) -> None:
        """Show or hide a pane; the session pane by a class on ``#main`` (see app.tcss)."""
        pane = self.query_one(f"#{name}")
        if name == "session":
            shown = pane.display
            main = self.query_one("#main")
            main.set_class(not shown, "-session-shown")
            main.set_class(shown, "-session-hidden")
        else:
            pane.display = not pane.display

    def action_zoom(self) -> None:
        """Fill the screen with the pane that has focus, or go back."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        pane = (
            next(
                (node for node in screen.focused.ancestors_with_self if node.id in PANES),
                None,
            )
            if screen.focused is not None
            else None
        )
        if pane is None or not isinstance(pane, Widget):
            self.notify("Focus a pane first (Tab), then zoom.")
            return
        screen.maximize(pane, container=False)

    def action_focus_input(self) -> None:
        self.query_one("#prompt", Input).focus()

    def action_help(self) -> None:
        keys = [
            (binding.key_display or binding.key, binding.description, binding.id or "")
            for binding in self._all_bindings()
        ]
        self.push_screen(HelpScreen(keys))

    def _all_bindings(self) -> list[Binding]:
        bindings = [b for b in (*APP_BINDINGS, *CONSOLE_BINDINGS) if isinstance(b, Binding)]
        for pane in (self._conversation, self._events, self._session):
            bindings += [b for b in pane.BINDINGS if isinstance(b, Binding)]
        return bindings

    @on(ConversationPane.ItemSelected)
    def show_item(self, message: ConversationPane.ItemSelected) -> None:
        self.push_screen(ItemDetailScreen(message.item_id, message.detail))

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
        """Rebuild events, session and conversation from the recording; nothing is sent."""
        self.inspector.replay(self.config.replay)
        for name, value in self.inspector.session.acknowledged_fields.items():
            try:  # show the recorded session in the editor; fields it cannot take stay default
                self.client.update_session(**{name: value})
            except Exception:
                continue
        prompt = self.query_one("#prompt", Input)
        prompt.disabled = True
        prompt.placeholder = f"Replay of {self.config.replay_name} — read-only"
        self._session.disabled = True
        self._conversation.read_only = True  # no Delete item: a replay sends nothing
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A replay sends nothing: the actions that would are hidden ("Answer tool call" also
        while no call waits for an answer)."""
        if action == "answer_tool_call" and not self._calls_waiting:
            return False
        return self.config.replay is None or action not in REPLAY_HIDES

    # -- recording and export ---------------------------------------------------------------

    def _start_recording(self, path: Path) -> None:
        try:
            self.recorder = Recorder(path)
        except OSError as exc:
            self.inspector.note_error(f"cannot record to {path}: {exc.strerror or exc}")
            return
        self.inspector.store.listen(self.recorder.write)

    def action_export_events(self, path: str | None = None) -> None:
        """Write the events kept in memory to a JSONL file (``--record`` keeps everything).

        The file goes to ``config.export_dir`` (the current directory when None) under a new
        name each time; the toast gives its full path.
        """
        folder = self.config.export_dir or Path.cwd()
        stamp = datetime.fromtimestamp(self.config.clock()).strftime("%Y%m%d-%H%M%S")
        target = folder / path if path else unused_path(folder, f"realtime-events-{stamp}")
        try:
            count = export_jsonl(self.inspector.store.records, target)
        except OSError as exc:
            self.notify(f"Export failed: {target}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Exported {count} events to {target.resolve()}")

    def action_clear_events(self) -> None:
        self._events.action_clear()

    def action_composer(self) -> None:
        self.push_screen(ComposerScreen(self.send_raw))

    def action_answer_tool_call(self) -> None:
        """Answer a call no handler answered: the selected item's, else the newest pending."""
        calls = self.inspector.tool_calls
        call = calls.to_answer(self._conversation.selected_id)
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
        if self.recorder is not None:
            self.recorder.close()
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
        await self._voice_keys.play(self._conversation.selected_id)

    async def action_quit(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
        if self.client.is_connected():
            await self.client.disconnect()
        self.exit(0)
