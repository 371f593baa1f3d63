"""Integration fixtures: run each test in both dialects."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)
