"""Generate ``console/inspector/data/client_events.json``: the shapes of every client event, per
dialect, from the openai SDK's types. Run it by hand when the ``openai`` pin changes:

    python scripts/client_event_schema.py          # rewrite the file
    python scripts/client_event_schema.py --check  # exit 1 if the file is stale

The app must not import ``openai`` at run time (it is a dev dependency), so the composer's
validator (``console.inspector.event_schema``) reads this file instead. It is JSON Schema, trimmed
to what a validator of client events needs: pydantic's schema of the SDK's client-event models
(``RealtimeClientEvent``, the project's conformance oracle: ``tests/realtime/test_conformance.py``;
the request TypedDicts refuse the ``null`` the library sends to turn transcription off), without
titles, descriptions and defaults, and with every object that lists its properties closed
(``additionalProperties: false``), because the real server refuses unknown fields
(``unknown_parameter``) while the SDK models keep them as extras. One addition: GA's
``response.create`` takes item references (``{"type": "item_reference", "id": ...}``) in its
``input``, as the SDK's ``send`` accepts (``ResponseCreateEventWithReferencesParam``) though its
``RealtimeResponseCreateParams`` model lacks them; beta's model has them already.

Per dialect: ``events`` maps each client event type to its schema; ``$defs`` holds the shared
definitions (``#/$defs/Name``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import openai
from openai.types.beta.realtime.realtime_client_event import (
    RealtimeClientEvent as BetaClientEvent,
)
from openai.types.realtime.realtime_client_event import RealtimeClientEvent as GAClientEvent
from openai.types.realtime.response_item_reference import ResponseItemReference
from pydantic import TypeAdapter

OUTPUT = Path(__file__).resolve().parent.parent / "console/inspector/data/client_events.json"
_DROPPED = frozenset({"title", "description", "default", "examples"})


def _trim(node: Any) -> Any:
    """``node`` without documentation keys, its listed-property objects closed."""
    if isinstance(node, list):
        return [_trim(value) for value in node]
    if not isinstance(node, dict):
        return node
    trimmed = {key: _trim(value) for key, value in node.items() if key not in _DROPPED}
    if "properties" in node:  # a property *named* title or description must survive
        trimmed["properties"] = {key: _trim(value) for key, value in node["properties"].items()}
        trimmed["additionalProperties"] = False
    return trimmed


def dialect_schema(union: Any) -> dict[str, Any]:
    """``{"events": {type: schema}, "$defs": {...}}`` of one dialect's client-event union."""
    schema = TypeAdapter(union).json_schema()
    defs = schema.get("$defs", {})
    events: dict[str, Any] = {}
    for branch in schema["anyOf"]:
        name = branch["$ref"].removeprefix("#/$defs/")
        event_type = defs[name]["properties"]["type"]["const"]
        events[event_type] = defs.pop(name)
    return {"events": _trim(events), "$defs": _trim(defs)}


def _with_item_references(dialect: dict[str, Any]) -> dict[str, Any]:
    """GA's ``response.create`` ``input`` also taking ``ResponseItemReference``."""
    defs = dialect["$defs"]
    defs["ResponseItemReference"] = _trim(TypeAdapter(ResponseItemReference).json_schema())
    (items,) = [
        branch["items"]
        for branch in defs["RealtimeResponseCreateParams"]["properties"]["input"]["anyOf"]
        if branch.get("type") == "array"
    ]
    items["anyOf"].append({"$ref": "#/$defs/ResponseItemReference"})
    return dialect


def build() -> dict[str, Any]:
    """The whole file's content, from the installed SDK."""
    return {
        "generated_by": "scripts/client_event_schema.py",
        "openai": openai.__version__,
        "dialects": {
            "ga": _with_item_references(dialect_schema(GAClientEvent)),
            "beta": dialect_schema(BetaClientEvent),
        },
    }


def render(schema: dict[str, Any]) -> str:
    """The file's text: sorted keys, one level of indentation (readable diffs, small file)."""
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run python scripts/client_event_schema.py", file=sys.stderr)
            return 1
        print(f"{OUTPUT.name} is up to date (openai {openai.__version__})")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text.encode()):,} bytes, openai {openai.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
