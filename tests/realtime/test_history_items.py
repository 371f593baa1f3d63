"""Carried history: the items ``text_message_item`` builds are valid client events in both
dialects (the SDK's models as oracle: GA assistant text is ``output_text``, beta's ``text``), and
the console's ``carried_history`` takes the text of user and assistant messages only.
"""

from __future__ import annotations

import pytest

from console.inspector.connection import MAX_CARRIED_MESSAGES, carried_history
from console.realtime import text_message_item
from tests.realtime.test_conformance import check_client_event


@pytest.mark.parametrize("role", ["user", "assistant"])
def test_history_items_validate_in_both_dialects(dialect: str, role: str) -> None:
    item = text_message_item(role, "earlier turn", dialect)  # type: ignore[arg-type]
    check_client_event({"type": "conversation.item.create", "item": item}, dialect)
    other = "beta" if dialect == "ga" else "ga"
    if role == "assistant":  # the part type differs: each dialect's shape is wrong for the other
        with pytest.raises((AssertionError, ValueError)):  # pydantic error, or extras
            check_client_event({"type": "conversation.item.create", "item": item}, other)


def test_no_text_item_for_other_roles() -> None:
    with pytest.raises(ValueError, match="system"):
        text_message_item("system", "x", "ga")


def test_carried_history_takes_message_text_and_transcripts() -> None:
    items = [
        {"type": "message", "role": "user", "formatted": {"text": " hi ", "transcript": ""}},
        {"type": "message", "role": "assistant", "formatted": {"text": "", "transcript": "yo"}},
        {"type": "function_call", "formatted": {"text": "", "tool": {"name": "f"}}},
        {"type": "message", "role": "system", "formatted": {"text": "rules"}},
        {"type": "message", "role": "user", "formatted": {"text": "", "transcript": ""}},
    ]
    assert carried_history(items) == [("user", "hi"), ("assistant", "yo")]
    many = [{"type": "message", "role": "user", "formatted": {"text": str(i)}} for i in range(300)]
    kept = carried_history(many)
    assert len(kept) == MAX_CARRIED_MESSAGES and kept[-1] == ("user", "299")
