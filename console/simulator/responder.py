"""What a simulated response says: deterministic replies that help debugging.

The simulator does not understand language. It echoes the user's last input ("You said: …"),
reports its instructions or tools when asked, turns a function's output into the reply after a
tool call, and calls a tool when the user's words name it (or ``tool_choice`` forces one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from . import ids
from .conversation import Item
from .tool_args import fill_arguments

GREETING = (
    "Hello! I am the realtime-console simulator. Type or say something and I will echo it back."
)


@dataclass
class Plan:
    """A response's single output: a message text, or a function call."""

    kind: str  # "message" | "function_call"
    text: str = ""
    name: str = ""
    arguments: str = ""
    call_id: str = ""


def _function_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in tools if t.get("type", "function") == "function" and t.get("name")]


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` names the tool (``get_weather`` or "get weather")."""
    lowered = text.lower()
    spaced = re.sub(r"[_\-]+", " ", name.lower())
    return name.lower() in lowered or spaced in lowered


def choose_tool(text: str, tools: list[dict[str, Any]], tool_choice: Any) -> dict[str, Any] | None:
    """The tool to call, or None: honours ``none``/``auto``/``required``/a named function."""
    available = _function_tools(tools)
    if not available or tool_choice == "none":
        return None
    if isinstance(tool_choice, dict):
        wanted = tool_choice.get("name")
        return next((t for t in available if t["name"] == wanted), None)
    mentioned = next((t for t in available if _mentions(text, t["name"])), None)
    if tool_choice == "required":
        return mentioned or available[0]
    return mentioned


def describe(text: str, instructions: str, tools: list[dict[str, Any]]) -> str:
    """The reply to a user message ``text``."""
    if not text:
        return GREETING
    lowered = text.lower()
    sentences = []
    if "instruction" in lowered:
        sentences.append(
            f"My instructions are: {instructions}" if instructions else "I have no instructions."
        )
    if re.search(r"\b(tools?|functions?)\b", lowered):
        names = [t["name"] for t in _function_tools(tools)]
        if names:
            plural = "tool" if len(names) == 1 else "tools"
            sentences.append(f"I have {len(names)} {plural}: {', '.join(names)}.")
        else:
            sentences.append("I have no tools.")
    return " ".join(sentences) if sentences else f"You said: {text}"


def plan(
    context: list[Item],
    history: list[Item],
    instructions: str,
    tools: list[dict[str, Any]],
    tool_choice: Any,
) -> Plan:
    """Decide the response's output from the items it sees.

    ``context`` is what the response reads (the conversation, or a response's own ``input``);
    ``history`` is searched for the function call that a ``function_call_output`` answers.
    """
    relevant = [i for i in context if not (i.type == "message" and i.role == "assistant")]
    last = relevant[-1] if relevant else None
    if last is not None and last.type == "function_call_output":
        call = next(
            (
                i
                for i in [*history, *context]
                if i.type == "function_call" and i.call_id == last.call_id
            ),
            None,
        )
        name = call.name if call is not None and call.name else "function"
        forced = tool_choice == "required" or isinstance(tool_choice, dict)
        if not forced:
            return Plan("message", text=f"The {name} tool returned: {last.output}")
    user_text = ""
    for item in reversed(context):
        if item.type == "message" and item.role == "user":
            user_text = item.text()
            break
    tool = choose_tool(user_text, tools, tool_choice)
    if tool is not None:
        args = fill_arguments(tool.get("parameters"), user_text, tool["name"])
        return Plan(
            "function_call",
            name=tool["name"],
            arguments=json.dumps(args),
            call_id=ids.call_id(),
        )
    return Plan("message", text=describe(user_text, instructions, tools))


def count_tokens(text: str) -> int:
    """A rough token estimate (about four characters per token)."""
    return max(1, (len(text) + 3) // 4) if text else 0
