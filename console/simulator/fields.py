"""Validators for session and response fields, shared by both dialects.

Each takes the client's value and the ``param`` path to report, and returns the canonical value
or raises :class:`RealtimeError`. Dialect-specific differences (which keys exist, names on the
wire) are decided by :mod:`.dialect`, which passes them in.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from . import errors, mcp_tools
from . import validation as v
from .schema_limits import check_parameters
from .session import EAGERNESS, TRANSCRIPTION_MODELS


def turn_detection(
    value: Any, param: str, extra_server_vad_keys: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """null (manual turns), server_vad or semantic_vad settings, with their ranges."""
    if value is None:
        return None
    obj = v.require_object(value, param)
    kind = obj.get("type", "server_vad")
    kind = v.enum(kind, f"{param}.type", ("server_vad", "semantic_vad"))
    if kind == "server_vad":
        allowed = [
            "type",
            "threshold",
            "prefix_padding_ms",
            "silence_duration_ms",
            "create_response",
            "interrupt_response",
        ]
        allowed.extend(extra_server_vad_keys)
    else:
        allowed = ["type", "eagerness", "create_response", "interrupt_response"]
    v.check_keys(obj, allowed, param)
    out: dict[str, Any] = {"type": kind}
    for key, raw in obj.items():
        p = f"{param}.{key}"
        if key == "threshold":
            out[key] = v.number(raw, p, 0.0, 1.0)
        elif key == "prefix_padding_ms" or key == "silence_duration_ms":
            out[key] = v.integer(raw, p, 0, 10000)
        elif key == "idle_timeout_ms":
            out[key] = None if raw is None else v.integer(raw, p, 5000, 30000)
        elif key in ("create_response", "interrupt_response"):
            out[key] = v.boolean(raw, p)
        elif key == "eagerness":
            out[key] = v.enum(raw, p, EAGERNESS)
    return out


def transcription(
    value: Any, param: str, extra_keys: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """null (off) or input transcription settings; the model defaults to whisper-1."""
    if value is None:
        return None
    obj = v.require_object(value, param)
    allowed = ["model", "language", "prompt"]
    allowed.extend(extra_keys)
    v.check_keys(obj, allowed, param)
    out: dict[str, Any] = {}
    for key, raw in obj.items():
        p = f"{param}.{key}"
        if key == "model":
            out[key] = v.enum(raw, p, TRANSCRIPTION_MODELS)
        elif key in ("language", "prompt"):
            out[key] = v.optional_string(raw, p)
        elif key == "delay":
            out[key] = v.enum(raw, p, ("minimal", "low", "medium", "high", "xhigh"))
        else:
            out[key] = [v.string(x, f"{p}[{i}]") for i, x in enumerate(v.array(raw, p))]
    out.setdefault("model", "whisper-1")
    return out


def noise_reduction(value: Any, param: str) -> dict[str, Any] | None:
    """null or ``{type: near_field | far_field}``."""
    if value is None:
        return None
    obj = v.require_object(value, param)
    v.check_keys(obj, ["type", "strength"], param)
    out: dict[str, Any] = {
        "type": v.enum(obj.get("type"), f"{param}.type", ("near_field", "far_field"))
    }
    if "strength" in obj:
        out["strength"] = v.number(obj["strength"], f"{param}.strength", 0.0, 1.0)
    return out


TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def _tool_name(tool: dict[str, Any], p: str, seen: set[str]) -> str:
    """A function name as the API accepts it: ``^[a-zA-Z0-9_-]{1,64}$``, unique in the list."""
    name = v.string(v.require_key(tool, "name", p), f"{p}.name")
    if not TOOL_NAME.fullmatch(name):
        raise errors.invalid_value(
            f"{p}.name",
            f"Invalid '{p}.name': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
        )
    if name in seen:
        raise errors.invalid_value(
            f"{p}.name", f"Invalid '{p}.name': duplicate tool name '{name}'."
        )
    seen.add(name)
    return name


def tools(
    value: Any, param: str, kinds: tuple[str, ...] = ("function", "mcp")
) -> list[dict[str, Any]]:
    """Function tools (valid, unique names; parameters an object) and, where the dialect has
    them (``kinds``), MCP tools (:mod:`.mcp_tools`)."""
    out = []
    seen: set[str] = set()
    labels: set[str] = set()
    for index, raw in enumerate(v.array(value, param)):
        p = f"{param}[{index}]"
        tool = v.require_object(raw, p)
        kind = v.enum(tool.get("type", "function"), f"{p}.type", kinds)
        if kind == "mcp":
            out.append(mcp_tools.validate(tool, p, labels))
            continue
        v.check_keys(tool, ["type", "name", "description", "parameters"], p)
        name = _tool_name(tool, p, seen)
        entry: dict[str, Any] = {"type": "function", "name": name}
        if "description" in tool:
            entry["description"] = v.optional_string(tool["description"], f"{p}.description")
        if "parameters" in tool:
            parameters = v.require_object(tool["parameters"], f"{p}.parameters")
            v.nesting(parameters, f"{p}.parameters")
            check_parameters(parameters, f"{p}.parameters")
            entry["parameters"] = copy.deepcopy(parameters)
        out.append(entry)
    return out


def tool_choice(value: Any, param: str, kinds: tuple[str, ...] = ("function", "mcp")) -> Any:
    """``auto``/``none``/``required``, ``{"type": "function", "name": …}``, ``{"type": "mcp",
    "server_label": …, "name"?: …}`` or (beta) a name."""
    if isinstance(value, dict):
        v.check_keys(value, ["type", "name", "server_label"], param)
        kind = v.enum(value.get("type"), f"{param}.type", kinds)
        if kind == "function":
            return {
                "type": "function",
                "name": v.string(v.require_key(value, "name", param), f"{param}.name"),
            }
        v.nesting(value, param)
        label = v.require_key(value, "server_label", param)
        out = {"type": "mcp", "server_label": v.string(label, f"{param}.server_label")}
        if value.get("name") is not None:
            out["name"] = v.string(value["name"], f"{param}.name")
        return out
    return v.string(value, param)


def check_tool_choice_names(choice: Any, tools: list[dict[str, Any]], param: str) -> None:
    """A tool_choice naming a function must name one of the tools."""
    if isinstance(choice, dict) and choice.get("type") == "function":
        names = [t.get("name") for t in tools]
        if choice["name"] not in names:
            raise errors.invalid_value(
                param, f"Tool choice '{choice['name']}' does not match any of the tools."
            )


def tracing(value: Any, param: str) -> Any:
    """null, ``"auto"`` or a tracing configuration object."""
    if value is None or value == "auto":
        return value
    obj = v.require_object(value, param)
    v.check_keys(obj, ["workflow_name", "group_id", "metadata"], param)
    return copy.deepcopy(v.nesting(obj, param))


def truncation(value: Any, param: str) -> Any:
    """``auto``, ``disabled`` or a retention-ratio object."""
    if isinstance(value, str):
        return v.enum(value, param, ("auto", "disabled"))
    obj = v.require_object(value, param)
    v.check_keys(obj, ["type", "retention_ratio", "token_limits"], param)
    v.enum(obj.get("type"), f"{param}.type", ("retention_ratio",))
    v.number(v.require_key(obj, "retention_ratio", param), f"{param}.retention_ratio", 0.0, 1.0)
    return copy.deepcopy(v.nesting(obj, param))


def include(value: Any, param: str) -> Any:
    """null or a list of the known include options."""
    if value is None:
        return None
    options = ("item.input_audio_transcription.logprobs",)
    return [v.enum(x, f"{param}[{i}]", options) for i, x in enumerate(v.array(value, param))]
