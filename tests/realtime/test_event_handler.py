"""RealtimeEventHandler: the reference's ordering, plus its fixes."""

from __future__ import annotations

import asyncio

import pytest

from console.realtime import RealtimeEventHandler


def test_persistent_before_one_shot_in_registration_order() -> None:
    handler = RealtimeEventHandler()
    calls: list[str] = []
    handler.on_next("x", lambda e: calls.append(f"next1:{e}"))
    handler.on("x", lambda e: calls.append(f"on1:{e}"))
    handler.on("x", lambda e: calls.append(f"on2:{e}"))
    handler.dispatch("x", 1)
    handler.dispatch("x", 2)
    assert calls == ["on1:1", "on2:1", "next1:1", "on1:2", "on2:2"]


def test_listeners_added_during_dispatch_run_from_the_next_one() -> None:
    handler = RealtimeEventHandler()
    calls: list[str] = []

    def adder(event: object) -> None:
        calls.append("adder")
        handler.on("x", lambda e: calls.append("late"))
        handler.on_next("x", lambda e: calls.append("late-next"))

    handler.on_next("x", adder)
    handler.dispatch("x")
    assert calls == ["adder"]
    handler.dispatch("x")
    assert calls == ["adder", "late", "late-next"]


def test_off_removes_first_registration_and_raises_when_absent() -> None:
    handler = RealtimeEventHandler()
    calls: list[int] = []

    def record(event: int) -> None:
        calls.append(event)

    handler.on("x", record)
    handler.on("x", record)
    assert handler.off("x", record) is True
    handler.dispatch("x", 1)
    assert calls == [1]
    handler.off("x")
    handler.dispatch("x", 2)
    assert calls == [1]
    with pytest.raises(ValueError, match='for "x": not found as a listener'):
        handler.off("x", record)
    with pytest.raises(ValueError, match="next event listener"):
        handler.off_next("y", record)


def test_zero_argument_handlers_are_called_without_the_event() -> None:
    handler = RealtimeEventHandler()
    calls: list[str] = []
    handler.on("conversation.interrupted", lambda: calls.append("interrupted"))
    handler.dispatch("conversation.interrupted", {"item_id": "a"})
    assert calls == ["interrupted"]


def test_a_failing_handler_is_reported_and_the_others_still_run() -> None:
    handler = RealtimeEventHandler()
    calls: list[str] = []
    errors: list[dict[str, object]] = []
    handler.on("error", errors.append)

    def broken(event: object) -> None:
        raise RuntimeError("boom")

    handler.on("x", broken)
    handler.on("x", lambda e: calls.append("after"))
    handler.dispatch("x")
    assert calls == ["after"]
    assert errors[0]["error"]["code"] == "handler_error"  # type: ignore[index]
    assert "boom" in errors[0]["error"]["message"]  # type: ignore[index]


async def test_coroutine_handlers_are_scheduled_and_their_failures_reported() -> None:
    handler = RealtimeEventHandler()
    ran = asyncio.Event()
    failed = asyncio.Event()
    handler.on("error", lambda e: failed.set())

    async def good(event: object) -> None:
        ran.set()

    async def bad(event: object) -> None:
        raise ValueError("async boom")

    handler.on("x", good)
    handler.on("x", bad)
    handler.dispatch("x", 1)
    await asyncio.wait_for(ran.wait(), 1)
    await asyncio.wait_for(failed.wait(), 1)


async def test_wait_for_next_resolves_payloadless_events_and_times_out_cleanly() -> None:
    handler = RealtimeEventHandler()
    loop = asyncio.get_running_loop()
    loop.call_soon(handler.dispatch, "x")  # dispatched with no payload, after we start waiting
    started = loop.time()
    assert await handler.wait_for_next("x", timeout=5) is None
    assert loop.time() - started < 1  # resolved by the event, not by the timeout

    assert await handler.wait_for_next("y", timeout=0.01) is None
    assert not handler._next_listeners.get("y")
    calls: list[int] = []
    handler.on("y", calls.append)
    handler.dispatch("y", 7)
    assert calls == [7]
