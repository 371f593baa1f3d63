"""Answering MCP approval requests from the keyboard: ``y`` approves, ``n`` denies; and the
palette's "Add MCP server" (``screens.mcp_server``).

The keys answer the oldest request still waiting (``RealtimeClient.pending_mcp_approvals``),
from any focus but a text field (they are the main screen's keys, not priority ones, so a text
field types them). They show in the footer only while a request waits: ``McpApprovals.check``
runs with each conversation frame and asks the app to refresh its bindings when that changes;
it rescans the conversation only when an MCP item changed (or everything was redrawn). The
answer shows in the conversation pane (``conversation_mcp``): "approved (sent)", then
"approved" when the server has added it. A failure to send is told in a toast, never raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from console.app.screens.mcp_server import McpServerScreen
from console.realtime import RealtimeClient

if TYPE_CHECKING:
    from console.app.frame import FrameRenderer, Panes

MCP_ACTIONS = frozenset({"approve_mcp", "deny_mcp"})
"""Actions shown only while a request waits."""


class McpApprovals:
    """Whether an approval request waits (as of the last check), and the answer keys' work."""

    def __init__(
        self,
        client: RealtimeClient,
        notify: Callable[..., None],
        bindings_changed: Callable[[], None],
    ) -> None:
        self.client = client
        self.notify = notify
        self.bindings_changed = bindings_changed
        self.waiting = False

    def check(self, reset: bool, changed: set[str]) -> None:
        """After a conversation frame: rescan if an MCP item changed; tell a change of state."""
        if not (reset or self.waiting or self._touches_mcp(changed)):
            return
        pending = self.client.pending_mcp_approvals()
        waiting = bool(pending)
        if waiting != self.waiting:
            self.waiting = waiting
            self.bindings_changed()
            if waiting and self.client.is_connected():  # once (a replay is never connected)
                self.notify(
                    f"An MCP call waits for approval ({len(pending)}): y approves, n denies — "
                    "from the conversation or the events, not the message line (Tab out of it)."
                )

    def _touches_mcp(self, changed: set[str]) -> bool:
        conversation = self.client.conversation
        for item_id in changed:
            item = conversation.get_item(item_id)
            if item is not None and item["formatted"].get("mcp") is not None:
                return True
        return False

    def answer(self, approve: bool) -> None:
        """Answer the oldest waiting request; say what happened."""
        pending = self.client.pending_mcp_approvals()
        if not pending:
            self.notify("No MCP approval request is waiting.")
            return
        request = pending[0]
        view: dict[str, Any] = request["formatted"]["mcp"]
        call = f"{view.get('server_label')}.{view.get('name')}"
        try:
            self.client.respond_mcp_approval(request["id"], approve)
        except Exception as error:  # not connected, say: told, never raised
            self.notify(f"{call} not answered: {error}", severity="error")
            return
        more = len(pending) - 1
        rest = f" ({more} more waiting)" if more else ""
        self.notify(f"{'Approved' if approve else 'Denied'} {call}{rest}.")
        self.check(True, set())


class McpActions:
    """The app's ``approve_mcp``, ``deny_mcp`` and ``add_mcp_server`` actions (mixed into it)."""

    _frame: FrameRenderer
    _panes: Panes
    client: RealtimeClient

    def action_add_mcp_server(self) -> None:
        """Open the form that adds an MCP server to the session."""
        assert isinstance(self, App)
        session = self._panes.session
        self.push_screen(
            McpServerScreen(self.client, lambda: session.refresh_from_state(force=True))
        )

    def action_approve_mcp(self) -> None:
        """Approve the oldest MCP call waiting for approval."""
        self._frame.mcp.answer(True)

    def action_deny_mcp(self) -> None:
        """Deny the oldest MCP call waiting for approval."""
        self._frame.mcp.answer(False)
