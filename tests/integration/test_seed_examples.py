"""The seed README's examples, as ``examples/seed_readme.py`` runs them, against the simulator."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer

EXAMPLE = Path(__file__).parents[2] / "examples" / "seed_readme.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_readme", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_every_seed_example_runs() -> None:
    example = load_example()
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        printed = await example.run(client)
    assert printed[0].startswith("assistant: ") and "How are you?" in printed[0]
    assert any(line.startswith("arguments so far: ") for line in printed)
    after_tool = next(line for line in printed if line.startswith("after tool: "))
    assert "18.5" in after_tool  # the answer used the tool's output
    assert "function call completed: get_weather" in printed
    assert not [line for line in printed if line.startswith("error: ")]
    assert not client.is_connected()
