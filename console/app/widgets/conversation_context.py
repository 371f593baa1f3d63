"""How the conversation pane marks an item the model no longer reads (truncation dropped it).

The inspector's ``ContextWindow`` estimates, from each response's usage, which of the oldest
items the server dropped from the model's context; the pane draws those dimmed, with ``✂`` in
front and a line that says so. The mark changes the item's text once, when it is drawn again
(the pane wraps it once per change), never per frame.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

DroppedFor = Callable[[str], bool]
"""Whether the model no longer reads an item (``ContextWindow.is_dropped``)."""
MARK = "✂ "
NOTE = "not in the model's context (dropped by truncation; estimated from usage)"
MARK_STYLE = "bold yellow"


def mark_dropped(text: Text) -> Text:
    """The item's text dimmed, ``✂`` first and the note last."""
    marked = Text(MARK, style=MARK_STYLE)
    body = text.copy()
    body.stylize("dim")
    marked.append_text(body)
    marked.append("\n" + NOTE, style="dim italic yellow")
    return marked
