"""One field of the session pane, as a descriptor: see ``session_form`` for why.

``SessionField`` holds everything the pane knows about a field: its label, widget, how it reads
the library's flat ``session_config``, how it writes an ``update_session`` keyword, the form
value "edited" is measured on, the section it sits in and whether only GA sessions have it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.widget import Widget

if TYPE_CHECKING:
    from .session import SessionPane

Config = Mapping[str, Any]
"""The library's flat ``client.session_config``."""


@dataclass(frozen=True)
class SessionField:
    """One editable session field of the pane."""

    name: str
    """The field as ``SessionState`` names it (``output_modalities``, not ``modalities``)."""
    label: str
    control: Callable[[SessionPane], Widget]
    """The widget on the field's line (or under its heading)."""
    raw: Callable[[SessionPane], Any]
    """The form value as typed: what "edited" compares with the baseline, which moves to it when
    ``session.updated`` acknowledges the update that carried it."""
    read: Callable[[SessionPane, Config], None]
    """Show the session config's value in the form."""
    write: Callable[[SessionPane], tuple[str, Any]]
    """The ``update_session`` keyword and value; ``FormError`` (or ``ToolsError``) if unusable."""
    heading: bool = False
    """The label stands on its own line above a tall control (instructions, tools)."""
    below: Callable[[SessionPane], tuple[Widget, ...]] = lambda pane: ()
    """Widgets shown under the field's line (turn detection's parameters)."""
    section: str | None = None
    """The collapsible section the field sits in (None: above them all)."""
    ga_only: bool = False
    """The beta protocol lacks the option: a beta session's pane leaves the field out."""
    spoken: str | None = None
    """How a message names the field where its label alone says little (``Type``)."""

    @property
    def words(self) -> str:
        """How a message names the field: ``spoken``, else its label in lower case."""
        return self.spoken or self.label.removesuffix(" (JSON)").lower()

    def editing(self, pane: SessionPane) -> bool:
        """Whether the user is in this field (a refresh must leave it alone)."""
        widgets = (self.control(pane), *self.below(pane))
        return any(widget.has_focus_within for widget in widgets)
