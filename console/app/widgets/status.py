"""The status bar: connection, last error, audio, turns, model, dialect, transport (WebRTC;
the WebSocket default goes unsaid), endpoint, session id.

The parts are laid out in order of importance, and when the line is too long the least important
give way first, each through shorter forms before it goes: the session id (its tail, then
nothing), the endpoint (host and port, then nothing), the dialect, the model and the turn mode;
then the connection detail, the last error and the audio state are cut, down to a floor each.
So at 100 columns the connection state, the last error and the audio state still show.
The key is never part of it: the endpoint is the URL without its query string."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from rich.cells import cell_len
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
TRANSPORT_NAMES = {"websocket": "WebSocket", "webrtc": "WebRTC"}
SEPARATOR = " │ "
ELLIPSIS = "…"


@dataclass
class Part:
    """One part of the line: its forms from longest to shortest, and how far it may be cut.

    ``floor`` None: the part only takes its shorter forms (the last may be ``""``: gone);
    a number: after its forms it may be cut at the end down to that many cells.
    """

    forms: list[str]
    style: str
    give_way: int
    """Lower gives way sooner."""
    floor: int | None = None
    chosen: str = ""


def short_endpoint(endpoint: str) -> str:
    """``host:port`` of a URL (what tells two endpoints apart in practice)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or endpoint
    return f"{host}:{parts.port}" if parts.port else host


def short_id(identifier: str, keep: int = 6) -> str:
    """``sess_…a1b2c3``: the prefix and the tail of an id."""
    prefix, _, rest = identifier.partition("_")
    if not rest or len(rest) <= keep + 1:
        return identifier
    return f"{prefix}_{ELLIPSIS}{rest[-keep:]}"


def one_line(text: str) -> str:
    """``text`` with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


def cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` cells, an ellipsis marking the cut."""
    if cell_len(text) <= cells:
        return text
    while text and cell_len(text) > cells - 1:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit(parts: list[Part], width: int) -> list[Part]:
    """Choose each part's form so the line fits ``width``: the parts shown, in order.

    Parts give way in order (shorter forms, then a cut); then, most important first, a part
    that gave way more than it had to takes back the longest form that still fits.
    """
    for part in parts:
        part.chosen = part.forms[0]

    def length() -> int:
        shown = [part.chosen for part in parts if part.chosen]
        return sum(cell_len(text) for text in shown) + len(SEPARATOR) * (len(shown) - 1)

    by_importance = sorted(parts, key=lambda part: part.give_way)
    for part in by_importance:
        for form in part.forms[1:]:
            if length() <= width:
                break
            part.chosen = form
        excess = length() - width
        if excess > 0 and part.floor is not None and part.chosen:
            part.chosen = cut(part.chosen, max(part.floor, cell_len(part.chosen) - excess))
        if length() <= width:
            break
    for part in reversed(by_importance):
        kept = part.chosen
        for form in part.forms:
            if cell_len(form) <= cell_len(kept):
                break
            part.chosen = form
            if length() <= width:
                break
            part.chosen = kept
    return [part for part in parts if part.chosen]


class StatusBar(Widget):
    """One line, redrawn when the inspector's ``version`` changes (the app checks)."""

    DEFAULT_CSS = "StatusBar { height: 1; }"

    def __init__(self, inspector: Inspector, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.inspector = inspector
        self.extra = ""
        """Set by the app: the audio state (microphone, push-to-talk, dropped blocks)."""

    def parts(self) -> list[Part]:
        """Every part, most important first, in its longest form."""
        inspector = self.inspector
        status = inspector.connection
        target = inspector.target
        state = f" {status.state} "
        parts = [Part([state], STATE_STYLES.get(status.state, "bold"), give_way=99)]
        if status.lost:
            parts.append(Part([f" {RECONNECT_HINT} "], "bold reverse", give_way=98))
        if inspector.client.transcription:  # no responses: say so beside the state
            parts.append(Part(["transcription", "transcr.", ""], "bold magenta", give_way=10))
        if inspector.last_error:
            error = one_line(inspector.last_error)
            parts.append(Part([f"✗ {error}"], "bold red", give_way=8, floor=32))
        if self.extra:
            parts.append(Part([self.extra], "bold", give_way=9, floor=16))
        if status.detail and status.state != "connected":
            parts.append(Part([one_line(status.detail)], "yellow", give_way=7, floor=20))
        known = inspector.client.session_known  # attached: not before the call's is seen
        turn = (inspector.client.get_turn_detection_type() or "manual") if known else "unknown"
        parts.append(Part([f"turns: {turn}", turn, ""], "dim", give_way=4))
        default = "default model" if target.call_id is None else "model unknown"
        model = status.model or target.model or default
        if inspector.client.transcription:  # its model is the transcription model
            settings = inspector.client.session_config.get("input_audio_transcription")
            model = str((settings or {}).get("model") or "no transcription model")
        parts.append(Part([model, ""], "dim", give_way=3))
        parts.append(Part([target.dialect.upper(), ""], "dim", give_way=2))
        if target.transport != "websocket":  # the default goes unsaid (as before)
            name = TRANSPORT_NAMES.get(target.transport, target.transport)
            call_id = inspector.call_id
            forms = [f"{name} call {call_id}", name, ""] if call_id else [name, ""]
            parts.append(Part(forms, "bold", give_way=5))
        if target.url:  # a replay has none
            endpoint = target.endpoint
            parts.append(Part([endpoint, short_endpoint(endpoint), ""], "dim", give_way=1))
        if status.session_id:
            session = status.session_id
            parts.append(Part([session, short_id(session), ""], "dim", give_way=0))
        return parts

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, part in enumerate(fit(self.parts(), self.size.width)):
            if index:
                text.append(SEPARATOR, style="dim")
            text.append(part.chosen, style=part.style)
        return text
