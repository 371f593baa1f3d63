"""What the command line refuses before the app starts, each with one line on stderr and exit
code 2: a ``--record`` file that cannot be written, a ``--save-audio`` or ``--export-dir``
directory that cannot be made or written, a keymap file that cannot be read, and a stdin or
stdout that is not a terminal (a console that cannot read keys cannot even be quit)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from console.app.config import ConsoleConfig
from console.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORDING = REPO_ROOT / "tests" / "app" / "fixtures" / "conversation.jsonl"


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single line the CLI wrote to stderr (and nothing on stdout)."""
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("realtime-console: ")
    return lines[0]


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a directory\n")
    return path


# -- --record ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("missing/dir/x.jsonl", "No such file or directory"),
        ("a-file/x.jsonl", "Not a directory"),
        (".", "Is a directory"),
    ],
)
def test_an_unwritable_record_path_is_refused(
    where: str,
    reason: str,
    a_file: Path,
    opened: list[ConsoleConfig],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = a_file.parent / where
    assert main(["--record", str(path)]) == 2
    line = one_line(capsys)
    assert f"cannot record to {path}" in line and reason in line
    assert opened == []


def test_the_nonexistent_dir_of_the_issue_is_refused(
    opened: list[ConsoleConfig], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--record", "/nonexistent/dir/x.jsonl"]) == 2
    assert "cannot record to /nonexistent/dir/x.jsonl" in one_line(capsys)
    assert opened == []


def test_a_writable_record_path_is_kept_and_not_created_early(
    tmp_path: Path, opened: list[ConsoleConfig]
) -> None:
    path = tmp_path / "session.jsonl"
    assert main(["--record", str(path)]) == 0
    assert [c.record_path for c in opened] == [path]
    assert not path.exists()  # the check leaves nothing behind; the recorder creates it


def test_an_existing_record_file_is_not_touched_by_the_check(
    tmp_path: Path, opened: list[ConsoleConfig]
) -> None:
    path = tmp_path / "session.jsonl"
    path.write_text("earlier\n")
    assert main(["--record", str(path)]) == 0
    assert path.read_text() == "earlier\n"


# -- --save-audio and --export-dir ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "what"), [("--save-audio", "audio"), ("--export-dir", "export")]
)
@pytest.mark.parametrize("where", ["a-file", "a-file/sub"])
def test_an_unusable_directory_is_refused(
    option: str,
    what: str,
    where: str,
    a_file: Path,
    opened: list[ConsoleConfig],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = a_file.parent / where
    assert main([option, str(path)]) == 2
    line = one_line(capsys)
    assert f"{path}" in line and what in line
    assert opened == []


def test_export_dir_defaults_to_none_and_is_made_when_missing(
    tmp_path: Path, opened: list[ConsoleConfig]
) -> None:
    assert main([]) == 0
    assert opened[-1].export_dir is None  # the current directory, as Ctrl+E resolves it
    target = tmp_path / "exports" / "today"
    assert main(["--export-dir", str(target)]) == 0
    assert opened[-1].export_dir == target and target.is_dir()


def test_export_dir_reaches_a_replay(tmp_path: Path, opened: list[ConsoleConfig]) -> None:
    assert main(["--export-dir", str(tmp_path), "replay", str(RECORDING)]) == 0
    assert opened[-1].export_dir == tmp_path and opened[-1].replay is not None


# -- the keymap file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "No such file or directory"),
        ("quit = 5\n", 'every entry must be id = "keys"'),
        ("quit = \n", "Invalid value"),
    ],
)
def test_a_bad_keymap_file_is_refused(
    content: str | None,
    reason: str,
    tmp_path: Path,
    opened: list[ConsoleConfig],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "keys.toml"
    if content is not None:
        path.write_text(content)
    assert main(["--keymap", str(path)]) == 2
    line = one_line(capsys)
    assert f"keymap {path}: {reason}" in line
    assert "Errno" not in line
    assert opened == []


# -- the terminal --------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("argv", [[], ["replay", str(RECORDING)]])
@pytest.mark.parametrize(
    ("stdin_tty", "stdout_tty", "which"),
    [(False, True, "stdin is"), (True, False, "stdout is"), (False, False, "stdin and stdout are")],
)
def test_the_console_needs_a_terminal_on_both_sides(
    argv: list[str],
    stdin_tty: bool,
    stdout_tty: bool,
    which: str,
    opened: list[ConsoleConfig],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REALTIME_CONSOLE_FORCE_TUI")
    monkeypatch.setattr(sys, "stdin", Terminal() if stdin_tty else io.StringIO())
    monkeypatch.setattr(sys, "stdout", Terminal() if stdout_tty else io.StringIO())
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"realtime-console: the console needs a terminal ({which} not one)"]
    assert opened == []


def test_a_closed_stdin_is_not_a_terminal(
    opened: list[ConsoleConfig],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REALTIME_CONSOLE_FORCE_TUI")
    monkeypatch.setattr(sys, "stdin", None)  # python started with stdin closed
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert main([]) == 2
    assert "stdin is not one" in capsys.readouterr().err


def test_force_tui_still_opens_the_app_for_tests(
    opened: list[ConsoleConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert main([]) == 0 and len(opened) == 1


def test_stdin_from_dev_null_exits_2_with_one_line(tmp_path: Path) -> None:
    """``realtime-console < /dev/null`` with the terminal as stdout, as the issue ran it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "REALTIME_CONSOLE_FORCE_TUI")
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    leader, follower = pty.openpty()
    try:
        with open(os.devnull, "rb") as null:
            result = subprocess.run(
                [sys.executable, "-m", "console.cli"],
                stdin=null,
                stdout=follower,
                stderr=subprocess.PIPE,
                cwd=tmp_path,
                env=env,
                timeout=30,  # before the fix the app drew its screen and never ended
            )
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        "realtime-console: the console needs a terminal (stdin is not one)"
    ]
