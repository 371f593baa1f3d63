"""Fixtures for the console: the simulator on 127.0.0.1 and apps built by the real factory.

Apps get a fixed clock and UTC times where a test reads times, and a weather URL on a closed
loopback port, so ``get_weather`` fails offline without touching the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC
from typing import Any

import pytest

from console.app.app import RealtimeConsoleApp, make_app
from console.app.config import ConsoleConfig
from console.inspector.connection import Target
from console.simulator import SimulatorServer

CLOSED_PORT_URL = "http://127.0.0.1:9/v1/forecast"
TIMEOUT = 10.0


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast") as server:
        yield server


@pytest.fixture
async def slow_simulator() -> AsyncIterator[SimulatorServer]:
    """Real-time pacing: a response lasts long enough to be interrupted."""
    async with SimulatorServer(pace="realtime") as server:
        yield server


def console_config(url: str | None, **options: Any) -> ConsoleConfig:
    """The config the tests use: the simulator target, offline weather, UTC times."""
    target = options.pop("target", None) or Target(url, None, "ga", None, "simulator — test")
    options.setdefault("weather_url", CLOSED_PORT_URL)
    options.setdefault("tz", UTC)
    return ConsoleConfig(target=target, **options)


def console_app(url: str | None, **options: Any) -> RealtimeConsoleApp:
    return make_app(console_config(url, **options))


async def settled(app: RealtimeConsoleApp) -> None:
    """Wait until the app's workers and queued connection actions have all finished."""
    await app.workers.wait_for_complete()
    await app.controller.idle()
    await app.workers.wait_for_complete()


async def connected(app: RealtimeConsoleApp) -> None:
    """Wait until the app's connection actions finished and the session exists."""
    await settled(app)
    assert app.client.is_connected(), app.inspector.connection.detail
    assert await app.client.wait_for_session_created(TIMEOUT)


class EventWaiter:
    """A ``realtime.event`` to wait for, listened for from creation (before the action)."""

    def __init__(
        self, app: RealtimeConsoleApp, predicate: Callable[[dict[str, Any]], bool], nth: int = 1
    ) -> None:
        self.app = app
        self.predicate = predicate
        self.remaining = nth
        self.future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.listener = self._listener  # one bound method, so ``off`` finds it
        app.client.on("realtime.event", self.listener)

    def _listener(self, payload: dict[str, Any]) -> None:
        if not self.future.done() and self.predicate(payload):
            self.remaining -= 1
            if self.remaining == 0:
                self.future.set_result(payload)

    def __await__(self) -> Any:
        return self._wait().__await__()

    async def _wait(self) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(self.future, TIMEOUT)
        finally:
            self.app.client.off("realtime.event", self.listener)


def expect(
    app: RealtimeConsoleApp, predicate: Callable[[dict[str, Any]], bool], nth: int = 1
) -> EventWaiter:
    """Start listening now for the ``nth`` match; ``await`` it after the action that causes it."""
    return EventWaiter(app, predicate, nth)


def server_event(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda payload: payload["source"] == "server" and payload["event"]["type"] == kind


def client_event(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda payload: payload["source"] == "client" and payload["event"]["type"] == kind


async def until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()`` holds (a debounce ran, a screen or a toast came),
    failing after ``TIMEOUT`` s: no fixed sleep that is too short under load or too long."""
    try:
        async with asyncio.timeout(TIMEOUT):
            while not condition():
                await pilot.pause()
    except TimeoutError:
        pytest.fail(f"{what}: not within {TIMEOUT:g} s")


def screen_text(app: RealtimeConsoleApp) -> str:
    """The text of what is on screen now (the SVG export, tags stripped)."""
    import html
    import re

    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(re.sub(r"<[^>]+>", "", line) for line in lines)).replace(
        "\xa0", " "
    )


def screen_lines(app: RealtimeConsoleApp) -> list[str]:
    """What is on screen now, one string per terminal row (from the SVG export)."""
    import html
    import re

    rows: dict[float, list[tuple[float, str]]] = {}
    pattern = r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>'
    for match in re.finditer(pattern, app.export_screenshot(), flags=re.S):
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(3))).replace("\xa0", " ")
        rows.setdefault(float(match.group(2)), []).append((float(match.group(1)), text))
    return ["".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())]
