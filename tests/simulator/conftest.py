"""Fixtures: an in-process simulator on 127.0.0.1, port 0, fast pace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from console.simulator import SimulatorServer


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(host="127.0.0.1", port=0, pace="fast") as srv:
        yield srv


@pytest.fixture
async def slow_server() -> AsyncIterator[SimulatorServer]:
    """Real-time pacing: responses last long enough to be cancelled or interrupted."""
    async with SimulatorServer(host="127.0.0.1", port=0, pace="realtime") as srv:
        yield srv
