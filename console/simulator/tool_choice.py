"""Which tools a simulated response calls, and the spoken preamble that comes before them.

The simulator does not understand language, but it picks tools the way a model appears to:
deterministically, from the user's words. A tool is wanted when the user names it
(``get_weather``, "get weather") or uses one of the content words of its name or description
("What's the weather in Paris?" wants ``get_weather``) or a word related to one ("remember"
wants a tool about memory, see :mod:`.words`). Each content word of the user's goes to the tool
whose *name* has it, else to the first tool whose description has it, so "the weather and the
time" asks for two tools and a word shared by two descriptions asks for one.
``tool_choice`` rules: ``none`` never calls, ``required`` always calls (the wanted tools, else
the first tool), a named function is called alone. Several tools are called in one response
only when the session allows parallel calls (``parallel_tool_calls``, default true).

A tool picked from the user's words is announced first by a short spoken message ("Let me check
the weather for you."), as real models usually do; a tool the user named outright, or one
``tool_choice`` forces, is called at once without a preamble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .words import STOPWORDS, related

# Words that say little about what a tool does (on top of the argument-filling stopwords).
_GENERIC = STOPWORDS | {
    "given", "returns", "return", "retrieves", "retrieve", "gets", "sets", "specify", "specified",
    "provided", "using", "based", "current", "currently", "data", "value", "values", "info",
    "information", "user", "users", "name", "label", "pair", "list", "new", "one", "any", "all",
    "has", "have", "which", "when", "where", "will", "should", "into", "your", "their", "its",
    "not", "like", "want", "need", "know", "let", "say", "said", "make", "also", "just",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class ToolPick:
    """The tools a response calls, and whether it speaks a preamble before them."""

    tools: list[dict[str, Any]]
    preamble: bool


def function_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools a response can call: function tools, and the tools an MCP server listed
    (:func:`.mcp_items.callable_tools`; an ``mcp`` tool itself has no name)."""
    return [t for t in tools if t.get("type", "function") in ("function", "mcp") and t.get("name")]


def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _content_words(text: str) -> list[str]:
    """Lower-cased, crudely singular content words of ``text`` in order (camelCase split)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    words = [_stem(w) for w in _WORD.findall(spaced.replace("_", " "))]
    return [w for w in words if len(w) > 2 and w not in _GENERIC]


def names_tool(text: str, name: str) -> bool:
    """Whether ``text`` names the tool (``get_weather`` or "get weather")."""
    lowered = text.lower()
    spaced = re.sub(r"[_\-]+", " ", name.lower())
    return name.lower() in lowered or spaced in lowered


def _wanted(text: str, tools: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """Tools the user's words ask for, in the order asked; and whether every one was named."""
    named = [t for t in tools if names_tool(text, t["name"])]
    if named:
        return sorted(named, key=lambda t: _position(text, t["name"])), True
    name_words = [set(_content_words(t["name"])) for t in tools]
    described = [set(_content_words(str(t.get("description") or ""))) for t in tools]
    picked: list[dict[str, Any]] = []
    for word in _content_words(text):
        family = related(word)
        index = next((i for i, words in enumerate(name_words) if family & words), None)
        if index is None:
            index = next((i for i, words in enumerate(described) if family & words), None)
        if index is not None and tools[index] not in picked:
            picked.append(tools[index])
    return picked, False


def _position(text: str, name: str) -> int:
    lowered = text.lower()
    spaced = re.sub(r"[_\-]+", " ", name.lower())
    found = [i for i in (lowered.find(name.lower()), lowered.find(spaced)) if i >= 0]
    return min(found) if found else len(text)


def choose_tools(
    text: str, tools: list[dict[str, Any]], tool_choice: Any, parallel: bool = True
) -> ToolPick:
    """The tools to call for the user's ``text`` (maybe none), honouring ``tool_choice``."""
    available = function_tools(tools)
    if not available or tool_choice == "none":
        return ToolPick([], False)
    if isinstance(tool_choice, dict):  # a function by name, or an MCP server (and tool)
        kind, wanted = tool_choice.get("type", "function"), tool_choice.get("name")
        return ToolPick(
            [
                t
                for t in available
                if t.get("type", "function") == kind
                and (wanted is None or t["name"] == wanted)
                and t.get("server_label") == tool_choice.get("server_label")
            ][:1],
            False,
        )
    picked, named = _wanted(text, available)
    if not parallel:
        picked = picked[:1]
    if tool_choice == "required":
        return ToolPick(picked or available[:1], False)
    return ToolPick(picked, bool(picked) and not named)


_READING = {"get", "fetch", "find", "lookup", "look", "check", "read", "load", "query", "search"}


def _phrase(tool: dict[str, Any]) -> str:
    """What calling a tool does, from its name: ``get_weather`` → "check the weather",
    ``set_memory`` → "set the memory"."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", tool["name"])
    words = [w.lower() for w in re.split(r"[_\s\-]+", spaced) if w]
    verb = "check"
    if len(words) > 1 and words[0] not in _READING:
        verb = words[0]
    while len(words) > 1 and (words[0] in _READING or words[0] == verb):
        words = words[1:]
    return f"{verb} the {' '.join(words)}"


def preamble(tools: list[dict[str, Any]]) -> str:
    """The short message a model speaks before calling ``tools``."""
    phrases = [_phrase(t) for t in tools]
    if len(phrases) > 1:
        phrases = [", ".join(phrases[:-1]) + " and " + phrases[-1]]
    return f"Let me {phrases[0]} for you."
