"""Function-call arguments that validate against a tool's JSON Schema.

Values come from the user's words where possible (statements such as "my name is Bob" for
string properties named like their subject or for a key/value pair, see :mod:`.statements`;
numbers in order of appearance, written as integers when integral; a path, file name or URL,
whole, for a string property named or described like one, see :mod:`.path_words`; words and
capitalised names for strings, never the words that name the tool; enum members the user
mentioned), else from ``default``, ``examples``/``example``, ``const``/``enum`` or a
type-appropriate placeholder; a string is written as its description asks ("lowercase"). Supported:
object/array/string/number/integer/boolean/null, ``enum`` (matched on word boundaries),
``const``, ``anyOf``/``oneOf`` (first usable branch), ``allOf`` (merged), local ``$ref``, numeric
bounds and ``multipleOf``, string and array length limits, ``format`` (fixed valid values) and
``pattern`` (see :mod:`.string_values`); an optional string nothing fits is left out.
"""

from __future__ import annotations

import math
import re
from typing import Any

from . import path_words
from .statements import Statement, assign, find_statements, styled
from .string_values import FORMATS, from_pattern, matches
from .words import CUE_WORDS, STOPWORDS

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORD = re.compile(r"[^\W\d_][\w'\-]*")  # Unicode letters: "Zürich", "日本"
_MISSING = object()  # no value fits: leave an optional property out
MAX_PATTERN_WORDS = 50  # user words tried against a pattern
MAX_PATTERN_WORD = 24  # longer words are not tried (bounds regex backtracking)


class _Source:
    """The user's statements, numbers and words, handed out in order."""

    def __init__(self, text: str, exclude: set[str]) -> None:
        self.text = text
        self.statements = find_statements(text, exclude)
        self.numbers = [float(n) for n in _NUMBER.findall(text)]
        self.paths = path_words.find_paths(text)
        words = [w for w in _WORD.findall(text) if w.lower() not in STOPWORDS]
        exclude = exclude | CUE_WORDS
        words = [w for w in words if not _names_tool(w, exclude)]
        # Prefer capitalised names (not sentence-initial), then other words.
        names = [w for i, w in enumerate(words) if w[0].isupper() and (i > 0 or len(words) == 1)]
        self.words = names + [w for w in words if w not in names]

    def number(self) -> float | None:
        return self.numbers.pop(0) if self.numbers else None

    def word(self) -> str | None:
        return self.words.pop(0) if self.words else None

    def path(self, kind: str) -> str | None:
        """A path-like token for a ``kind`` parameter; its words are not handed out again."""
        chosen = path_words.pick(self.paths, kind)
        if chosen is not None:
            taken = {w.lower() for w in _WORD.findall(chosen)}
            self.words = [w for w in self.words if w.lower() not in taken]
        return chosen

    def used(self, statement: Statement) -> None:
        """A statement filled properties: its words are not handed out again."""
        taken = {w.lower() for w in statement.words}
        self.words = [w for w in self.words if w.lower() not in taken]


def _names_tool(word: str, exclude: set[str]) -> bool:
    """Whether ``word`` is a filler word or names the tool ("delete_file", "delete-file")."""
    lowered = word.lower()
    parts = [p for p in re.split(r"[_\-]+", lowered) if p]
    return lowered in exclude or (bool(parts) and all(p in exclude for p in parts))


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` and merge ``allOf``; non-objects become ``{}``."""
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        merged = dict(_resolve(target, root))
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        schema = merged
    if isinstance(schema.get("allOf"), list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for sub in schema["allOf"]:
            sub = _resolve(sub, root)
            props = {**merged.get("properties", {}), **sub.get("properties", {})}
            required = [*merged.get("required", []), *sub.get("required", [])]
            merged.update(sub)
            if props:
                merged["properties"] = props
            if required:
                merged["required"] = required
        schema = merged
    resolved: dict[str, Any] = schema
    return resolved


def _type_of(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"] or kind
        return str(kinds[0]) if kinds else None
    if kind is None and "properties" in schema:
        return "object"
    return kind if isinstance(kind, str) else None


def _example(schema: dict[str, Any]) -> tuple[bool, Any]:
    """A value the schema itself offers: const, default, examples, example."""
    if "const" in schema:
        return True, schema["const"]
    if "default" in schema:
        return True, schema["default"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    if "example" in schema:
        return True, schema["example"]
    return False, None


def _number(schema: dict[str, Any], source: _Source, integer: bool) -> float | int:
    value = source.number()
    if value is None:
        found, example = _example(schema)
        value = float(example) if found and isinstance(example, int | float) else 1.0
    lo = schema.get("minimum")
    hi = schema.get("maximum")
    xlo = schema.get("exclusiveMinimum")
    xhi = schema.get("exclusiveMaximum")
    step = 1.0 if integer else 1e-6
    if isinstance(xlo, int | float):
        lo = max(lo, xlo + step) if isinstance(lo, int | float) else xlo + step
    if isinstance(xhi, int | float):
        hi = min(hi, xhi - step) if isinstance(hi, int | float) else xhi - step
    if isinstance(lo, int | float):
        value = max(value, lo)
    if isinstance(hi, int | float):
        value = min(value, hi)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0:
        value = math.ceil(value / multiple) * multiple
        if isinstance(hi, int | float) and value > hi:
            value -= multiple
    if integer:
        rounded = math.ceil(value) if isinstance(lo, int | float) and value < lo else round(value)
        return int(rounded)
    # A model writes 2, not 2.0; JSON Schema's "number" (and a float parameter) accepts it.
    return int(value) if float(value).is_integer() else value


def _fit_length(schema: dict[str, Any], value: str) -> str:
    min_len = schema.get("minLength")
    max_len = schema.get("maxLength")
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    if isinstance(max_len, int) and len(value) > max_len:
        value = value[:max_len]
    return value


def _length_ok(schema: dict[str, Any], value: str) -> bool:
    min_len = schema.get("minLength")
    max_len = schema.get("maxLength")
    return not (
        (isinstance(min_len, int) and len(value) < min_len)
        or (isinstance(max_len, int) and len(value) > max_len)
    )


def _constrained_string(schema: dict[str, Any], source: _Source) -> Any:
    """A string under ``pattern``/``format``: a fitting user word, example, or generated value."""
    pattern = schema.get("pattern")
    fmt = schema.get("format")
    found, example = _example(schema)
    candidates: list[Any] = []
    if isinstance(pattern, str):
        words = (w for w in source.words[:MAX_PATTERN_WORDS] if len(w) <= MAX_PATTERN_WORD)
        candidates += [next((w for w in words if matches(pattern, w)), None)]
    if found:
        candidates.append(example)
    if isinstance(schema.get("examples"), list):
        candidates += schema["examples"]
    if isinstance(fmt, str) and fmt in FORMATS:
        candidates.append(FORMATS[fmt])
    if isinstance(pattern, str):
        candidates.append(from_pattern(pattern, lambda value: _length_ok(schema, value)))
    for value in candidates:
        if not isinstance(value, str) or not _length_ok(schema, value):
            continue
        if isinstance(pattern, str) and not matches(pattern, value):
            continue
        if value in source.words:
            source.words.remove(value)
        return value
    return _MISSING


def _string(schema: dict[str, Any], source: _Source, name: str) -> Any:
    if isinstance(schema.get("pattern"), str) or schema.get("format") in FORMATS:
        return _constrained_string(schema, source)
    kind = path_words.wanted(name, schema)
    if kind is not None:
        path = source.path(kind)
        if path is not None and _length_ok(schema, path):
            return path  # whole and as written: no styling
    found, example = _example(schema)
    value = source.word()
    if value is None:
        value = str(example) if found else "example"
    return _fit_length(schema, styled(schema, value))


def _mentioned(option: Any, text: str) -> bool:
    """Whether ``text`` names ``option`` as a whole word (not inside a longer word)."""
    if isinstance(option, bool) or not isinstance(option, str | int | float):
        return False
    word = str(option).strip()
    if not word:
        return False
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def _enum(options: list[Any], source: _Source) -> Any:
    """The first option the user named as a whole word, else the first option."""
    return next((o for o in options if _mentioned(o, source.text)), options[0])


def _value(schema: Any, source: _Source, root: dict[str, Any], depth: int, name: str = "") -> Any:
    """A value for ``schema``; ``name`` is the property's (it may ask for a path or URL)."""
    schema = _resolve(schema, root)
    if depth > 8:
        return None
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _enum(schema["enum"], source)
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            branches = [_resolve(b, root) for b in schema[key]]
            usable = [b for b in branches if _type_of(b) != "null"] or branches
            for branch in usable:
                value = _value(branch, source, root, depth + 1, name)
                if value is not _MISSING:
                    return value
            return _MISSING
    kind = _type_of(schema)
    if kind == "object":
        return _object(schema, source, root, depth)
    if kind == "array":
        count = max(int(schema.get("minItems", 1) or 0), 1)
        if isinstance(schema.get("maxItems"), int):
            count = min(count, schema["maxItems"])
        items_schema = schema.get("items", {})
        items = [_value(items_schema, source, root, depth + 1, name) for _ in range(count)]
        if any(item is _MISSING for item in items):
            if not schema.get("minItems"):
                return []
            items = [_fallback(schema.get("items", {}), root) for _ in range(count)]
        return items
    if kind == "string":
        return _string(schema, source, name)
    if kind == "integer":
        return _number(schema, source, integer=True)
    if kind == "number":
        return _number(schema, source, integer=False)
    if kind == "boolean":
        found, example = _example(schema)
        if found and isinstance(example, bool):
            return example
        return not re.search(r"\b(no|false|off|disable)\b", source.text.lower())
    if kind == "null":
        return None
    found, example = _example(schema)
    return example if found else source.word() or "example"


def _fallback(schema: Any, root: dict[str, Any]) -> Any:
    """Best effort for a required value nothing fits (a pattern the generator cannot read)."""
    schema = _resolve(schema, root)
    found, example = _example(schema)
    return example if found else _fit_length(schema, "example")


def _object(schema: dict[str, Any], source: _Source, root: dict[str, Any], depth: int) -> Any:
    properties = schema.get("properties")
    out: dict[str, Any] = {}
    required = schema.get("required", []) or []
    if isinstance(properties, dict):
        stated = _from_statements(properties, source, root)
        for name, sub in properties.items():
            value = stated[name] if name in stated else _value(sub, source, root, depth + 1, name)
            if value is not _MISSING:
                out[name] = value
            elif name in required:
                out[name] = _fallback(sub, root)
    for name in required:
        if name not in out:
            out[name] = source.word() or "example"
    return out


def _from_statements(
    properties: dict[str, Any], source: _Source, root: dict[str, Any]
) -> dict[str, str]:
    """Plain string properties the user's statements fill (see :mod:`.statements`)."""
    if not source.statements:
        return {}
    strings: dict[str, dict[str, Any]] = {}
    for name, sub in properties.items():
        schema = _resolve(sub, root)
        plain = not any(k in schema for k in ("enum", "const", "pattern", "format"))
        if plain and _type_of(schema) == "string":
            strings[name] = schema
    before = list(source.statements)
    stated = assign(strings, source.statements)
    for statement in before:
        if statement not in source.statements:
            source.used(statement)
    return {n: v for n, v in stated.items() if _length_ok(strings[n], v)}


def fill_arguments(parameters: Any, text: str, tool_name: str = "") -> dict[str, Any]:
    """Arguments for a tool whose ``parameters`` schema is given, drawn from ``text``."""
    root = parameters if isinstance(parameters, dict) else {}
    exclude = {p.lower() for p in re.split(r"[_\W]+", tool_name) if p}
    if tool_name:
        exclude.add(tool_name.lower())  # "delete_file" is one word to the word pattern
    source = _Source(text, exclude)
    value = _value(root or {"type": "object"}, source, root, 0)
    return value if isinstance(value, dict) else {}
