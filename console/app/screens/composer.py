"""The raw event composer: type any client event as JSON and send it as is.

The text is checked ~300 ms after the last edit (``parse_client_event``): an error shows its line
and column below the editor, which gets the ``-invalid`` class. Ctrl+S (or Send) checks again at
once and sends only a valid event, through the ``send`` callable the app passes in (it calls
``client.realtime.send``); whatever ``send`` raises (not connected, say) is shown, not raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Footer, Static, TextArea

from console.inspector.payloads import ComposerError, parse_client_event

DEFAULT_EVENT = '{\n  "type": "response.create"\n}'
VALIDATE_DELAY = 0.3
"""Seconds of quiet typing before the text is checked."""


class ComposerScreen(ModalScreen[None]):
    """A JSON editor for one client event, a status line, Send and Close."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True, id="composer.send"),
        Binding("escape", "close", "Close", priority=True, id="composer.close"),
        Binding("ctrl+r", "app.response_form", "Response form", priority=True, id="composer.form"),
    ]

    def __init__(self, send: Callable[[dict[str, Any]], None], text: str = DEFAULT_EVENT) -> None:
        super().__init__()
        self._send = send
        self.editor = TextArea.code_editor(text, language="json", id="composer-json")
        self._status = Static("", id="composer-status", markup=False)
        self._timer: Timer | None = None
        self.error: ComposerError | None = None
        """Why the text is not sendable, as of the last check (None when it is)."""
        self.status_text = ""
        """The line under the editor: the error, what was sent, or why sending failed."""
        self.sent: list[dict[str, Any]] = []
        """Events sent from this screen, oldest first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="composer"):
            yield Static("Raw client event (JSON)", id="composer-title")
            yield self.editor
            yield self._status
            with Horizontal(id="composer-buttons"):
                yield Button("Send", id="composer-send", variant="primary", compact=True)
                yield Button("Close", id="composer-close", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.editor.cursor_blink = False
        self.validate()
        self.editor.focus()

    @on(TextArea.Changed, "#composer-json")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.validate)

    def validate(self) -> dict[str, Any] | None:
        """Check the text now: the event if valid, else None (the error is shown)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            event = parse_client_event(self.editor.text)
        except ComposerError as error:
            self.error = error
            self.editor.add_class("-invalid")
            self._set_status(f"✗ {error}", "-error")
            return None
        self.error = None
        self.editor.remove_class("-invalid")
        self._set_status(f"✓ {event['type']} (ctrl+s sends)", None)
        return event

    def action_send(self) -> None:
        """Send the event if the text is valid; show the outcome either way."""
        event = self.validate()
        if event is None:
            return
        try:
            self._send(event)
        except Exception as error:  # shown to the user: sending must never crash the app
            self._set_status(f"✗ not sent: {type(error).__name__}: {error}", "-error")
            return
        self.sent.append(event)
        self._set_status(f"✓ sent {event['type']}", "-sent")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#composer-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#composer-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def _set_status(self, text: str, kind: str | None) -> None:
        self.status_text = text
        self._status.update(Content(text))
        for name in ("-error", "-sent"):
            self._status.set_class(name == kind, name)
