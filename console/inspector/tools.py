"""Tools the console registers: the browser console's demo tools, and the user's own.

``set_memory`` saves a key and value (the console shows the memory); ``get_weather`` asks
open-meteo for the current weather, and with no network it fails, which the library turns into a
tool error for the model (the console goes on). ``--tools FILE.py`` loads a module whose
``TOOLS`` is a list of ``(definition, handler)`` pairs; handlers may be plain functions (run in a
worker thread by the library) or coroutines. A user tool named like a demo tool replaces it.
"""

from __future__ import annotations

import importlib.util
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from console.realtime.tools import ToolHandler

Tool = tuple[dict[str, Any], ToolHandler]
WEATHER_URL = "https://api.open-meteo.com/v1/forecast"
MAX_MEMORY_KEYS = 200
_MEMORY_KEY = re.compile(r"^[a-z_]{1,64}$")

SET_MEMORY: dict[str, Any] = {
    "type": "function",
    "name": "set_memory",
    "description": "Saves important data about the user into memory.",
    "parameters": {
        "type": "object",
        "properties": {
            "key": {
                "type": "string",
                "description": "The key of the memory value. Always use lowercase and underscores.",
            },
            "value": {
                "type": "string",
                "description": "Value can be anything represented as a string",
            },
        },
        "required": ["key", "value"],
    },
}

GET_WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": (
        "Retrieves the weather for a given lat, lng coordinate pair. "
        "Specify a label for the location."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "lat": {"type": "number", "description": "Latitude"},
            "lng": {"type": "number", "description": "Longitude"},
            "location": {"type": "string", "description": "Name of the location"},
        },
        "required": ["lat", "lng", "location"],
    },
}


class ToolsFileError(Exception):
    """A ``--tools`` file that cannot be loaded, with the reason."""


def demo_tools(memory: dict[str, Any], weather_url: str = WEATHER_URL) -> list[Tool]:
    """``set_memory`` (writing into ``memory``) and ``get_weather`` (asking ``weather_url``)."""

    def set_memory(arguments: dict[str, Any]) -> dict[str, Any]:
        key = str(arguments.get("key", ""))
        if not _MEMORY_KEY.match(key):
            raise ValueError("key must be lowercase letters and underscores, 1-64 characters")
        if key not in memory and len(memory) >= MAX_MEMORY_KEYS:
            raise ValueError(f"memory is full ({MAX_MEMORY_KEYS} keys)")
        memory[key] = arguments.get("value")
        return {"ok": True}

    def get_weather(arguments: dict[str, Any]) -> Any:
        query = urllib.parse.urlencode(
            {
                "latitude": float(arguments["lat"]),
                "longitude": float(arguments["lng"]),
                "current": "temperature_2m,wind_speed_10m",
            }
        )
        with urllib.request.urlopen(f"{weather_url}?{query}", timeout=5) as reply:
            return json.loads(reply.read(1_000_000))

    return [(SET_MEMORY, set_memory), (GET_WEATHER, get_weather)]


def load_tools_file(path: str | Path) -> list[Tool]:
    """The ``TOOLS`` of a Python file: ``[(definition, handler), ...]``, checked."""
    path = Path(path)
    if not path.is_file():
        raise ToolsFileError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"realtime_console_tools_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ToolsFileError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SystemExit as exc:  # a tools file must not end the console
        raise ToolsFileError(f"{path}: called sys.exit({exc.code!r}) while loading") from exc
    except Exception as exc:
        raise ToolsFileError(f"{path}: {type(exc).__name__}: {exc}") from exc
    tools = getattr(module, "TOOLS", None)
    if not isinstance(tools, list | tuple):
        raise ToolsFileError(f"{path}: define TOOLS = [(definition, handler), ...]")
    checked: list[Tool] = []
    names: set[str] = set()
    for index, entry in enumerate(tools):
        where = f"{path}: TOOLS[{index}]"
        if not (isinstance(entry, tuple | list) and len(entry) == 2):
            raise ToolsFileError(f"{where}: expected a (definition, handler) pair")
        definition, handler = entry
        if not isinstance(definition, dict) or not isinstance(definition.get("name"), str):
            raise ToolsFileError(f"{where}: the definition needs a string 'name'")
        if not callable(handler):
            raise ToolsFileError(f"{where}: the handler is not callable")
        if definition["name"] in names:
            raise ToolsFileError(f"{where}: a second tool named {definition['name']!r}")
        names.add(definition["name"])
        checked.append((definition, handler))
    return checked
