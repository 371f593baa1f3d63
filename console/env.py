"""Where the OpenAI key comes from, in one place for the console and the relay.

``OPENAI_API_KEY`` from the environment, else from ``.env`` in the working directory (read with
python-dotenv, without touching ``os.environ``). The key is returned, never printed or logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values


def load_dotenv_value(name: str, path: Path | str = ".env") -> str | None:
    """``name`` from a ``KEY=VALUE`` file such as ``.env``, or None (missing file or key)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        value = dotenv_values(path, encoding="utf-8").get(name)
    except (OSError, UnicodeDecodeError):
        return None
    return value or None


def resolve_api_key(
    explicit: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | str = ".env",
) -> str | None:
    """The key: the argument, else ``OPENAI_API_KEY``, else ``.env`` in the cwd.

    Empty strings count as unset, so ``OPENAI_API_KEY=`` does not hide a key in ``.env``.
    """
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    return env.get("OPENAI_API_KEY") or load_dotenv_value("OPENAI_API_KEY", dotenv_path)
