"""10 sessions x 3 s, direct and through the relay: no frame lost or reordered (bench/load.py)."""

from __future__ import annotations

import pytest

from bench.load import run_load
from console.relay import RelayServer
from console.simulator import SimulatorServer


@pytest.mark.parametrize("route", ["simulator", "relay"])
async def test_ten_sessions_lose_and_reorder_nothing(
    route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    async with SimulatorServer(host="127.0.0.1", port=0, pace="fast") as simulator:
        if route == "simulator":
            result = await run_load(simulator.url, sessions=10, seconds=3)
        else:
            relay = RelayServer(
                upstream_url=simulator.url, api_key="sk-load-0000", host="127.0.0.1", port=0
            )
            async with relay:
                result = await run_load(relay.url, sessions=10, seconds=3)
    assert result["problems"] == []
    assert result["answers_checked"] == result["frames_sent"] > 1000
