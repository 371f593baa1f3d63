"""Paths, file names and URLs in the user's words, and the string parameters that want one.

A model asked to "delete_file /tmp/secret.txt" passes ``/tmp/secret.txt`` whole to the tool's
``path`` parameter, not one of its words. A token is path-like when it contains ``://`` or ``/``
or ends in a file extension (``notes.txt``; a number such as ``2.5`` is not one); quotes and the
punctuation that ends a sentence are stripped. A parameter wants one when its name (split on
``_``, ``-`` and camelCase) or its description names a path, file, directory or URL. URL-like
tokens go first to URL parameters, file-like ones to the others. Used by :mod:`.tool_args`.
"""

from __future__ import annotations

import re
from typing import Any

MAX_PATHS = 20  # path-like tokens kept from one message
_EXTENSION = re.compile(r"\w\.[A-Za-z][A-Za-z0-9]{0,7}$")  # "notes.txt", not "2.5"
_STRIP = "\"'`()[]{}<>,;:!?."  # around a token; a path's own dots and slashes stay inside
_URL_WORDS = frozenset({"url", "uri", "link", "href", "endpoint", "website", "site"})
_PATH_WORDS = frozenset(
    {"path", "file", "filename", "filepath", "dir", "directory", "folder"} | _URL_WORDS
)
_DESCRIPTION = re.compile(
    r"\b(path|file|filename|directory|folder|url|uri|link)s?\b", re.IGNORECASE
)


def find_paths(text: str) -> list[str]:
    """The path-like tokens of ``text``, in order (at most :data:`MAX_PATHS`)."""
    found: list[str] = []
    for raw in text.split():
        token = raw.strip(_STRIP)
        slashed = "/" in token and token.strip("/") != ""  # not a lone "/"
        if "://" in token or slashed or _EXTENSION.search(token):
            found.append(token)
            if len(found) >= MAX_PATHS:
                break
    return found


def is_url(token: str) -> bool:
    return "://" in token or token.lower().startswith("www.")


def _name_parts(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    parts = {p.lower() for p in re.split(r"[_\-\s]+", spaced) if p}
    return parts | {p[:-1] for p in parts if p.endswith("s")}  # "paths", "files"


def wanted(name: str, schema: dict[str, Any]) -> str | None:
    """``"url"`` or ``"path"`` if the parameter asks for one (by name or description), else None."""
    parts = _name_parts(name)
    description = schema.get("description")
    text = description if isinstance(description, str) else ""
    title = schema.get("title")
    if isinstance(title, str):
        parts |= _name_parts(title)
    if parts & _URL_WORDS:
        return "url"
    if parts & _PATH_WORDS:
        return "path"
    match = _DESCRIPTION.search(text)
    if match is None:
        return None
    return "url" if match.group(1).lower() in {"url", "uri", "link"} else "path"


def pick(paths: list[str], kind: str) -> str | None:
    """Take the path that suits ``kind`` (URLs first for a URL, files first otherwise)."""
    if not paths:
        return None
    preferred = [p for p in paths if is_url(p) == (kind == "url")]
    chosen = preferred[0] if preferred else paths[0]
    paths.remove(chosen)
    return chosen
