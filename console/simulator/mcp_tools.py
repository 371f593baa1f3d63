"""A session's ``mcp`` tools: validation as the SDK defines them, what is echoed, and the
filters (``allowed_tools``, ``require_approval``) applied to the tools a server lists.

The shape is the openai SDK's ``RealtimeToolsConfigUnion.Mcp`` / ``RealtimeResponseCreateMcpTool``:
``server_label`` (required, unique among a session's MCP tools) and exactly one of
``server_url``, ``connector_id`` or ``tunnel_id``; optional ``allowed_tools`` (names, or
``{tool_names, read_only}``), ``require_approval`` (``always``, ``never``, or ``{always,
never}`` filters), ``headers`` (strings), ``authorization``, ``server_description``,
``allowed_callers`` and ``defer_loading``. Only the GA protocol has MCP: the beta dialect
refuses ``type: "mcp"`` as any unknown tool type.

``server_url`` must be ``https``; plain ``http`` is accepted only for a loopback host
(127.0.0.1, ::1, localhost), so that tests and local servers work offline. OpenAI's servers
cannot reach a developer's loopback at all, so nothing the real API would accept is refused.
Connectors and tunnels are accepted and echoed, but their listing fails with the reason: the
simulator has no way to reach them.

Secrets are not echoed: OpenAI's MCP guide says the ``authorization`` value is neither stored nor
shown in the objects the API returns, and ``headers`` carry the same kind of secret (an
``Authorization`` or API-key header), so ``session.updated`` omits both (:func:`public`).

``require_approval`` defaults to ``always`` (OpenAI asks for approval unless told otherwise). A
filter object: a tool matching ``never`` needs none, one matching ``always`` needs it, and any
other tool follows the opposite of the filter given alone (only ``never`` given: the rest need
approval; only ``always``: the rest do not; both: approval, the safe side). A filter matches a
tool when its ``tool_names`` (if given) has the tool's name and its ``read_only`` (if given)
equals the tool's ``readOnlyHint`` annotation.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlsplit

from . import errors
from . import validation as v
from .mcp_client import Server

CONNECTORS = (
    "connector_dropbox",
    "connector_gmail",
    "connector_googlecalendar",
    "connector_googledrive",
    "connector_microsoftteams",
    "connector_outlookcalendar",
    "connector_outlookemail",
    "connector_sharepoint",
)
KEYS = (
    "type", "server_label", "server_url", "connector_id", "tunnel_id", "allowed_tools",
    "require_approval", "headers", "authorization", "server_description", "allowed_callers",
    "defer_loading",
)  # fmt: skip
SOURCES = ("server_url", "connector_id", "tunnel_id")
SECRET_KEYS = ("authorization", "headers")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
MAX_URL_CHARS = 2048
MAX_HEADERS = 64


def _filter(value: Any, param: str) -> dict[str, Any]:
    obj = v.require_object(value, param)
    v.check_keys(obj, ["tool_names", "read_only"], param)
    out: dict[str, Any] = {}
    if obj.get("tool_names") is not None:
        names = v.array(obj["tool_names"], f"{param}.tool_names")
        out["tool_names"] = [v.string(n, f"{param}.tool_names[{i}]") for i, n in enumerate(names)]
    if obj.get("read_only") is not None:
        out["read_only"] = v.boolean(obj["read_only"], f"{param}.read_only")
    return out


def _url(value: Any, param: str) -> str:
    url = v.string(value, param)
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and (parts.hostname or "") in LOOPBACK
    if len(url) > MAX_URL_CHARS or not parts.hostname or not (parts.scheme == "https" or loopback):
        raise errors.invalid_value(
            param,
            f"Invalid '{param}': expected an https URL (http only to a loopback host such as "
            "127.0.0.1), up to 2048 characters.",
        )
    return url


def _headers(value: Any, param: str) -> dict[str, str]:
    obj = v.require_object(value, param)
    if len(obj) > MAX_HEADERS:
        raise errors.invalid_value(param, f"Invalid '{param}': more than {MAX_HEADERS} headers.")
    return {k: v.string(x, f"{param}.{k}") for k, x in obj.items()}


def _allowed_tools(value: Any, param: str) -> Any:
    if isinstance(value, list):
        return [v.string(n, f"{param}[{i}]") for i, n in enumerate(value)]
    return _filter(value, param)


def _require_approval(value: Any, param: str) -> Any:
    if isinstance(value, str):
        return v.enum(value, param, ("always", "never"))
    obj = v.require_object(value, param)
    v.check_keys(obj, ["always", "never"], param)
    return {k: _filter(obj[k], f"{param}.{k}") for k in ("always", "never") if obj.get(k)}


def validate(tool: dict[str, Any], param: str, labels: set[str]) -> dict[str, Any]:
    """One ``mcp`` tool, canonical (nulls dropped); ``labels`` collects the labels seen so far
    (a duplicate is refused)."""
    v.nesting(tool, param)
    v.check_keys(tool, KEYS, param)
    label = v.string(v.require_key(tool, "server_label", param), f"{param}.server_label")
    if not label:
        raise errors.invalid_value(f"{param}.server_label", f"Invalid '{param}.server_label'.")
    if label in labels:
        raise errors.invalid_value(
            f"{param}.server_label",
            f"Invalid '{param}.server_label': duplicate server label '{label}'.",
        )
    labels.add(label)
    given = [k for k in SOURCES if tool.get(k) is not None]
    if len(given) != 1:
        raise errors.invalid_value(
            param,
            f"Invalid '{param}': exactly one of server_url, connector_id or tunnel_id must be "
            f"provided{f', not {len(given)}' if given else ''}.",
        )
    out: dict[str, Any] = {"type": "mcp", "server_label": label}
    for key, raw in tool.items():
        p = f"{param}.{key}"
        if raw is None or key in ("type", "server_label"):
            continue
        if key == "server_url":
            out[key] = _url(raw, p)
        elif key == "connector_id":
            out[key] = v.enum(raw, p, CONNECTORS)
        elif key in ("tunnel_id", "authorization", "server_description"):
            out[key] = v.string(raw, p)
        elif key == "headers":
            out[key] = _headers(raw, p)
        elif key == "allowed_tools":
            out[key] = _allowed_tools(raw, p)
        elif key == "require_approval":
            out[key] = _require_approval(raw, p)
        elif key == "allowed_callers":
            out[key] = [
                v.enum(c, f"{p}[{i}]", ("direct", "programmatic"))
                for i, c in enumerate(v.array(raw, p))
            ]
        elif key == "defer_loading":
            out[key] = v.boolean(raw, p)
    return out


def public(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as ``session.updated`` echoes it: an MCP tool without its secrets."""
    if tool.get("type") != "mcp":
        return copy.deepcopy(tool)
    return {k: copy.deepcopy(x) for k, x in tool.items() if k not in SECRET_KEYS}


def mcp_configs(tools: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The MCP tools of a tool list, by server label."""
    return {t["server_label"]: t for t in tools if t.get("type") == "mcp"}


def signature(tool: dict[str, Any]) -> str:
    """What decides a server's tool list: its source, what is sent to it and the filter."""
    keys = (*SOURCES, *SECRET_KEYS, "allowed_tools")
    return json.dumps({k: tool.get(k) for k in keys}, sort_keys=True)


def server(tool: dict[str, Any]) -> Server | None:
    """How to reach the tool's server; None for a connector or a tunnel (out of reach)."""
    url = tool.get("server_url")
    if url is None:
        return None
    headers = tuple(sorted((tool.get("headers") or {}).items()))
    return Server(url, headers, tool.get("authorization"))


def unreachable_reason(tool: dict[str, Any]) -> str:
    """Why the simulator cannot list a connector's or a tunnel's tools."""
    if tool.get("connector_id"):
        return (
            f"The simulator cannot reach OpenAI's connector '{tool['connector_id']}' "
            "(it works offline); use server_url with an MCP server you run."
        )
    return "The simulator cannot reach a Secure MCP Tunnel; use server_url with an MCP server."


def _matches(flt: dict[str, Any], entry: dict[str, Any]) -> bool:
    names = flt.get("tool_names")
    if names is not None and entry["name"] not in names:
        return False
    read_only = flt.get("read_only")
    hint = bool((entry.get("annotations") or {}).get("readOnlyHint", False))
    return read_only is None or hint == read_only


def allowed(tool: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Whether ``allowed_tools`` lets a listed tool (``entry``) through."""
    rule = tool.get("allowed_tools")
    if rule is None:
        return True
    if isinstance(rule, list):
        return entry["name"] in rule
    return _matches(rule, entry)


def needs_approval(tool: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Whether calling a listed tool (``entry``) waits for the client's approval."""
    rule = tool.get("require_approval", "always")
    if isinstance(rule, str):
        return rule == "always"
    if "never" in rule and _matches(rule["never"], entry):
        return False
    if "always" in rule and _matches(rule["always"], entry):
        return True
    return "always" not in rule or "never" in rule
