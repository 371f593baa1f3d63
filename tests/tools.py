"""Helpers for tests that need programs from outside Python (espeak-ng, pulseaudio, sox)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_executable(name: str) -> str:
    """Return the path of ``name``; skip the test without it, or fail on CI, which installs it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian package; `bash .ci/run` installs it)"
    if os.environ.get("CI"):
        pytest.fail(message + " -- CI must provide it")
    pytest.skip(message)
