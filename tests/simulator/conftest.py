"""Fixtures: an in-process simulator on 127.0.0.1, port 0; a test fails if the simulator logged
an unexpected exception (a bug that the connection guard turned into a ``server_error``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from console.simulator import SimulatorServer


def _assert_no_simulator_errors(caplog: pytest.LogCaptureFixture) -> None:
    bad = [
        r
        for r in caplog.records
        if r.name.startswith("console.simulator") and r.levelno >= logging.ERROR
    ]
    assert bad == [], [r.getMessage() for r in bad]


@pytest.fixture
async def server(caplog: pytest.LogCaptureFixture) -> AsyncIterator[SimulatorServer]:
    """Fast pace: no waiting between deltas."""
    async with SimulatorServer(host="127.0.0.1", port=0, pace="fast") as srv:
        yield srv
    _assert_no_simulator_errors(caplog)


@pytest.fixture
async def slow_server(caplog: pytest.LogCaptureFixture) -> AsyncIterator[SimulatorServer]:
    """Real-time pacing: responses last long enough to be cancelled or interrupted."""
    async with SimulatorServer(host="127.0.0.1", port=0, pace="realtime") as srv:
        yield srv
    _assert_no_simulator_errors(caplog)
