"""The composer's client-event validator (``console.inspector.event_schema``) and its shipped
schema: up to date with the installed SDK, silent on every event the library sends, and agreeing
with the SDK's models (the oracle) on the events it flags."""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

from console.inspector.event_schema import (
    MAX_VALUES,
    Problem,
    check_client_event,
    event_types,
    schema_sdk_version,
)
from console.realtime import RealtimeClient
from console.realtime.dialects import CLIENT_EVENT_TYPES, Dialect
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder
from tests.realtime.scripted_server import ScriptedServer
from tests.realtime.test_conformance import check_client_event as sdk_check
from tests.realtime.test_conformance import exercise_every_sending_method

ROOT = Path(__file__).resolve().parents[2]
TURNS = Path(__file__).parent / "fixtures" / "turns"


def generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "schema_gen", ROOT / "scripts/client_event_schema.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def texts(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


# -- the shipped schema ------------------------------------------------------------------------


def test_the_shipped_schema_is_what_the_installed_sdk_generates() -> None:
    """An openai bump that changes a client event fails here: rerun the script."""
    gen = generator()
    shipped = (ROOT / "console/inspector/data/client_events.json").read_text(encoding="utf-8")
    assert shipped == gen.render(gen.build()), "stale: python scripts/client_event_schema.py"
    assert len(shipped.encode()) < 200_000
    assert schema_sdk_version() == json.loads(shipped)["openai"]


def test_the_dialects_event_types_are_the_librarys() -> None:
    """``dialects.CLIENT_EVENT_TYPES`` (which events are a client's) is both dialects' union."""
    assert event_types("ga") | event_types("beta") == CLIENT_EVENT_TYPES
    assert event_types("beta") - event_types("ga") == {"transcription_session.update"}


# -- no false alarms ---------------------------------------------------------------------------


async def library_events(dialect: Dialect) -> list[dict[str, Any]]:
    """Every client event the library sends in its conformance test, as sent."""
    async with ScriptedServer(api_key=API_KEY) as server:
        client = RealtimeClient(url=server.url, api_key=API_KEY, dialect=dialect)
        recorder = Recorder(client.realtime, "client.*")
        await client.connect()
        await exercise_every_sending_method(client)
        await client.disconnect()
    events: list[dict[str, Any]] = recorder.events["client.*"]
    assert len({event["type"] for event in events}) >= 8
    return events


async def test_every_event_the_library_sends_validates(dialect: Dialect) -> None:
    for event in await library_events(dialect):
        assert check_client_event(event, dialect) == [], event


def sdk_accepts(event: Any, dialect: Dialect) -> bool:
    try:
        sdk_check(event, dialect)
    except (AssertionError, pydantic.ValidationError):
        return False
    return True


def mutants(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """``value`` with one change each: a key dropped, a key misspelt, a value of the wrong kind."""
    if isinstance(value, dict):
        for key, element in value.items():
            where = f"{path}.{key}"
            yield f"drop {where}", {k: v for k, v in value.items() if k != key}
            yield (
                f"misspell {where}",
                {**{k: v for k, v in value.items() if k != key}, key + "_x": element},
            )
            for how, changed in mutants(element, where):
                yield how, {**value, key: changed}
    elif isinstance(value, list):
        for index, element in enumerate(value[:3]):
            for how, changed in mutants(element, f"{path}[{index}]"):
                yield how, [*value[:index], changed, *value[index + 1 :]]
    elif path:
        yield f"wrong kind at {path}", [value]


async def test_it_agrees_with_the_sdk_on_mutated_library_events(dialect: Dialect) -> None:
    """Each event the library sends, changed in one place: this check and the SDK's models
    (no extras allowed) accept or refuse it alike. Free-form values (a tool's ``parameters``,
    ``metadata``) take anything in both."""
    disagreements: list[str] = []
    checked = 0
    for event in await library_events(dialect):
        if event["type"] == "input_audio_buffer.append":
            event = {**event, "audio": "AAAA"}  # the same shape, less to copy
        for how, mutant in mutants(event):
            checked += 1
            ours = check_client_event(mutant, dialect) == []
            if ours != sdk_accepts(mutant, dialect):
                disagreements.append(
                    f"{event['type']}: {how}: ours {'accepts' if ours else 'refuses'}"
                )
    assert checked > 300
    assert disagreements == []


@pytest.mark.parametrize("path", sorted(TURNS.glob("*.jsonl")), ids=lambda p: p.stem)
def test_every_client_event_of_the_recorded_sessions_validates(path: Path) -> None:
    dialect: Dialect = "beta" if path.stem.startswith("beta") else "ga"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    sent = [r["event"] for r in records if r.get("source") == "client" and "event" in r]
    assert sent
    for event in sent:
        assert check_client_event(event, dialect) == [], event


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- what it flags, and the SDK agrees ---------------------------------------------------------

FLAT_VOICE = "(audio.output.voice)"
GA_SESSION = {"type": "session.update", "session": {"type": "realtime"}}

FLAGGED: list[tuple[Dialect, dict[str, Any], list[str]]] = [
    (
        "ga",
        {"type": "session.update", "session": {"type": "realtime", "modalities": ["text"]}},
        ["session.modalities: unknown field; GA names it output_modalities"],
    ),
    (
        "ga",
        {"type": "session.update", "session": {"type": "realtime", "voice": "marin"}},
        ["session.voice: unknown field; GA names it audio.output.voice"],
    ),
    (
        "beta",
        {"type": "session.update", "session": {"output_modalities": ["text"]}},
        ["session.output_modalities: unknown field; beta names it modalities"],
    ),
    (
        "beta",
        {"type": "session.update", "session": {"audio": {"output": {"voice": "ash"}}}},
        ["session.audio: unknown field; beta spells audio settings flat: voice " + FLAT_VOICE],
    ),
    (
        "ga",
        {"type": "session.update", "session": {"type": "realtime", "temperature": 0.7}},
        ["session.temperature: unknown field: only beta has temperature"],
    ),
    (
        "ga",
        {"type": "session.update", "session": {"type": "realtime", "instrctions": "hi"}},
        ["session.instrctions: unknown field; did you mean instructions?"],
    ),
    (
        "ga",
        {"type": "session.update", "session": {}},
        ['session.type: missing required field (one of "realtime", "transcription")'],
    ),
    (
        "ga",
        {"type": "response.create", "response": {"max_output_tokens": "lots"}},
        ['response.max_output_tokens: expected integer or "inf", got "lots"'],
    ),
    (
        "ga",
        {"type": "response.create", "response": {"output_modalities": ["txt"]}},
        ['response.output_modalities[0]: "txt" is not one of "text", "audio"'],
    ),
    (
        "ga",
        {"type": "conversation.item.truncate", "item_id": "i", "content_index": "0"},
        ["audio_end_ms: missing required field", "content_index: expected integer, got string"],
    ),
    (
        "ga",
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "usr", "content": []},
        },
        ['item.role: "usr" is not one of "system", "user", "assistant"'],
    ),
    (
        "ga",
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": 5}],
            },
        },
        ["item.content[0].text: expected string, got integer"],
    ),
    (
        "ga",
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": "hi"}}},
            },
        },
        ["session.audio.input.turn_detection.threshold: expected number, got string"],
    ),
    (
        "ga",
        {"type": "session.update", "session": {"type": "realtime", "tools": [{"type": "mcp"}]}},
        ["session.tools[0].server_label: missing required field"],
    ),
]


@pytest.mark.parametrize(("dialect", "event", "expected"), FLAGGED)
def test_it_flags_what_the_sdk_refuses(
    dialect: Dialect, event: dict[str, Any], expected: list[str]
) -> None:
    assert texts(check_client_event(event, dialect)) == expected
    with pytest.raises((AssertionError, pydantic.ValidationError)):
        sdk_check(event, dialect)  # the oracle refuses it too (or keeps an unknown field)


def test_nearest_names() -> None:
    (problem,) = check_client_event({"type": "respnse.create"}, "ga")
    assert (problem.path, problem.nearest) == ("type", "response.create")
    assert (
        problem.message
        == "unknown event type 'respnse.create' in GA; did you mean response.create?"
    )
    (problem,) = check_client_event(
        {"type": "session.update", "session": {"type": "realtime", "modalities": ["text"]}}, "ga"
    )
    assert problem.nearest == "output_modalities"
    (problem,) = check_client_event(
        {"type": "response.create", "response": {"tool_choice": "autoo"}}, "ga"
    )
    assert problem.nearest == "auto"
    assert 'not one of "none", "auto", "required"' in problem.message
    (problem,) = check_client_event({"type": "transcription_session.update", "session": {}}, "ga")
    assert problem.nearest == "session.update"
    assert 'session.type "transcription"' in problem.message


def test_not_an_event() -> None:
    assert texts(check_client_event([], "ga")) == ["a client event is a JSON object, not array"]
    assert texts(check_client_event({}, "beta")) == ["type: missing required field"]
    assert texts(check_client_event({"type": 3}, "ga")) == ["type: expected string, got integer"]


def test_valid_events_of_both_dialects() -> None:
    assert check_client_event({"type": "response.create"}, "ga") == []
    assert check_client_event({"type": "response.create", "event_id": "e1"}, "beta") == []
    assert check_client_event({**GA_SESSION, "session": {"type": "transcription"}}, "ga") == []
    beta = {"type": "session.update", "session": {"modalities": ["text"], "voice": "ash"}}
    assert check_client_event(beta, "beta") == []


def test_ga_response_input_takes_item_references() -> None:
    """As the SDK's ``send`` does (``ResponseCreateEventWithReferencesParam``), not its model."""
    reference = {"type": "item_reference", "id": "item_1"}
    response = {"conversation": "none", "metadata": {"topic": "x"}, "input": [reference]}
    assert check_client_event({"type": "response.create", "response": response}, "ga") == []
    assert check_client_event({"type": "response.create", "response": response}, "beta") == []
    item = {"type": "conversation.item.create", "item": reference}  # only in a response's input
    (problem,) = check_client_event(item, "ga")
    assert problem.path == "item.type" and "not one of" in problem.message


# -- bounded and fast --------------------------------------------------------------------------


def test_huge_input_costs_bounded_work() -> None:
    parts = [{"type": "input_text", "text": "x"}] * 200_000
    event = {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": parts},
    }
    started = time.perf_counter()
    problems = check_client_event(event, "ga")
    assert time.perf_counter() - started < 1.0
    assert texts(problems) == [f"not fully checked: over {MAX_VALUES:,} values"]


def test_deep_input_is_not_entered_past_the_schema() -> None:
    deep: Any = {}
    for _ in range(50_000):  # far deeper than Python's recursion limit
        deep = {"a": deep}
    tool = {"type": "function", "name": "f", "parameters": deep}
    event = {"type": "session.update", "session": {"type": "realtime", "tools": [tool]}}
    assert check_client_event(event, "ga") == []


def test_many_problems_are_capped() -> None:
    session = {f"bogus_{i}": i for i in range(500)} | {"type": "realtime"}
    problems = check_client_event({"type": "session.update", "session": session}, "ga")
    assert len(problems) == 51 and problems[-1].message == "… and 450 more"


def test_a_million_unknown_keys_cost_bounded_work() -> None:
    session = {f"knob_{i}": i for i in range(1_000_000)} | {"type": "realtime"}
    started = time.perf_counter()
    problems = check_client_event({"type": "session.update", "session": session}, "ga")
    assert time.perf_counter() - started < 2.0
    assert problems[-1].message == f"not fully checked: over {MAX_VALUES:,} values"
    (problem,) = check_client_event({"type": "x" * 100_000}, "ga")
    assert len(problem.message) < 200
