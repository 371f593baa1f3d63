"""Automatic tool calling for ``RealtimeClient``: run handlers, send outputs, then respond once.

The reference called ``callTool`` for every ``function_call`` reaching ``output_item.done``,
registered or not and even when ``incomplete``; sent ``response.create`` right after each
output, while the response that made the call was still active (so the server answered
``conversation_already_has_active_response``, console issue #473); and a handler returning
``undefined`` produced an item without ``output``. Here only completed calls to registered tools
run; all outputs of one response are sent, and a single ``response.create`` follows once that
response is done and every handler has finished (none if the response was cancelled); a result
of ``None`` is sent as ``"null"``; a failing handler sends ``{"error": ...}`` and is reported.

Handlers never block the event loop. A plain (non-coroutine) function runs in a daemon thread
of its own (with a copy of the context, as ``asyncio.to_thread``), so it may block on I/O but
must not touch the client; a coroutine function runs on the loop. Both are bounded by
``timeout`` seconds: past it the output is ``{"error": "tool \\"name\\" timed out after N s"}``
and a ``tool_error`` is reported. A thread cannot be stopped, so a stuck one is abandoned:
nothing waits for it, not ``cancel_all`` (disconnect), not interpreter exit (it is a daemon;
``asyncio.to_thread``'s executor would be joined when ``asyncio.run`` ends), and its late
result is dropped. The follow-up's wait for ``response.done`` is keyed by the call's response
id, which the client finds whichever item ``done`` event arrives first.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import json
import threading
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


def _is_coroutine_function(handler: ToolHandler) -> bool:
    """True for ``async def`` functions, partials of them and objects with an async ``__call__``."""
    if inspect.iscoroutinefunction(handler):
        return True
    call = inspect.getattr_static(type(handler), "__call__", None)
    return inspect.iscoroutinefunction(call)


def _in_daemon_thread(handler: ToolHandler, arguments: dict[str, Any], name: str) -> Any:
    """Run ``handler(arguments)`` in a new daemon thread; a future of its result on this loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(ok: bool, value: Any) -> None:
        if future.done():  # timed out or cancelled meanwhile: the result is dropped
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            ok, value = True, context.run(handler, arguments)
        except Exception as exc:
            ok, value = False, exc
        except BaseException as exc:  # SystemExit & co must not leak into the loop
            ok, value = False, RuntimeError(f"handler raised {exc!r}")
        with contextlib.suppress(RuntimeError):  # the loop closed while the handler ran
            loop.call_soon_threadsafe(settle, ok, value)

    threading.Thread(target=work, name=f"tool {name}", daemon=True).start()
    return future


class ToolRunner:
    """Runs registered tool handlers for completed calls and continues the conversation."""

    def __init__(
        self,
        send_output: Callable[[str, str], None],
        create_response: Callable[[], object],
        report_error: Callable[[str, str, BaseException | None], None],
        *,
        timeout: float | None = 30.0,
    ) -> None:
        if timeout is not None and not timeout > 0:
            raise ValueError(f"tool timeout must be a positive number of seconds, not {timeout}")
        self._send_output = send_output
        self._create_response = create_response
        self._report_error = report_error
        self._timeout = timeout
        self._by_response: dict[str | None, _ResponseTools] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def timeout(self) -> float | None:
        """Seconds a handler may take (``None``: no limit)."""
        return self._timeout

    def start(self, tool: dict[str, Any], handler: ToolHandler, response_id: str | None) -> None:
        """Run ``handler`` for a completed call (``tool`` is the item's ``formatted.tool``).

        ``response_id`` is the active response that made the call, whose ``response.done`` the
        follow-up waits for; ``None`` when there is none to wait for.
        """
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
        """Stop waiting for handlers and forget pending continuations (on disconnect/reset).

        Coroutine handlers are cancelled; threads still running are abandoned, not joined.
        """
        for task in list(self._tasks):
            task.cancel()
        self._by_response.clear()

    async def _call(self, handler: ToolHandler, arguments: dict[str, Any], name: str) -> Any:
        if _is_coroutine_function(handler):
            result = handler(arguments)
        else:
            result = await _in_daemon_thread(handler, arguments, name)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _run(
        self, tool: dict[str, Any], handler: ToolHandler, response_id: str | None
    ) -> None:
        name = str(tool.get("name"))
        deadline = asyncio.timeout(self._timeout)
        try:
            arguments = json.loads(tool.get("arguments") or "{}")
            async with deadline:
                result = await self._call(handler, arguments, name)
            output = json.dumps(result, default=str)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if deadline.expired():
                message = f'tool "{name}" timed out after {self._timeout:g} s'
                output = json.dumps({"error": message})
                self._report_error("tool_error", message, exc)
            else:
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
