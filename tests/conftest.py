"""Shared test configuration: live tests skip without a key."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``live`` unless OPENAI_API_KEY is set."""
    if os.environ.get("OPENAI_API_KEY"):
        return
    skip_live = pytest.mark.skip(reason="live test: set OPENAI_API_KEY to run against OpenAI")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip_live)
