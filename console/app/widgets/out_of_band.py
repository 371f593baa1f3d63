"""Out-of-band responses, shown apart from the conversation: one marked block per response.

An out-of-band response (``conversation: "none"``) adds nothing to the conversation, so the
conversation pane never shows it; this pane, under it, does: ``⟂ oob resp_… · completed ·
topic=summary`` (its status and metadata), then what it said. It renders the inspector's
``OutOfBand`` model (which knows which responses are out-of-band) when its version changes,
and stays hidden until there is one. The newest ``MAX_SHOWN`` are drawn, the newest last.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.inspector.out_of_band import OutOfBand, OutOfBandResponse

MAX_SHOWN = 10
MARK = "⟂ oob"


def response_text(response: OutOfBandResponse) -> Text:
    """The block of one out-of-band response: its marked title line, then its outputs."""
    details = [response.response_id, response.status]
    if response.reason:
        details[-1] += f" ({response.reason})"
    summary = response.summary()
    if summary:
        details.append(summary)
    text = Text(MARK, style="bold magenta")
    text.append(" " + " · ".join(details), style="dim")
    for output in response.outputs.values():
        body = output.text or f"({output.kind})"
        text.append("\n" + body)
    return text


class OutOfBandPane(VerticalScroll, can_focus=False):
    """The newest out-of-band responses, each as a marked block; hidden while there is none."""

    BORDER_TITLE = "Out-of-band responses"

    def __init__(self, model: OutOfBand, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self._version = -1
        self._body = Static("", id="oob-body")

    def compose(self) -> ComposeResult:
        yield self._body

    def on_mount(self) -> None:
        self.display = False
        self.tick()

    def tick(self) -> None:
        """Render again if the model changed since the last frame."""
        if self.model.version == self._version:
            return
        self._version = self.model.version
        shown = list(self.model.responses.values())[-MAX_SHOWN:]
        self.display = bool(shown)
        text = Text("\n\n").join(response_text(response) for response in shown)
        self._body.update(text)
        self.scroll_end(animate=False)

    @property
    def text(self) -> str:
        """What the pane shows, plain (tests read it)."""
        return "\n\n".join(
            response_text(r).plain for r in list(self.model.responses.values())[-MAX_SHOWN:]
        )
