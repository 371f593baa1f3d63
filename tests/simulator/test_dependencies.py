"""The dependency rule: the simulator imports only the standard library, numpy and websockets —
never the client library (``console.realtime``), never Textual."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import console.simulator

ALLOWED = {"numpy", "websockets"}


def test_simulator_imports_only_stdlib_numpy_websockets() -> None:
    package = Path(console.simulator.__file__).parent
    offenders = []
    for source in sorted(package.glob("*.py")):
        tree = ast.parse(source.read_text(), str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in ALLOWED and top not in sys.stdlib_module_names:
                    offenders.append(f"{source.name}: {name}")
    assert offenders == []
