"""``SessionSettings``: the client's session configuration and tools, one owner for both.

``RealtimeClient.update_session``, ``add_tool``/``remove_tool`` and ``add_mcp_tool``/
``remove_mcp_tool`` change them here; this object sends the ``session.update`` events,
remembers which ones the server has not answered, and undoes the fields of one it rejects (the
client's event routing only reports the answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .api import RealtimeAPI
from .dialect_payloads import session_update_payload, transcription_update
from .dialects import (
    SessionConfigError,
    default_session_config,
    fold_session_update,
    server_session_fields,
)
from .mcp_tools import check_mcp_tool, is_mcp_tool
from .tools import ToolHandler
from .tracking import UNSET, SessionUpdates
from .utils import generate_id

MAX_FOREIGN_UPDATES = 64
"""Ids of other senders' session updates remembered (``SessionSettings.foreign_updates``)."""


class SessionSettings:
    """The flat session configuration (``config``), registered tools and pending updates."""

    def __init__(self, realtime: RealtimeAPI) -> None:
        self._realtime = realtime
        self.config: dict[str, Any] = self._initial_config()
        self.known = not self._attached
        """Whether ``config`` describes the session: attached to a call, only once the server
        has said what the call's session is (``adopt``); the sideband gets no
        ``session.created``, so until the next ``session.updated`` nothing is known."""
        self.tools: dict[str, dict[str, Any]] = {}
        self.mcp_tools: dict[str, dict[str, Any]] = {}
        """MCP tools added with ``add_mcp_tool``, by server label (sent with every tool list)."""
        self._explicit_keys: set[str] = set()
        self._updates = SessionUpdates()
        self.foreign_updates: dict[str, None] = {}
        """Ids of the latest session updates sent on the socket but not by this object (raw
        events), oldest first, at most ``MAX_FOREIGN_UPDATES``."""

    @property
    def _attached(self) -> bool:
        return self._realtime.attach_call_id is not None

    def _initial_config(self) -> dict[str, Any]:
        """The defaults; attached to a call, nothing (its session is not ours to invent)."""
        return {} if self._attached else default_session_config()

    def reset(self) -> None:
        """Back to the defaults, without tools (``RealtimeClient.reset``)."""
        self.config = self._initial_config()
        self.known = not self._attached
        self.tools = {}
        self.mcp_tools = {}
        self._explicit_keys = set()
        self._updates.clear()
        self.foreign_updates = {}

    def turn_detection_type(self) -> str | None:
        """``server_vad``, ``semantic_vad`` or ``None`` (manual, push-to-talk)."""
        turn_detection = self.config.get("turn_detection")
        return turn_detection.get("type") if turn_detection else None

    def update(self, session: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> None:
        """``RealtimeClient.update_session``: apply locally, send what changed when connected."""
        flat = fold_session_update({**(session or {}), **fields})
        tools = self._session_tools(flat.get("tools", self.config.get("tools", [])))
        changes = {key: (self.config.get(key, UNSET), value) for key, value in flat.items()}
        self.config.update(flat)
        self._explicit_keys.update(flat)
        if not self._realtime.is_connected():
            return
        if flat:
            self._send(flat, tools if "tools" in flat else None, changes)
        elif not self._attached:  # attached, the whole configuration is the call's, not ours
            self._send(self.config, tools, {})

    def add_tool(self, definition: Mapping[str, Any], handler: ToolHandler) -> dict[str, Any]:
        """``RealtimeClient.add_tool``."""
        name = definition.get("name")
        if not name:
            raise ValueError("Missing tool name in definition")
        if name in self.tools:
            raise ValueError(
                f'Tool "{name}" already added. '
                f'Please use .remove_tool("{name}") before trying to add again.'
            )
        if not callable(handler):
            raise TypeError(f'Tool "{name}" handler must be a function')
        if any(t.get("name") == name for t in self.config.get("tools", [])):
            raise ValueError(f'Tool "{name}" has already been defined')
        self.tools[name] = {"definition": dict(definition), "handler": handler}
        self._sync_tools()
        return self.tools[name]

    def remove_tool(self, name: str) -> None:
        """``RealtimeClient.remove_tool``."""
        if name not in self.tools:
            raise ValueError(f'Tool "{name}" does not exist, can not be removed.')
        del self.tools[name]
        self._sync_tools()

    def add_mcp_tool(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        """``RealtimeClient.add_mcp_tool``: checked (``SessionConfigError``), label unique."""
        checked = self._check_mcp(definition)
        label = checked["server_label"]
        manual = self.config.get("tools", [])
        if label in self.mcp_tools or any(
            is_mcp_tool(t) and t.get("server_label") == label for t in manual
        ):
            raise ValueError(f'MCP server "{label}" already added; remove it first')
        self.mcp_tools[label] = checked
        self._sync_tools()
        return checked

    def remove_mcp_tool(self, label: str) -> None:
        """``RealtimeClient.remove_mcp_tool``."""
        if label not in self.mcp_tools:
            raise ValueError(f'MCP server "{label}" was not added, can not be removed.')
        del self.mcp_tools[label]
        self._sync_tools()

    # -- the server's answers ----------------------------------------------------------------

    def seen(self, event: Mapping[str, Any]) -> None:
        """A session update went out on the socket (``client.session.update``): one that is not
        ours (a raw event) is remembered, so that its answer is told from ours."""
        event_id = event.get("event_id")
        if isinstance(event_id, str) and self._updates.seen(event_id):
            self.foreign_updates[event_id] = None
            while len(self.foreign_updates) > MAX_FOREIGN_UPDATES:
                del self.foreign_updates[next(iter(self.foreign_updates))]

    def accepted(self, session: Any) -> None:
        """``session.updated``: the oldest pending update was applied. When it was not ours (a
        raw ``session.update``, or the server's own change), the server's session is the
        configuration now: it is adopted, except the fields our later updates still change."""
        if self._updates.accepted() or not isinstance(session, Mapping):
            return
        self.adopt(session, keep=self._updates.pending_keys())

    def rejected(self, event_id: str) -> None:
        """The server rejected a client event: if it was an update, undo its fields locally
        (unless changed again since)."""
        for key, (old, new) in self._updates.rejected(event_id).items():
            if self.config.get(key, UNSET) != new:
                continue
            if old is UNSET:
                self.config.pop(key, None)
            else:
                self.config[key] = old

    def adopt(self, session: Mapping[str, Any], keep: Iterable[str] = ()) -> None:
        """Take the server's session as the configuration (attached to a call made elsewhere,
        or connected with an ephemeral secret: the session is given, and the editor starts from
        what it is; or updated by someone else). Tools registered with ``add_tool`` stay in
        ``tools``, not the config; the fields in ``keep`` are left as they are."""
        fields = server_session_fields(session)
        for key in keep:
            fields.pop(key, None)
        if isinstance(fields.get("tools"), list):
            fields["tools"] = [
                t
                for t in fields["tools"]
                if not (isinstance(t, Mapping) and t.get("name") in self.tools)
                and not (is_mcp_tool(t) and t.get("server_label") in self.mcp_tools)
            ]
        self.config.update(fields)
        self.known = True

    def send_on_connect(self, *, given: bool) -> None:
        """What ``connect`` sends: the whole configuration, or, when the session is ``given``
        (an ephemeral secret carries it), only the fields the caller set explicitly and the
        registered tools -- nothing at all when there are neither."""
        if not given:
            self.update(None, {})
            return
        fields = {key: self.config[key] for key in self._explicit_keys if key in self.config}
        manual = fields.get("tools", [])
        registered = self.tools or self.mcp_tools
        tools = self._session_tools(manual) if ("tools" in fields or registered) else None
        if fields or tools is not None:
            self._send(fields, tools, {})

    def forget_pending(self) -> None:
        """The connection closed: no answer will come."""
        self._updates.clear()

    # -- sending -----------------------------------------------------------------------------

    def _send(
        self,
        fields: Mapping[str, Any],
        tools: list[dict[str, Any]] | None,
        changes: dict[str, tuple[Any, Any]],
    ) -> None:
        """Send ``fields`` (and ``tools``, unless None); undo ``changes`` if it is rejected.
        A transcription session gets only its own fields, and no tools."""
        if self._realtime.intent == "transcription":
            update = transcription_update(fields, self._realtime.dialect)
            if update is None:
                return
            event_type, payload = update
        else:
            explicit = frozenset(self._explicit_keys & set(fields))
            payload = session_update_payload(fields, tools, self._realtime.dialect, explicit)
            event_type = "session.update"
        event_id = generate_id("evt_")
        self._updates.sent(event_id, changes)  # before it is seen going out: ours
        try:
            self._realtime.send(event_type, {"event_id": event_id, "session": payload})
        except BaseException:
            self._updates.rejected(event_id)
            raise

    def _sync_tools(self) -> None:
        """Send the tool list alone (after ``add_tool``/``remove_tool``)."""
        if self._realtime.is_connected():
            self._send({}, self._session_tools(self.config.get("tools", [])), {})

    def _check_mcp(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        if self._realtime.dialect == "beta":
            raise SessionConfigError("MCP tools are part of the GA protocol; beta has none")
        return check_mcp_tool(definition)

    def _session_tools(self, manual_tools: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Manual tools (MCP ones checked), then ``add_tool`` and ``add_mcp_tool`` tools."""
        tools: list[dict[str, Any]] = []
        for definition in manual_tools:
            if is_mcp_tool(definition):
                label = self._check_mcp(definition)["server_label"]
                if label in self.mcp_tools or any(
                    is_mcp_tool(t) and t.get("server_label") == label for t in tools
                ):
                    raise ValueError(f'MCP server "{label}" has already been defined')
            elif definition.get("name") in self.tools:
                raise ValueError(f'Tool "{definition.get("name")}" has already been defined')
            tools.append({"type": "function", **definition})
        tools.extend({"type": "function", **t["definition"]} for t in self.tools.values())
        tools.extend(dict(t) for t in self.mcp_tools.values())
        return tools
