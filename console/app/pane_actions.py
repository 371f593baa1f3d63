"""The app's pane actions: show, hide and zoom panes, the timeline, the help, the prompt.

They move widgets and screens only (no protocol state), so they sit apart from the app's
connection, sending and item actions; :class:`~console.app.app.RealtimeConsoleApp` mixes them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.widget import Widget
from textual.widgets import Input

from console.app.commands import all_bindings
from console.app.screens.help import HelpScreen
from console.app.screens.timeline import TimelineScreen
from console.inspector.model import Inspector
from console.inspector.timeline import live_turn_ids

if TYPE_CHECKING:
    from console.app.frame import Panes

PANES = ("conversation", "events", "session", "meter")
"""The panes zoom can fill the screen with (by widget id)."""


class PaneActions(App[int]):
    """Pane layout actions (mixed into the app, which sets ``_panes`` and ``inspector``)."""

    _panes: Panes
    inspector: Inspector

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

    def action_timeline(self) -> None:
        """F7: the turns on one time axis; Enter there shows the chosen turn's events."""
        self.push_screen(TimelineScreen(self.inspector), self._show_turn_events)

    def _show_turn_events(self, response_id: str | None) -> None:
        turn = self.inspector.turns.get(response_id or "")
        if turn is None:
            return
        if self.query_one("#main").has_class("-session-shown") and self.screen.has_class("-narrow"):
            self.action_toggle_pane("session")  # the session pane had the events pane's place
        self._panes.events.display = True
        self._panes.events.filter_turn(
            f"turn {turn.index}", live_turn_ids(self.inspector.turns, turn)
        )
        self._panes.events.event_list.focus()

    def action_focus_input(self) -> None:
        self.query_one("#prompt", Input).focus()

    def action_help(self) -> None:
        keys = [
            (binding.key_display or binding.key, binding.description, binding.id or "")
            for binding in all_bindings(self._panes.keyed())
        ]
        self.push_screen(HelpScreen(keys))
