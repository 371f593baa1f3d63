"""The nearest name the composer offers for an unknown client event type or field.

A field the other dialect spells differently (beta's ``modalities`` is GA's
``output_modalities``, beta's flat ``voice`` is GA's ``audio.output.voice``) is named from the
library's GA↔beta tables (``console.realtime.dialects``), which plain edit distance gets wrong;
a field only the other dialect has (beta's ``temperature``) is said to be so; anything else gets
difflib's nearest name, if one is near. ``foreign_keys`` is the same table seen from the
session's top level: ``SessionState`` uses it so that such a key marks no field of the form.
No Textual here.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from console.realtime.dialects import (
    BETA_ONLY_KEYS,
    GA_ALIASES,
    GA_AUDIO_PATHS,
    GA_ONLY_KEYS,
    Dialect,
)

DIALECT_NAMES: dict[Dialect, str] = {"ga": "GA", "beta": "beta"}
OTHER_DIALECT: dict[Dialect, Dialect] = {"ga": "beta", "beta": "ga"}
RENAMED_OBJECTS = frozenset({"session", "response"})
"""Paths of the objects whose fields the dialects name differently (the session, a response)."""


@functools.cache
def foreign_names(dialect: Dialect) -> dict[str, str]:
    """The other dialect's name of a session/response field -> ``dialect``'s path for it."""
    beta_to_ga = {flat: ga for ga, flat in GA_ALIASES.items()}
    beta_to_ga.update({flat: f"audio.{d}.{n}" for (d, n), flat in GA_AUDIO_PATHS.items()})
    if dialect == "ga":
        return beta_to_ga
    return {ga: flat for flat, ga in beta_to_ga.items()}


@functools.cache
def foreign_keys(dialect: Dialect) -> frozenset[str]:
    """The other dialect's top-level session keys for fields ``dialect`` spells differently:
    beta's ``voice``, ``modalities``... in GA; GA's ``output_modalities``, ``audio``... in beta."""
    return frozenset(name.split(".")[0] for name in foreign_names(dialect))


def closest(word: str, names: Iterable[Any]) -> str | None:
    """The name in ``names`` nearest to ``word`` (difflib), if any is near; non-strings skipped."""
    candidates = [name for name in names if isinstance(name, str)]
    matches = difflib.get_close_matches(word[:200], candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


def short_name(key: str) -> str:
    """A name as a message shows it: at most 60 characters."""
    return key if len(key) <= 60 else key[:59] + "…"


def unknown_type_text(
    event_type: str, dialect: Dialect, known: Iterable[str], other_known: Iterable[str]
) -> tuple[str, str | None]:
    """The message for a client event type ``dialect`` does not have, and the nearest type."""
    name = DIALECT_NAMES[dialect]
    if dialect == "ga" and event_type == "transcription_session.update":
        return (
            f"unknown event type {event_type!r} in GA; GA updates a transcription session "
            'with session.update (session.type "transcription")',
            "session.update",
        )
    if event_type in other_known:
        return f"{event_type!r} is a {DIALECT_NAMES[OTHER_DIALECT[dialect]]} event", None
    nearest = closest(event_type, known)
    hint = f"; did you mean {nearest}?" if nearest else ""
    return f"unknown event type {short_name(event_type)!r} in {name}{hint}", nearest


def unknown_field_text(
    path: str, key: str, value: Any, properties: Mapping[str, Any], dialect: Dialect
) -> tuple[str, str | None]:
    """The message for field ``key`` (holding ``value``) unknown to the object at ``path``,
    whose fields are ``properties``, and the nearest name."""
    renamed = _renamed(path, key, properties, dialect)
    flat = _flat_audio(value) if key == "audio" and dialect == "beta" else []
    if path in RENAMED_OBJECTS and flat:
        listed = ", ".join(flat[:6])
        return f"unknown field; beta spells audio settings flat: {listed}", flat[0].split(" ")[0]
    if renamed is not None:
        return f"unknown field; {DIALECT_NAMES[dialect]} names it {renamed}", renamed
    if path in RENAMED_OBJECTS and key in (BETA_ONLY_KEYS if dialect == "ga" else GA_ONLY_KEYS):
        return f"unknown field: only {DIALECT_NAMES[OTHER_DIALECT[dialect]]} has {key}", None
    nearest = closest(key, properties)
    return (f"unknown field; did you mean {nearest}?" if nearest else "unknown field"), nearest


def _renamed(path: str, key: str, properties: Mapping[str, Any], dialect: Dialect) -> str | None:
    """What ``dialect`` calls field ``key`` of the session or response object at ``path``."""
    if path not in RENAMED_OBJECTS:
        return None
    target = foreign_names(dialect).get(key)
    return target if target is not None and target.split(".")[0] in properties else None


def _flat_audio(value: Any) -> list[str]:
    """Beta's flat names of the GA ``audio`` settings in ``value``, as ``voice (audio...)``."""
    names = foreign_names("beta")
    if not isinstance(value, Mapping):
        return []
    return [
        f"{names[path]} ({path})"
        for direction, settings in value.items()
        if isinstance(settings, Mapping)
        for name in settings
        if (path := f"audio.{direction}.{name}") in names
    ]
