"""Layout: the simulator stays split by concern, no module much over 400 lines (the dialect is
three: GA sessions and responses, the item codec, the beta overrides)."""

from __future__ import annotations

from pathlib import Path

import console.simulator

LIMIT = 420


def test_simulator_modules_stay_small() -> None:
    package = Path(console.simulator.__file__).parent
    sizes = {p.name: len(p.read_text().splitlines()) for p in package.glob("*.py")}
    too_long = {name: lines for name, lines in sizes.items() if lines > LIMIT}
    assert too_long == {}
    assert sizes["dialect.py"] <= 400
