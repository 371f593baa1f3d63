"""The help screen: what each pane shows and the keys, from the live bindings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

ABOUT = """\
realtime-console — an inspector for the OpenAI Realtime API.

Conversation  items as they stream; per response: first audio (or text), done, tokens, cost.
              ↑/↓ pick an item: Enter shows its JSON, Delete deletes it on the server.
Events        every event both ways (↑ client, ↓ server, • the console's own); deltas
              fold into one row with the true count. Enter opens the JSON; / filters
              by type or JSON text; t: clock, +since the previous row, T+since the
              turn's trigger; g on an error goes to the client event it names.
Session       instructions, voice, turn detection, transcription, tools (JSON).
              Apply sends session.update: ✓ acknowledged, ~ changed, ✗ refused.
Audio         input and output levels: RMS, peak, voice-band spectrum.
Timeline (F7) turns on one axis from their trigger: speech, generation, audio (cut),
              tools; latencies, cost, the summary. Enter: that turn's events (x: all).

The input line sends a user message (cancelling a response in progress first).
Ctrl+P opens the command palette with every action. Escape closes this screen.
"""


class HelpScreen(ModalScreen[None]):
    """What the console shows, and every key binding with its id (for the keymap)."""

    BINDINGS = [Binding("escape,q,f1", "app.pop_screen", "Close", id="help.close")]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        text = Text(ABOUT)
        text.append("\nKeys (remap them by id in a keymap file, see --keymap)\n", style="bold")
        for key, description, binding_id in self.keys:
            text.append(f"  {key:<14}", style="bold cyan")
            text.append(f"{description:<34}")
            text.append(f"{binding_id}\n", style="dim")
        body = VerticalScroll(id="help-body")
        body.border_title = "Help"
        body.border_subtitle = "↑/↓ PgUp/PgDn scroll · Esc closes"
        with body:
            yield Static(text, markup=False)
        yield Footer(compact=True)
