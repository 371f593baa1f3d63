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
nothing waits for it, not ``cancel_all`` (every close), not interpreter exit (it is a daemon;
``asyncio.to_thread``'s executor would be joined when ``asyncio.run`` ends), and its late
result is dropped. At most ``max_threads`` handler threads live at once, abandoned ones
included: past that, a call is answered at once with an error output and a ``tool_error``.

Calls belong to the connection they were made on: every close (``cancel_all``) cancels their
tasks and forgets their responses, and a thread that finishes afterwards sends nothing into a
later session (its result is reported as ``tool_output_not_sent``). The follow-up's wait for
``response.done`` is keyed by the call's response id, which the client finds whichever item
``done`` event arrives first.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
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


class _ThreadCall:
    """One handler running in a daemon thread; ``late`` is called on the loop with its outcome
    if it ends after nobody waits for it any more (its connection closed)."""

    def __init__(
        self,
        handler: ToolHandler,
        arguments: dict[str, Any],
        name: str,
        on_exit: Callable[[], None],
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.future: asyncio.Future[Any] = self.loop.create_future()
        self.late: Callable[[bool], None] | None = None
        self._handler, self._arguments = handler, arguments
        self._on_exit = on_exit  # the thread ends (whether or not anybody still waits)
        self._context = contextvars.copy_context()
        threading.Thread(target=self._work, name=f"tool {name}", daemon=True).start()

    def _settle(self, ok: bool, value: Any) -> None:
        if self.future.done():  # timed out or cancelled meanwhile: the result is dropped
            if self.future.cancelled() and self.late is not None:
                self.late(ok)
            return
        if ok:
            self.future.set_result(value)
        else:
            self.future.set_exception(value)

    def _work(self) -> None:
        try:
            try:
                ok, value = True, self._context.run(self._handler, self._arguments)
            except Exception as exc:
                ok, value = False, exc
            except BaseException as exc:  # SystemExit & co must not leak into the loop
                ok, value = False, RuntimeError(f"handler raised {exc!r}")
        finally:
            self._on_exit()
        with contextlib.suppress(RuntimeError):  # the loop closed while the handler ran
            self.loop.call_soon_threadsafe(self._settle, ok, value)


class _ThreadCount:
    """Live handler threads (abandoned ones too), counted from the loop and the threads."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_tool_threads must be at least 1, not {limit}")
        self.limit = limit
        self.live = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.live >= self.limit:
                return False
            self.live += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.live -= 1


class ToolRunner:
    """Runs registered tool handlers for completed calls and continues the conversation."""

    def __init__(
        self,
        send_output: Callable[[str, str], None],
        create_response: Callable[[], object],
        report_error: Callable[[str, str, BaseException | None], None],
        *,
        timeout: float | None = 30.0,
        max_threads: int = 16,
    ) -> None:
        if timeout is not None and not timeout > 0:
            raise ValueError(f"tool timeout must be a positive number of seconds, not {timeout}")
        self._send_output = send_output
        self._create_response = create_response
        self._report_error = report_error
        self._timeout = timeout
        self._threads = _ThreadCount(max_threads)
        self._by_response: dict[str | None, _ResponseTools] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._connection = 0  # bumped by every close: calls of an older one send nothing

    @property
    def timeout(self) -> float | None:
        """Seconds a handler may take (``None``: no limit)."""
        return self._timeout

    @property
    def max_threads(self) -> int:
        """Handler threads that may live at once (abandoned ones included)."""
        return self._threads.limit

    @property
    def live_threads(self) -> int:
        """Handler threads alive now, abandoned ones included."""
        return self._threads.live

    @property
    def pending_responses(self) -> int:
        """Responses whose calls are still running or whose ``response.done`` is awaited."""
        return len(self._by_response)

    def start(self, tool: dict[str, Any], handler: ToolHandler, response_id: str | None) -> None:
        """Run ``handler`` for a completed call (``tool`` is the item's ``formatted.tool``).

        ``response_id`` is the active response that made the call, whose ``response.done`` the
        follow-up waits for; ``None`` when there is none to wait for.
        """
        batch = self._by_response.setdefault(response_id, _ResponseTools())
        batch.running += 1
        if response_id is None:
            batch.response_done = True
        run = self._run(tool, handler, response_id, self._connection)
        task = asyncio.get_running_loop().create_task(run)
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
        """The connection closed (or is being closed): stop waiting for its handlers and forget
        its responses. Coroutine handlers are cancelled; threads still running are abandoned,
        not joined, and what they return is dropped and reported."""
        self._connection += 1
        for task in list(self._tasks):
            task.cancel()
        self._by_response.clear()

    async def _call(self, handler: ToolHandler, arguments: dict[str, Any], name: str) -> Any:
        if _is_coroutine_function(handler):
            result = handler(arguments)
        else:
            result = await self._in_thread(handler, arguments, name)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _in_thread(self, handler: ToolHandler, arguments: dict[str, Any], name: str) -> Any:
        if not self._threads.take():
            raise _TooManyThreads(
                f'tool "{name}" not run: {self._threads.limit} tool handlers are still running'
                " (max_tool_threads)"
            )
        call = _ThreadCall(handler, arguments, name, self._threads.give_back)
        connection = self._connection
        try:
            return await call.future
        except asyncio.CancelledError:
            if connection != self._connection:  # cancelled by a close: say so when it ends
                call.late = functools.partial(self._report_late, name)
            raise

    def _report_late(self, name: str, ok: bool) -> None:
        outcome = "returned" if ok else "failed"
        message = (
            f'tool "{name}" {outcome} after the connection it was called on closed;'
            " its output was not sent"
        )
        self._report_error("tool_output_not_sent", message, None)

    async def _run(
        self, tool: dict[str, Any], handler: ToolHandler, response_id: str | None, connection: int
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
        except _TooManyThreads as exc:
            output = json.dumps({"error": str(exc)})
            self._report_error("tool_error", str(exc), exc)
        except Exception as exc:
            if deadline.expired():
                message = f'tool "{name}" timed out after {self._timeout:g} s'
                output = json.dumps({"error": message})
                self._report_error("tool_error", message, exc)
            else:
                output = json.dumps({"error": str(exc) or type(exc).__name__})
                self._report_error("tool_error", f'tool "{name}" failed: {exc!r}', exc)
        if connection != self._connection:  # belt and braces: cancel_all cancels us first
            self._report_late(name, True)
            return
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


class _TooManyThreads(RuntimeError):
    """``max_threads`` handler threads are alive: the call is answered with an error at once."""
