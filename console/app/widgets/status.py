"""The status bar: connection, endpoint (never the key), dialect, model, session, last error."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from console.inspector.connection import RECONNECT_HINT
from console.inspector.model import Inspector

STATE_STYLES = {
    "connected": "bold green",
    "connecting": "bold yellow",
    "disconnected": "bold red",
    "replay": "bold magenta",
}


class StatusBar(Widget):
    """One line, redrawn when the inspector's ``version`` changes (the app checks)."""

    DEFAULT_CSS = "StatusBar { height: 1; }"

    def __init__(self, inspector: Inspector, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.inspector = inspector
        self.extra = ""
        """Set by the app: retained audio, dropped events and the like."""

    def render(self) -> Text:
        inspector = self.inspector
        status = inspector.connection
        target = inspector.target
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {status.state} ", style=STATE_STYLES.get(status.state, "bold"))
        if status.lost:
            text.append(f" {RECONNECT_HINT} ", style="bold reverse")
        fields = [target.endpoint, target.dialect.upper()]
        fields.append(status.model or target.model or "default model")
        if status.session_id:
            fields.append(status.session_id)
        turn = inspector.client.get_turn_detection_type() or "manual"
        fields.append(f"turns: {turn}")
        if self.extra:
            fields.append(self.extra)
        text.append(" " + " │ ".join(fields), style="dim")
        if status.detail and status.state != "connected":
            text.append(f" │ {status.detail}", style="yellow")
        if inspector.last_error:
            text.append(f" │ last error: {inspector.last_error}", style="bold red")
        return text
