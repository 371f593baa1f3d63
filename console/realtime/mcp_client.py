"""``RealtimeClient``'s MCP methods: add or remove an MCP server, answer approval requests.

An MCP tool is run by the server, not by the client: the client only says which servers the
session may use (``add_mcp_tool``, sent with the session's tools like ``add_tool`` tools) and,
for tools that need approval, answers the server's ``mcp_approval_request`` items
(``respond_mcp_approval``). The items themselves are in the conversation with
``formatted["mcp"]`` (``mcp_items``).

After the answer, the client asks for a response (``respond=True``), as after a function
call's output: an item the client adds never starts one by itself, and the server runs an
approved call in the response that follows. The request goes through the client's response
tracking, so it waits for an active response to finish instead of being refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .api import RealtimeAPI
from .conversation import RealtimeConversation
from .mcp_items import pending_approvals
from .session_settings import SessionSettings


class McpMethods:
    """Mixed into ``RealtimeClient``."""

    realtime: RealtimeAPI
    conversation: RealtimeConversation
    _settings: SessionSettings

    # Provided by RealtimeClient (declared only: a definition here would shadow theirs).
    _request_response: Callable[[], None]
    dispatch: Callable[..., bool]

    @property
    def mcp_tools(self) -> dict[str, dict[str, Any]]:
        """MCP tools added with ``add_mcp_tool``: ``{server_label: definition}``."""
        return self._settings.mcp_tools

    def add_mcp_tool(
        self,
        server_label: str,
        server_url: str,
        *,
        allowed_tools: list[str] | Mapping[str, Any] | None = None,
        require_approval: str | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Let the session use the MCP server at ``server_url`` (sent with the session's tools
        on ``update_session``, and at once when connected).

        ``allowed_tools`` limits the tools (names or ``{"tool_names", "read_only"}``);
        ``require_approval`` is ``"always"``, ``"never"`` or ``{"always"|"never": filter}``;
        ``headers`` go to the server with each request (values are secrets: see
        ``mcp_tools.masked_tool``); other SDK fields (``server_description``,
        ``authorization``...) as keywords. Raises ``SessionConfigError`` for a bad definition
        and ``ValueError`` for a label already used, sending nothing.
        """
        definition: dict[str, Any] = {
            "type": "mcp",
            "server_label": server_label,
            "server_url": server_url,
            **fields,
        }
        optional = {
            "allowed_tools": allowed_tools,
            "require_approval": require_approval,
            "headers": dict(headers) if headers is not None else None,
        }
        definition.update({key: value for key, value in optional.items() if value is not None})
        return self._settings.add_mcp_tool(definition)

    def remove_mcp_tool(self, server_label: str) -> bool:
        """Stop using an MCP server added with ``add_mcp_tool`` (and tell the server)."""
        self._settings.remove_mcp_tool(server_label)
        return True

    def pending_mcp_approvals(self) -> list[dict[str, Any]]:
        """The ``mcp_approval_request`` items not answered yet, oldest first."""
        return pending_approvals(self.conversation.items)

    def respond_mcp_approval(
        self,
        approval_request_id: str,
        approve: bool,
        reason: str | None = None,
        *,
        respond: bool = True,
    ) -> bool:
        """Answer an MCP approval request: send an ``mcp_approval_response`` item, then (with
        ``respond``) ask for the response that runs or skips the call. The request's
        ``formatted["mcp"]["answer_sent"]`` says what was sent (``conversation.updated``).

        Raises ``ValueError`` for a malformed answer or a request answered already (sent from
        here, or confirmed by the server), and ``RealtimeNotConnectedError`` when not
        connected; nothing is sent then.
        """
        if not isinstance(approval_request_id, str) or not approval_request_id:
            raise ValueError("approval_request_id must be the request item's id")
        if not isinstance(approve, bool):
            raise ValueError(f"approve must be True or False, not {approve!r}")
        if reason is not None and not isinstance(reason, str):
            raise ValueError("reason must be a string or None")
        request = self.conversation.get_item(approval_request_id)
        view = (request or {}).get("formatted", {}).get("mcp") if request else None
        if view is not None and view.get("kind") != "approval_request":
            raise ValueError(f'item "{approval_request_id}" is no MCP approval request')
        answered = view and (view.get("answer") or view.get("answer_sent"))
        if answered:
            raise ValueError(f'approval request "{approval_request_id}" is {answered} already')
        item: dict[str, Any] = {
            "type": "mcp_approval_response",
            "approval_request_id": approval_request_id,
            "approve": approve,
        }
        if reason is not None:
            item["reason"] = reason
        self.realtime.send("conversation.item.create", {"item": item})
        if request is not None and view is not None:
            view["answer_sent"] = "approved" if approve else "denied"
            self.dispatch("conversation.updated", {"item": request, "delta": {"mcp": "sent"}})
        if respond:
            self._request_response()
        return True
