"""``ToolRunner`` on its own: where each kind of handler runs, and the timeout's validation."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from typing import Any

import pytest

from console.realtime import RealtimeClient
from console.realtime.tools import ToolHandler, ToolRunner

TIMEOUT = 5.0


async def run_one(handler: ToolHandler, timeout: float | None = TIMEOUT) -> tuple[str, list[Any]]:
    """Run ``handler`` for one call with no response to wait for; its output and the errors."""
    outputs: asyncio.Queue[str] = asyncio.Queue()
    errors: list[Any] = []
    runner = ToolRunner(
        lambda call_id, output: outputs.put_nowait(output),
        lambda: None,
        lambda code, message, exc: errors.append((code, message)),
        timeout=timeout,
    )
    runner.start({"name": "t", "call_id": "c1", "arguments": '{"x": 1}'}, handler, None)
    return await asyncio.wait_for(outputs.get(), TIMEOUT), errors


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_the_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError, match="tool timeout"):
        RealtimeClient(tool_timeout=timeout)


def test_no_timeout_is_allowed() -> None:
    assert RealtimeClient(tool_timeout=None)._tool_runner.timeout is None


async def test_plain_functions_run_in_a_thread_coroutines_on_the_loop() -> None:
    loop_thread = threading.get_ident()

    def plain(arguments: dict[str, Any]) -> int:
        return threading.get_ident()

    async def coroutine(arguments: dict[str, Any]) -> int:
        return threading.get_ident()

    class AsyncCallable:
        async def __call__(self, arguments: dict[str, Any]) -> int:
            return threading.get_ident()

    ran_in = {}
    handlers: dict[str, ToolHandler] = {
        "plain": plain,
        "coroutine": coroutine,
        "partial": functools.partial(coroutine),
        "async callable": AsyncCallable(),
    }
    for name, handler in handlers.items():
        output, errors = await run_one(handler)
        assert errors == []
        ran_in[name] = json.loads(output) == loop_thread
    assert ran_in == {"plain": False, "coroutine": True, "partial": True, "async callable": True}


async def test_an_awaitable_returned_by_a_plain_function_is_awaited() -> None:
    async def later() -> dict[str, int]:
        return {"answer": 42}

    output, errors = await run_one(lambda arguments: later())
    assert (json.loads(output), errors) == ({"answer": 42}, [])


async def test_arguments_reach_the_thread_and_exceptions_come_back() -> None:
    def echo(arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments

    def broken(arguments: dict[str, Any]) -> None:
        raise KeyError("x")

    def exits(arguments: dict[str, Any]) -> None:
        raise SystemExit(3)

    assert await run_one(echo) == ('{"x": 1}', [])
    output, errors = await run_one(broken)
    assert json.loads(output) == {"error": "'x'"} and errors[0][0] == "tool_error"
    output, errors = await run_one(exits)
    assert "SystemExit" in json.loads(output)["error"] and errors[0][0] == "tool_error"
