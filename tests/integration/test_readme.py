"""README's runnable examples (those that need no key) run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
RUNNABLE = [block for block in BLOCKS if "SimulatorServer(" in block]


def test_the_readme_has_a_runnable_example() -> None:
    assert RUNNABLE


@pytest.mark.parametrize("block", RUNNABLE)
def test_readme_example_runs(block: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(block, str(README), "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out
    assert printed.strip() and "no answer" not in printed
