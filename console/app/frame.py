"""One frame of the console: each pane renders what changed since the last frame.

The app's ~30 Hz timer calls ``FrameRenderer.tick``; tests and snapshots call
``app.render_frame``. The renderer owns the pane references and the versions it last saw (the
status, the turns, the tool calls, the errors already toasted), so nothing else changes them.
It is made with the app and given the panes on mount (``attach``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.widgets import Input, TextArea

from console.app.mcp_approvals import McpApprovals
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.events import EventsPane
from console.app.widgets.memory import MemoryView
from console.app.widgets.meter import MeterPane
from console.app.widgets.out_of_band import OutOfBandPane
from console.app.widgets.session import SessionPane
from console.app.widgets.status import StatusBar
from console.audio.voice import VoiceSession
from console.inspector.model import Inspector
from console.realtime import RealtimeClient

FRAME_SECONDS = 1 / 30
CONVERSATION_EVERY = 3


@dataclass(frozen=True)
class Panes:
    """The panes a frame renders, found once on mount."""

    conversation: ConversationPane
    events: EventsPane
    session: SessionPane
    meter: MeterPane
    memory: MemoryView
    status: StatusBar
    out_of_band: OutOfBandPane

    @classmethod
    def find(cls, root: DOMNode) -> Panes:
        """The panes under ``root`` (the app, once composed)."""
        return cls(
            conversation=root.query_one(ConversationPane),
            events=root.query_one(EventsPane),
            session=root.query_one(SessionPane),
            meter=root.query_one(MeterPane),
            memory=root.query_one(MemoryView),
            status=root.query_one(StatusBar),
            out_of_band=root.query_one(OutOfBandPane),
        )

    def keyed(self) -> tuple[DOMNode, ...]:
        """The panes with keys of their own (F1 lists them, ``--keymap`` remaps them)."""
        return (self.conversation, self.events, self.session)


class FrameRenderer:
    """Renders the panes from the inspector model, frame by frame, and toasts new errors."""

    def __init__(
        self,
        client: RealtimeClient,
        inspector: Inspector,
        voice: VoiceSession | None,
        notify: Callable[..., None],
        bindings_changed: Callable[[], None],
    ) -> None:
        self.client = client
        self.inspector = inspector
        self.voice = voice
        self.notify = notify
        self.bindings_changed = bindings_changed
        self._panes: Panes | None = None
        self._frames = 0
        self._status_version = -1
        self._turns_version = -1
        self._errors_shown = 0
        self._error_toast_at = 0.0
        self._turns_seen: str | None = None
        self._calls_version = -1
        self._calls_waiting = False
        self.mcp = McpApprovals(client, notify, bindings_changed)
        """MCP approval requests waiting for ``y``/``n`` (``mcp_approvals``)."""

    def attach(self, panes: Panes) -> None:
        """Start rendering ``panes`` (the app calls this on mount)."""
        self._panes = panes

    @property
    def panes(self) -> Panes:
        if self._panes is None:
            raise RuntimeError("the console's panes are not mounted yet")
        return self._panes

    @property
    def calls_waiting(self) -> bool:
        """Whether a tool call waits for an answer, as of the last frame ("Answer call")."""
        return self._calls_waiting

    def voice_changed(self) -> None:
        """The status bar says what the microphone does (nothing before mount)."""
        if self.voice is not None and self._panes is not None:
            self._panes.status.extra = self.voice.describe()
            self.inspector.touch()

    def hold_still(self, root: DOMNode) -> None:
        """Stop blinking cursors and draw a frame: the same picture every time (snapshots)."""
        for widget in root.query(Input):
            widget.cursor_blink = False
        for area in root.query(TextArea):
            area.cursor_blink = False
        self.render()

    def tick(self) -> None:
        """The 30 Hz timer: every pane each frame, the conversation every third."""
        self._frames += 1
        self.render(conversation=self._frames % CONVERSATION_EVERY == 0)

    def render(self, *, conversation: bool = True) -> None:
        """Render what changed since the last frame, pane by pane.

        The conversation renders every third frame: each render wraps the streaming item's text
        again, and at 10 Hz streaming text still reads as live for less CPU (a headless flood:
        16-23% of a core instead of 23-25% at 100 events/s, 39-45% instead of 48-51% at 2,000).
        Its changes wait (they accumulate) until it renders.
        """
        panes = self.panes
        if conversation and panes.conversation.display:
            reset, changed = self.inspector.take_item_changes()
            panes.conversation.refresh_items(reset, changed)
            self.mcp.check(reset, changed)
        elif conversation:  # the pane's changes wait for it: look at the whole conversation
            self.mcp.check(True, set())
        if conversation:  # out-of-band responses, shown apart (as often as the conversation)
            panes.out_of_band.tick()
        if panes.events.display:
            panes.events.refresh_from_store()
        if panes.session.display:
            panes.session.refresh_from_state()
        if panes.meter.display:
            panes.meter.tick()
            panes.meter.show_retention(self.client.conversation.retention)
        if panes.memory.display:
            panes.memory.tick()
        if self.inspector.turns.version != self._turns_version:
            self._turns_version = self.inspector.turns.version
            panes.conversation.refresh_figures()
        self._toast_errors()
        if self.voice is not None:  # no device call here: a --input-wav file at most
            turns = self.client.get_turn_detection_type()
            if turns != self._turns_seen:
                self._turns_seen = turns
                self.voice.turn_detection_changed()
            if panes.status.extra != self.voice.describe():
                self.voice_changed()
        calls = self.inspector.tool_calls
        if calls.version != self._calls_version:  # "Answer call" only while one waits
            self._calls_version = calls.version
            if self._calls_waiting != (calls.to_answer() is not None):
                self._calls_waiting = not self._calls_waiting
                self.bindings_changed()
        if self.inspector.version != self._status_version:
            self._status_version = self.inspector.version
            panes.status.refresh()
            panes.conversation.refresh_figures()

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
