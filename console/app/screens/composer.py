"""The raw event composer: type any client event as JSON and send it as is.

The text is checked ~300 ms after the last edit, in two steps: ``parse_client_event`` (a JSON
error shows its line and column below the editor, which gets the ``-invalid`` class), then the
dialect's schema (``check_client_event``: unknown type or field with the dialect's nearest name,
wrong type, value outside an enum, missing field), whose problems are listed under the editor as
``path: message``. Ctrl+S (or Send) checks again at once and sends a valid event through the
``send`` callable the app passes in (it calls ``client.realtime.send``); whatever ``send`` raises
(not connected, say) is shown, not raised. An event with schema problems is not sent; pressing
Ctrl+S again, with the text unchanged, sends it anyway: this is a debugging tool, and the
server's reaction to a wrong event is often the point. Unparseable JSON is never sent.
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

from console.inspector.event_names import DIALECT_NAMES
from console.inspector.event_schema import Problem, check_client_event
from console.inspector.payloads import ComposerError, parse_client_event
from console.realtime.dialects import Dialect

DEFAULT_EVENT = '{\n  "type": "response.create"\n}'
VALIDATE_DELAY = 0.3
"""Seconds of quiet typing before the text is checked."""
SHOWN_PROBLEMS = 8
"""Problems listed under the editor at most (the rest are counted)."""


class ComposerScreen(ModalScreen[None]):
    """A JSON editor for one client event, a status line, Send and Close."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True, id="composer.send"),
        Binding("escape", "close", "Close", priority=True, id="composer.close"),
        Binding("ctrl+r", "app.response_form", "Response form", priority=True, id="composer.form"),
    ]

    def __init__(
        self,
        send: Callable[[dict[str, Any]], None],
        text: str = DEFAULT_EVENT,
        *,
        dialect: Dialect = "ga",
    ) -> None:
        super().__init__()
        self._send = send
        self.dialect: Dialect = dialect
        """The wire dialect whose schema the event is checked against."""
        self.editor = TextArea.code_editor(text, language="json", id="composer-json")
        self._problems_view = Static("", id="composer-problems", markup=False)
        self._status = Static("", id="composer-status", markup=False)
        self._timer: Timer | None = None
        self.error: ComposerError | None = None
        """Why the text is not JSON of a client event, as of the last check (None when it is)."""
        self.problems: list[Problem] = []
        """What the dialect's schema finds wrong with the event, as of the last check."""
        self._armed: str | None = None
        """The text a Ctrl+S refused for its problems: Ctrl+S again on that text sends it."""
        self.status_text = ""
        """The line under the editor: the error, what was sent, or why sending failed."""
        self.sent: list[dict[str, Any]] = []
        """Events sent from this screen, oldest first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="composer"):
            name = DIALECT_NAMES[self.dialect]
            yield Static(f"Raw client event (JSON, {name} dialect)", id="composer-title")
            yield self.editor
            yield self._problems_view
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
        self._armed = None
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.validate)

    def validate(self) -> dict[str, Any] | None:
        """Check the text now: the event if it parses (``problems`` says what the schema finds
        wrong with it), else None (the error is shown)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            event = parse_client_event(self.editor.text)
        except ComposerError as error:
            self.error = error
            self._show_problems([])
            self.editor.add_class("-invalid")
            self._set_status(f"✗ {error}", "-error")
            return None
        self.error = None
        self._show_problems(check_client_event(event, self.dialect))
        self.editor.set_class(bool(self.problems), "-invalid")
        if self.problems:
            self._set_status(f"✗ {self._problem_count()} (ctrl+s twice sends anyway)", "-error")
        else:
            self._set_status(f"✓ {event['type']} (ctrl+s sends)", None)
        return event

    def action_send(self) -> None:
        """Send the event if the text is valid, or on a second Ctrl+S despite its problems;
        show the outcome either way."""
        text = self.editor.text
        event = self.validate()
        if event is None:
            return
        anyway = bool(self.problems)
        if anyway and self._armed != text:
            self._armed = text
            self._set_status(
                f"✗ not sent: {self._problem_count()}; ctrl+s again sends it anyway", "-error"
            )
            return
        self._armed = None
        try:
            self._send(event)
        except Exception as error:  # shown to the user: sending must never crash the app
            self._set_status(f"✗ not sent: {type(error).__name__}: {error}", "-error")
            return
        self.sent.append(event)
        if anyway:
            self._set_status(
                f"✓ sent {event['type']} anyway, with {self._problem_count()}", "-sent"
            )
        else:
            self._set_status(f"✓ sent {event['type']}", "-sent")

    def _problem_count(self) -> str:
        count = len(self.problems)
        plural = "problem" if count == 1 else "problems"
        return f"{count} {plural} for the {DIALECT_NAMES[self.dialect]} schema"

    def _show_problems(self, problems: list[Problem]) -> None:
        """List ``problems`` under the editor, ``path: message`` a line (hidden when none)."""
        self.problems = problems
        lines = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(f"… and {len(problems) - SHOWN_PROBLEMS} more")
        self._problems_view.update(Content("\n".join(lines)))
        self._problems_view.display = bool(problems)

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
