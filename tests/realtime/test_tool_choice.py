"""``tool_choice`` names a function in either dialect's spelling and is sent in the right one."""

from __future__ import annotations

import pytest

from console.realtime.dialect_payloads import response_create_payload, session_update_payload
from console.realtime.dialects import SessionConfigError, fold_session_update


@pytest.mark.parametrize("given", ["lookup", {"type": "function", "name": "lookup"}])
def test_a_function_name_is_sent_as_each_dialect_spells_it(given: object) -> None:
    flat = fold_session_update({"tool_choice": given})
    assert session_update_payload(flat, None, "ga")["tool_choice"] == {
        "type": "function",
        "name": "lookup",
    }
    assert session_update_payload(flat, None, "beta")["tool_choice"] == "lookup"


@pytest.mark.parametrize("mode", ["auto", "none", "required"])
def test_modes_are_sent_as_they_are(mode: str) -> None:
    flat = fold_session_update({"tool_choice": mode})
    for dialect in ("ga", "beta"):
        assert session_update_payload(flat, None, dialect)["tool_choice"] == mode


@pytest.mark.parametrize("bad", ["", 3, {"type": "function"}, None])
def test_anything_else_is_refused(bad: object) -> None:
    with pytest.raises(SessionConfigError, match="tool_choice"):
        fold_session_update({"tool_choice": bad})


@pytest.mark.parametrize("given", ["lookup", {"type": "function", "name": "lookup"}])
def test_a_response_names_its_function_as_each_dialect_spells_it(given: object) -> None:
    """``create_response``'s ``tool_choice`` too: a bare name is no GA tool choice."""
    assert response_create_payload({"tool_choice": given}, "ga")["tool_choice"] == {
        "type": "function",
        "name": "lookup",
    }
    assert response_create_payload({"tool_choice": given}, "beta")["tool_choice"] == "lookup"
    for mode in ("auto", "none", "required"):
        assert response_create_payload({"tool_choice": mode}, "ga")["tool_choice"] == mode
