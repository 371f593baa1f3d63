"""Automatic tool calling for ``RealtimeClient``: run handlers, send outputs, then respond once.

The reference called ``callTool`` for every ``function_call`` reaching ``output_item.done``,
registered or not and even when ``incomplete``; sent ``response.create`` right after each
output, while the response that made the call was still active (so the server answered
``conversation_already_has_active_response``, console issue #473); and a handler returning
``undefined`` produced an item without ``output``. Here only completed calls to registered tools
run; all outputs of one response are sent, and a single ``response.create`` follows once that
response is done and every handler has finished (none if the response was cancelled); a result
of ``None`` is sent as ``"null"``; a failing handler sends ``{"error": ...}`` and is reported.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ToolHandler = Callable[[dict[str, Any]], Any]


@dataclass
class _ResponseTools:
    """Tool calls made by one response."""

    running: int = 0
    outputs_sent: int = 0
    response_done: bool = False
    cancelled: bool = False


class ToolRunner:
    """Runs registered tool handlers for completed calls and continues the conversation."""

    def __init__(
        self,
        send_output: Callable[[str, str], None],
        create_response: Callable[[], object],
        report_error: Callable[[str, str, BaseException | None], None],
    ) -> None:
        self._send_output = send_output
        self._create_response = create_response
        self._report_error = report_error
        self._by_response: dict[str | None, _ResponseTools] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, tool: dict[str, Any], handler: ToolHandler, response_id: str | None) -> None:
        """Run ``handler`` for a completed call (``tool`` is the item's ``formatted.tool``)."""
        batch = self._by_response.setdefault(response_id, _ResponseTools())
        batch.running += 1
        if response_id is None:
            batch.response_done = True
        task = asyncio.get_running_loop().create_task(self._run(tool, handler, response_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def response_done(self, response_id: str, status: str | None) -> None:
        """Note that a response finished; continue if its tool calls are all answered."""
        batch = self._by_response.get(response_id)
        if batch is None:
            return
        batch.response_done = True
        batch.cancelled = status == "cancelled"
        # After the current frame's dispatch, so logs show response.done before our reply.
        asyncio.get_running_loop().call_soon(self._maybe_continue, response_id)

    def cancel_all(self) -> None:
        """Stop running handlers and forget pending continuations (on disconnect/reset)."""
        for task in list(self._tasks):
            task.cancel()
        self._by_response.clear()

    async def _run(
        self, tool: dict[str, Any], handler: ToolHandler, response_id: str | None
    ) -> None:
        name = tool.get("name")
        try:
            arguments = json.loads(tool.get("arguments") or "{}")
            result = handler(arguments)
            if inspect.isawaitable(result):
                result = await result
            output = json.dumps(result, default=str)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            output = json.dumps({"error": str(exc) or type(exc).__name__})
            self._report_error("tool_error", f'tool "{name}" failed: {exc!r}', exc)
        batch = self._by_response.get(response_id)
        try:
            self._send_output(tool.get("call_id") or "", output)
            if batch is not None:
                batch.outputs_sent += 1
        except Exception as exc:  # e.g. the connection dropped while the handler ran
            self._report_error("tool_output_not_sent", f'output of tool "{name}": {exc}', exc)
        if batch is not None:
            batch.running -= 1
            self._maybe_continue(response_id)

    def _maybe_continue(self, response_id: str | None) -> None:
        batch = self._by_response.get(response_id)
        if batch is None or batch.running or not batch.response_done:
            return
        del self._by_response[response_id]
        if batch.outputs_sent and not batch.cancelled:
            try:
                self._create_response()
            except Exception as exc:
                self._report_error("tool_response_not_created", str(exc), exc)
