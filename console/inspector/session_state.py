"""The session diff: what the client asked for, what the server acknowledged, and per field what
became of each request (applied, changed by the server, refused, or still pending).

Fed every ``realtime.event`` record (``observe``), O(1)-ish per event and bounded (the latest
status per field, a few recent requests). Fields are named dialect-neutrally so a pane needs no
dialect knowledge: GA's nested ``audio.output.voice`` and beta's flat ``voice`` both become
``voice``. The GA↔flat path table is the library's (``console.realtime.dialects``); this module
only renames two flat keys to the names the GA docs and the console use (``output_modalities``,
``max_output_tokens``).

Given the connection's dialect, a key that is the *other* dialect's spelling of a field (GA's
``output_modalities`` sent to beta, beta's ``modalities`` or ``voice`` sent to GA, as a raw event
from the composer may) is not that field: the server refuses it as an unknown parameter, so it
is named by its wire path (``session.modalities``) and its refusal marks no field of the form,
which the user never edited and the event never carried.

Matching follows the server's rules, as ``console.realtime.tracking.SessionUpdates`` does: the
server answers updates in order, so ``session.updated`` settles the oldest pending
``session.update``; an ``error`` whose ``event_id`` names an update refuses all of it.
"""

from __future__ import annotations

import copy
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# The GA<->flat tables are the library's; reused rather than copied, though module-private there.
from console.realtime.dialects import (
    GA_ALIASES,
    GA_AUDIO_PATHS,
    Dialect,
    SessionConfigError,
    fold_session_update,
)
from console.realtime.mcp_tools import SECRET_FIELDS, is_mcp_tool

from .event_names import foreign_keys

FieldState = Literal["applied", "changed", "refused", "pending"]

NEUTRAL_NAMES: dict[str, str] = {
    "modalities": "output_modalities",
    "max_response_output_tokens": "max_output_tokens",
}
"""Flat (library) key -> the console's field name, where they differ."""

UPDATES = frozenset({"session.update", "transcription_session.update"})
"""The client's session updates; beta's transcription sessions take the second."""
SETTLES = frozenset({"session.updated", "transcription_session.updated"})
ACKNOWLEDGEMENTS = SETTLES | {"session.created", "transcription_session.created"}
"""The server's session objects (beta's transcription sessions say ``transcription_session``)."""

_META_KEYS = frozenset({"id", "object", "expires_at", "client_secret", "type"})
_MAX_PENDING = 64
_MAX_REQUESTS = 32


@dataclass(frozen=True, slots=True)
class FieldStatus:
    """What became of the latest request to change one field."""

    name: str
    state: FieldState
    requested: Any
    acknowledged: Any = None
    """The server's value after the update (``session.updated``), when there is one."""
    code: str | None = None
    reason: str | None = None
    """The server's message when it refused the update."""
    param: str | None = None
    """The parameter the server blamed (e.g. ``session.audio.output.voice``)."""
    culprit: bool = False
    """True when the refusal's ``param`` names this very field."""
    event_id: str | None = None
    blamed: str | None = None
    """The field the refusal's ``param`` names (``field_of_param``), in this state's dialect."""


def neutral_name(flat_key: str) -> str:
    """The console's name for a flat session key (``modalities`` -> ``output_modalities``)."""
    return NEUTRAL_NAMES.get(flat_key, flat_key)


def neutral_value(flat_key: str, value: Any) -> Any:
    """``value`` in one shape whatever the dialect (formats as ``pcm16``, modalities GA-style,
    ``tool_choice`` as a mode or a function name); values the library cannot read stay as is."""
    try:
        value = fold_session_update({flat_key: value})[flat_key]
    except (SessionConfigError, TypeError, KeyError):
        value = copy.deepcopy(value)
    if flat_key == "modalities" and isinstance(value, list):
        return ["audio"] if "audio" in value else ["text"]
    if flat_key == "tool_choice" and isinstance(value, Mapping) and value.get("type") == "function":
        return value.get("name")
    return value


def neutral_fields(session: Mapping[str, Any], dialect: Dialect | None = None) -> dict[str, Any]:
    """``{field name: value}`` of a ``session`` object or ``session.update`` payload (GA or beta).

    Metadata (``id``, ``object``, ``expires_at``, ``type``...) is left out; unknown keys keep
    their wire path (``audio.input.foo``). With ``dialect``, the other dialect's spelling of a
    field is named as the server's ``param`` names it (``session.modalities`` in GA); without,
    both spellings are read as the field.
    """
    fields: dict[str, Any] = {}
    foreign = foreign_keys(dialect) if dialect else frozenset()
    for key, value in session.items():
        if key in _META_KEYS:
            continue
        if key in foreign:
            fields[f"session.{key}"] = copy.deepcopy(value)
            continue
        if key == "audio" and isinstance(value, Mapping):
            for direction, settings in value.items():
                if not isinstance(settings, Mapping):
                    continue
                for name, setting in settings.items():
                    flat = GA_AUDIO_PATHS.get((direction, name))
                    if flat is None:
                        fields[f"audio.{direction}.{name}"] = copy.deepcopy(setting)
                    else:
                        fields[neutral_name(flat)] = neutral_value(flat, setting)
            continue
        flat = GA_ALIASES.get(key, key)
        fields[neutral_name(flat)] = neutral_value(flat, value)
    return fields


def field_of_param(param: str | None, dialect: Dialect | None = None) -> str | None:
    """The field an error's ``param`` blames: ``session.audio.output.voice`` -> ``voice``,
    ``session.tools[0].name`` -> ``tools``; ``None`` when it names no session field. With
    ``dialect``, the other dialect's spelling keeps its wire name, as in ``neutral_fields``
    (``session.modalities`` in GA)."""
    if not param:
        return None
    path = param.removeprefix("session.").replace("[", ".").split(".")
    if dialect and path[0] in foreign_keys(dialect):
        return f"session.{path[0]}"
    if path[0] == "audio" and len(path) >= 3:
        flat = GA_AUDIO_PATHS.get((path[1], path[2]))
        return neutral_name(flat) if flat else ".".join(path[:3])
    return neutral_name(GA_ALIASES.get(path[0], path[0]))


def matches(requested: Any, acknowledged: Any) -> bool:
    """Whether the server kept what was asked: objects compare on the keys that were sent (keys
    the server adds are not a change), lists item by item, the rest by equality. An MCP tool's
    secrets (``headers``, ``authorization``) are sent and never echoed: their absence is no
    change."""
    if isinstance(requested, Mapping):
        unechoed = SECRET_FIELDS if is_mcp_tool(requested) else frozenset()
        return isinstance(acknowledged, Mapping) and all(
            (key in acknowledged and matches(value, acknowledged[key]))
            or (key in unechoed and key not in acknowledged)
            for key, value in requested.items()
        )
    if isinstance(requested, list):
        return (
            isinstance(acknowledged, list)
            and len(requested) == len(acknowledged)
            and all(matches(r, a) for r, a in zip(requested, acknowledged, strict=True))
        )
    return bool(requested == acknowledged)


class SessionState:
    """The session as requested and as acknowledged, with a status per changed field."""

    def __init__(self, dialect: Dialect | None = None) -> None:
        self.dialect = dialect
        """The connection's wire dialect, by which requests are named (see ``neutral_fields``);
        None reads both spellings (a replayed recording's dialect is not known)."""
        self.version = 0
        """Bumped on every change; a pane redraws when it differs from what it last saw."""
        self.acknowledged: dict[str, Any] | None = None
        """The last ``session`` object of ``session.created``/``session.updated``, as sent."""
        self.acknowledged_fields: dict[str, Any] = {}
        """``acknowledged`` by field name (see ``neutral_fields``)."""
        self.requests: deque[dict[str, Any]] = deque(maxlen=_MAX_REQUESTS)
        """The most recent session updates sent, in the wire dialect, oldest first."""
        self._pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._status: dict[str, FieldStatus] = {}

    @property
    def last_request(self) -> dict[str, Any] | None:
        """The last ``session.update`` sent (the whole event), if any."""
        return self.requests[-1] if self.requests else None

    @property
    def session_id(self) -> str | None:
        """The acknowledged session's id."""
        value = (self.acknowledged or {}).get("id")
        return value if isinstance(value, str) else None

    def field_status(self) -> dict[str, FieldStatus]:
        """The latest status of every field the client asked to change (a copy)."""
        return dict(self._status)

    def clear(self) -> None:
        """Forget everything (a new connection, a cleared recording)."""
        self.acknowledged = None
        self.acknowledged_fields = {}
        self.requests.clear()
        self._pending.clear()
        self._status.clear()
        self.version += 1

    def observe(self, source: str, event: Mapping[str, Any]) -> None:
        """Take one event as the client's ``realtime.event`` reports it."""
        kind = event.get("type")
        if source == "client" and kind in UPDATES:
            self._sent(event)
        elif source == "server" and kind in ACKNOWLEDGEMENTS:
            session = event.get("session")
            if isinstance(session, Mapping):
                self._acknowledge(session, settles=kind in SETTLES)
        elif source == "server" and kind == "error":
            error = event.get("error")
            if isinstance(error, Mapping) and error.get("event_id") in self._pending:
                self._refused(error)

    # -- the three outcomes ------------------------------------------------------------------

    def _sent(self, event: Mapping[str, Any]) -> None:
        session = event.get("session")
        event_id = event.get("event_id")
        if not isinstance(session, Mapping) or not isinstance(event_id, str):
            return
        self.requests.append(copy.deepcopy(dict(event)))
        requested = neutral_fields(session, self.dialect)
        self._pending[event_id] = requested
        while len(self._pending) > _MAX_PENDING:
            self._pending.popitem(last=False)
        for name, value in requested.items():
            self._status[name] = FieldStatus(name, "pending", value, event_id=event_id)
        self.version += 1

    def _acknowledge(self, session: Mapping[str, Any], *, settles: bool) -> None:
        previous_id = self.session_id
        self.acknowledged = copy.deepcopy(dict(session))
        self.acknowledged_fields = neutral_fields(session)  # a server speaks its own dialect
        if not settles and previous_id is not None and previous_id != self.session_id:
            # A new session: earlier outcomes no longer describe it (pending ones still may).
            self._status = {n: s for n, s in self._status.items() if s.state == "pending"}
        if settles and self._pending:
            event_id, requested = self._pending.popitem(last=False)
            for name, value in requested.items():
                if self._latest_request(name) != event_id:
                    continue
                acknowledged = self.acknowledged_fields.get(name)
                state: FieldState = "applied" if matches(value, acknowledged) else "changed"
                self._status[name] = FieldStatus(
                    name, state, value, acknowledged, event_id=event_id
                )
        self.version += 1

    def _refused(self, error: Mapping[str, Any]) -> None:
        event_id = str(error.get("event_id"))
        requested = self._pending.pop(event_id)
        param = error.get("param")
        param = param if isinstance(param, str) else None
        blamed = field_of_param(param, self.dialect)
        for name, value in requested.items():
            if self._latest_request(name) != event_id:
                continue
            self._status[name] = FieldStatus(
                name,
                "refused",
                value,
                self.acknowledged_fields.get(name),
                code=str(error.get("code") or error.get("type") or "error"),
                reason=str(error.get("message") or ""),
                param=param,
                culprit=blamed == name,
                event_id=event_id,
                blamed=blamed,
            )
        self.version += 1

    def _latest_request(self, name: str) -> str | None:
        status = self._status.get(name)
        return status.event_id if status else None
