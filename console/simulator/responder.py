"""What a simulated response says: deterministic replies that help debugging.

The simulator does not understand language. It echoes the user's last input ("You said: …"),
reports its instructions or tools when asked, turns a function's output into the reply after a
tool call, and calls the tools the user's words ask for (:mod:`.tool_choice`), after a spoken
preamble when the model picked them itself. The tools an MCP server listed are called the same
way (:mod:`.mcp_items`); after the client answers an MCP approval request, the reply runs the
approved call or says it was denied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import ids, mcp_items
from .conversation import Item, count_tokens

__all__ = [
    "Call",
    "Plan",
    "compact_json",
    "count_tokens",
    "describe",
    "limit_words",
    "plan",
    "token_pieces",
]
from .tool_args import fill_arguments
from .tool_choice import choose_tools, function_tools, preamble

GREETING = (
    "Hello! I am the realtime-console simulator. Type or say something and I will echo it back."
)


@dataclass
class Call:
    """One function call: the tool's name, compact JSON arguments and a call id; or an MCP
    call (``server_label`` set; ``approval_request_id`` once the client approved it)."""

    name: str
    arguments: str
    call_id: str = field(default_factory=ids.call_id)
    server_label: str | None = None
    approval_request_id: str | None = None


@dataclass
class Plan:
    """A response's outputs: a message (a reply, or the preamble before calls), then calls."""

    text: str = ""
    calls: list[Call] = field(default_factory=list)


MAX_TOOL_TEXT_CHARS = 4000
MAX_REPLY_CHARS = 2000  # replies quote at most this much (a 35 KB message is not echoed whole)


def bounded(text: str, limit: int = MAX_REPLY_CHARS) -> str:
    """``text`` cut at a word boundary to about ``limit`` characters, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + " …"


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
        names = [t["name"] for t in function_tools(tools)]
        if names:
            plural = "tool" if len(names) == 1 else "tools"
            sentences.append(f"I have {len(names)} {plural}: {', '.join(names)}.")
        else:
            sentences.append("I have no tools.")
    return bounded(" ".join(sentences) if sentences else f"You said: {text}")


def plan(
    context: list[Item],
    history: list[Item],
    instructions: str,
    tools: list[dict[str, Any]],
    tool_choice: Any,
    parallel_tool_calls: bool = True,
) -> Plan:
    """Decide the response's outputs from the items it sees.

    ``context`` is what the response reads (the conversation, or a response's own ``input``);
    ``history`` is searched for the function call that a ``function_call_output`` answers.
    """
    last = next(
        (i for i in reversed(context) if not (i.type == "message" and i.role == "assistant")),
        None,
    )  # from the end: the cost does not grow with the history
    if last is not None and last.type == "function_call_output":
        call = next(
            (
                i
                for items in (context, history)
                for i in reversed(items)
                if i.type == "function_call" and i.call_id == last.call_id
            ),
            None,
        )
        name = call.name if call is not None and call.name else "function"
        forced = tool_choice == "required" or isinstance(tool_choice, dict)
        if not forced:
            return Plan(text=bounded(f"The {name} tool returned: {last.output}"))
    if last is not None and last.type == "mcp_approval_response":
        request = mcp_items.answered_request(last, history)
        if request is not None and last.extra["approve"]:
            approved = Call(request.name or "", request.arguments or "{}")
            approved.server_label = request.extra["server_label"]
            approved.approval_request_id = request.id
            return Plan(calls=[approved])
        name = (request.name if request is not None else None) or "tool"
        reason = last.extra.get("reason")
        because = f": {reason}" if reason else ""
        return Plan(text=bounded(f"The {name} call was not approved{because}."))
    tools = tools + mcp_items.callable_tools(history, tools)
    user_text = ""
    for item in reversed(context):
        if item.type == "message" and item.role == "user":
            user_text = item.text()
            break
    user_text = user_text[:MAX_TOOL_TEXT_CHARS]  # word matching and arguments read this much
    pick = choose_tools(user_text, tools, tool_choice, parallel_tool_calls)
    if pick.tools:
        calls = [
            Call(
                t["name"],
                compact_json(fill_arguments(t.get("parameters"), user_text, t["name"])),
                server_label=t.get("server_label"),
            )
            for t in pick.tools
        ]
        return Plan(text=bounded(preamble(pick.tools)) if pick.preamble else "", calls=calls)
    return Plan(text=describe(user_text, instructions, tools))


def compact_json(value: Any) -> str:
    """JSON as a model writes function arguments: no spaces, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# A word with its leading space, a run of digits, a run of punctuation, or a lone character:
# roughly the pieces a tokenizer cuts JSON into ('{"', 'city', '":"', 'Paris', '"}').
_TOKEN = re.compile(r" ?[^\W\d_]{1,8}| ?\d{1,3}|[^\w\s]{1,3}|\s+|.", re.DOTALL)


def token_pieces(text: str) -> list[str]:
    """``text`` cut into token-sized pieces (joined, they give ``text`` back)."""
    return _TOKEN.findall(text)


def limit_words(text: str, max_tokens: int | str) -> tuple[str, bool]:
    """Cut ``text`` to about ``max_tokens`` tokens at a word boundary; report whether it was cut."""
    if max_tokens == "inf" or count_tokens(text) <= int(max_tokens):
        return text, False
    budget = int(max_tokens) * 4
    cut = text[:budget].rsplit(" ", 1)[0] if " " in text[:budget] else text[:budget]
    return cut, True
