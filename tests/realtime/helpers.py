"""Test helpers: record a client's events and await them with timeouts (never sleeps)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from console.realtime import RealtimeEventHandler

TIMEOUT = 5.0


class Recorder:
    """Records every payload of the given events on an emitter, in order, awaitable."""

    def __init__(self, emitter: RealtimeEventHandler, *names: str) -> None:
        self.events: dict[str, list[Any]] = {name: [] for name in names}
        self._changed = asyncio.Event()
        for name in names:
            emitter.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(event: Any = None) -> None:
            self.events[name].append(event)
            self._changed.set()

        return record

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = TIMEOUT, what: str = "condition"
    ) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every recorded event)."""

        async def poll() -> Any:
            while not (result := predicate()):
                self._changed.clear()
                await self._changed.wait()
            return result

        try:
            return await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}; recorded: {self.summary()}"
            ) from None

    async def count(self, name: str, n: int, timeout: float = TIMEOUT) -> list[Any]:
        """Wait until ``name`` was recorded at least ``n`` times; return the records."""
        await self.wait_for(lambda: len(self.events[name]) >= n, timeout, f"{n} x {name}")
        return self.events[name]

    def summary(self) -> dict[str, int]:
        return {name: len(items) for name, items in self.events.items()}


def realtime_types(records: list[dict[str, Any]], source: str | None = None) -> list[str]:
    """``source:type`` strings of recorded ``realtime.event`` payloads."""
    return [
        f"{r['source']}:{r['event']['type']}"
        for r in records
        if source is None or r["source"] == source
    ]
