"""What the console refuses before the app starts, so that a mistake is one line on stderr and
exit code 2 rather than a screen that silently records nothing or reads no keys.

Paths are tried the way they will be used (a file opened for writing, a file made in a
directory), so the answer holds for root, read-only file systems and odd mounts alike, and a
check leaves nothing behind. ``ValueError`` carries the line to print.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

FORCE_TUI = "REALTIME_CONSOLE_FORCE_TUI"
"""Set (to anything) to skip the terminal check: tests run the app with stdout captured."""


def terminal_problem() -> str | None:
    """Why the console cannot run here, or None: both stdin (the keys; without them not even
    Ctrl+Q works) and stdout (the screen) must be terminals."""
    if os.environ.get(FORCE_TUI):
        return None
    streams = (("stdin", sys.stdin), ("stdout", sys.stdout))
    missing = [name for name, stream in streams if not _is_terminal(stream)]
    if not missing:
        return None
    verb = "is" if len(missing) == 1 else "are"
    return f"the console needs a terminal ({' and '.join(missing)} {verb} not one)"


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # a closed or detached stream
        return False


def writable_file(text: str, action: str) -> Path:
    """A file that can be opened for writing (``action``: "record to"); an existing file is not
    changed, a new one is not left behind (its writer creates it)."""
    path = Path(text)
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ValueError(f"cannot {action} {path}: {_reason(exc)}") from None
    if not existed:
        with contextlib.suppress(OSError):
            path.unlink()
    return path


def writable_directory(text: str | Path, action: str) -> Path:
    """A directory that exists or can be made, and in which a file can be made (``action``:
    "export to")."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except FileExistsError:
        raise ValueError(f"cannot {action} {path}: not a directory") from None
    except OSError as exc:
        raise ValueError(f"cannot {action} {path}: {_reason(exc)}") from None
    return path


def existing_file(text: str) -> Path:
    """A file that exists (``--input-wav``)."""
    if not Path(text).is_file():
        raise ValueError(f"{text}: no such file")
    return Path(text)


def load_keymap(path: str) -> dict[str, str]:
    """``binding id = "keys"`` pairs from a TOML file (see the help screen for the ids); an id
    no binding has is the app's to report."""
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"keymap {path}: {_reason(exc)}") from None
    except UnicodeDecodeError:
        raise ValueError(f"keymap {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"keymap {path}: {exc}") from None
    keymap = {str(key): value for key, value in data.items() if isinstance(value, str)}
    if len(keymap) != len(data):
        raise ValueError(f'keymap {path}: every entry must be id = "keys"')
    return keymap


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
