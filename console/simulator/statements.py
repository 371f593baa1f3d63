"""Statements in the user's words ("my favourite colour is green"), and the string properties of
a tool's schema they fill.

A statement is a clause of the form ``<subject> is <value>`` that is not a question: the subject
is the few words before the verb, back to the first filler word ("my", "that") or a word that
asks for a tool ("remember"); the value is the rest of the clause. A statement fills, in order:

1. a string property named like its subject (``favourite_colour`` ← "my favourite colour is
   green");
2. else a key/value pair of string properties (a property named ``key``, ``name``, ``field``…,
   or described as the key; and one named ``value``, ``content``, ``fact``…): the subject goes
   to the key and the value to the value.

How a string is written follows its property's description ("lowercase", "underscores",
"hyphens", "camelCase", "uppercase"): a model reads those words and complies.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .words import CUE_WORDS, QUESTION_WORDS, STOPWORDS

MAX_SUBJECT_WORDS = 4
MAX_VALUE_CHARS = 200
_COPULAS = {"is", "are", "was", "were", "equals"}
# Punctuation ends a clause where a space or the end follows it: "notes.txt", "2.5" and
# "https://…" stay whole values.
_CLAUSE_END = re.compile(r"[.!?;:,](?=\s|$)|\s(?:and|but|so|then)\s", re.IGNORECASE)
_APOSTROPHES = "'\u2019"  # ' and the typographic one
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_TOKEN = re.compile(rf"[^\W_][\w{_APOSTROPHES}\-]*")
_KEY_NAMES = {"key", "name", "field", "attribute", "property", "label", "slot", "topic", "id"}
_VALUE_NAMES = {"value", "content", "contents", "fact", "data", "text", "note", "info", "detail"}
_KEY_DESCRIBED = re.compile(r"^\W*(?:the\s+|a\s+)?(?:key|name|identifier)\b", re.IGNORECASE)


@dataclass
class Statement:
    """``subject`` words (lower-case, possessives dropped) and the ``value`` text."""

    subject: list[str]
    value: str
    words: list[str]  # every word of the statement as the user wrote it


def _words(name: str) -> list[str]:
    """The lower-case words of a property name (snake_case, kebab-case and camelCase split)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[\W_]+", spaced) if w]


def _subject_word(token: str) -> str:
    return re.sub(rf"[{_APOSTROPHES}]s$", "", token.lower())


def find_statements(text: str, exclude: set[str]) -> list[Statement]:
    """The statements in ``text``, in order; words in ``exclude`` (the tool's name) end a
    subject like filler words do."""
    stop = STOPWORDS | exclude | CUE_WORDS
    found: list[Statement] = []
    start = 0
    for end in [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]:
        clause, start = text[start:end], end + 1
        question = text[end : end + 1] == "?"
        tokens = list(_TOKEN.finditer(clause))
        verb = next((i for i, t in enumerate(tokens) if t.group().lower() in _COPULAS), None)
        if question or verb is None or verb == 0:
            continue
        if tokens[0].group().lower() in QUESTION_WORDS:
            continue
        subject: list[str] = []
        for token in reversed(tokens[:verb]):
            word = _subject_word(token.group())
            if word in stop or word in QUESTION_WORDS or len(subject) == MAX_SUBJECT_WORDS:
                break
            subject.insert(0, word)
        value = clause[tokens[verb].end() :].strip(" \t\n" + _QUOTES)[:MAX_VALUE_CHARS]
        if not subject or not value:
            continue
        words = [t.group() for t in tokens]
        found.append(Statement(subject, value, words))
    return found


def styled(schema: dict[str, Any], value: str) -> str:
    """``value`` written as the property's description asks (a key "in lowercase and
    underscores" becomes ``favourite_colour``); unchanged when it asks nothing."""
    description = str(schema.get("description") or "").lower()
    if not description:
        return value
    sep = None
    if re.search(r"underscore|snake", description):
        sep = "_"
    elif re.search(r"hyphen|kebab|dashes", description):
        sep = "-"
    if sep is not None or "camel" in description:
        folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        parts = [p for p in re.split(r"[^A-Za-z0-9]+", folded) if p] or [value]
        if sep is None:
            value = parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])
        else:
            value = sep.join(parts)
    if re.search(r"lower[\s_-]?case|snake|kebab", description):
        value = value.lower()
    elif re.search(r"upper[\s_-]?case|capital letters", description):
        value = value.upper()
    return value


def _key_like(name: str, schema: dict[str, Any]) -> bool:
    return bool(set(_words(name)) & _KEY_NAMES) or bool(
        _KEY_DESCRIBED.search(str(schema.get("description") or ""))
    )


def _value_like(name: str) -> bool:
    return bool(set(_words(name)) & _VALUE_NAMES)


def assign(strings: dict[str, dict[str, Any]], statements: list[Statement]) -> dict[str, str]:
    """Values for some of the ``strings`` properties (name → resolved schema) from
    ``statements``; the statements used are removed from the list."""
    out: dict[str, str] = {}
    for statement in list(statements):
        named = next((n for n in strings if n not in out and _words(n) == statement.subject), None)
        if named is not None:
            out[named] = styled(strings[named], statement.value)
            statements.remove(statement)
    free = [n for n in strings if n not in out]
    values = [n for n in free if _value_like(n)]
    keys = [n for n in free if n not in values and _key_like(n, strings[n])]
    if statements and keys and values:
        statement = statements.pop(0)
        out[keys[0]] = styled(strings[keys[0]], " ".join(statement.subject))
        out[values[0]] = styled(strings[values[0]], statement.value)
    return out
