"""The ``realtime-console`` command line: parsing in-process, servers as real subprocesses."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

import console
from console.app.config import ConsoleConfig
from console.cli import main

from .conftest import TIMEOUT, FakeUpstream

REPO_ROOT = Path(__file__).resolve().parents[2]
URL_PATTERN = re.compile(r"ws://127\.0\.0\.1:(\d+)/v1/realtime")


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess: the repo importable, no ambient key unless given."""
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# -- parsing, in-process ---------------------------------------------------------------------


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: realtime-console" in out
    assert "serve" in out and "relay" in out


def test_version(capsys: pytest.CaptureFixture[str]):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"realtime-console {console.__version__}"


def test_serve_help_documents_its_options(capsys: pytest.CaptureFixture[str]):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--pace", "--require-key", "--session-expiry"):
        assert option in out
    assert "realtime,fast" in out.replace(" ", "") or "{realtime,fast}" in out


def test_relay_help_documents_its_options(capsys: pytest.CaptureFixture[str]):
    assert main(["relay", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--upstream", "--token"):
        assert option in out
    for option in ("--max-queue-bytes", "--max-queue-frames", "16 MiB", "1000"):
        assert option in " ".join(out.split())


def test_defaults_bind_loopback_on_the_documented_ports():
    from console.cli import build_parser

    parser = build_parser()
    serve = parser.parse_args(["serve"])
    assert (serve.host, serve.port, serve.pace) == ("127.0.0.1", 8765, "realtime")
    assert (serve.require_key, serve.session_expiry) == (None, None)
    relay = parser.parse_args(["relay"])
    assert (relay.host, relay.port, relay.upstream, relay.token) == ("127.0.0.1", 8081, None, None)


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "70000"],
        ["serve", "--pace", "slow"],
        ["serve", "--session-expiry", "-1"],
        ["relay", "--port", "x"],
        ["relay", "--max-queue-bytes", "0"],
        ["relay", "--max-queue-frames", "many"],
        ["bogus"],
    ],
)
def test_bad_arguments_exit_with_2(argv: list[str], capsys: pytest.CaptureFixture[str]):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_relay_without_a_key_for_openai_exits_with_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["relay", "--port", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "OPENAI_API_KEY" in lines[0]


def test_relay_rejects_a_non_websocket_upstream(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.chdir(tmp_path)
    assert main(["relay", "--upstream", "https://example.invalid/v1"]) == 2
    assert "ws://" in capsys.readouterr().err


def test_module_runs_as_a_script(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "console.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: realtime-console" in result.stdout


# -- servers as subprocesses -----------------------------------------------------------------


@asynccontextmanager
async def cli_process(
    args: list[str], cwd: Path, env: dict[str, str]
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """Start ``python -m console.cli ARGS``; yield it with the URL from its first line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "console.cli",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        match = URL_PATTERN.search(line)
        if match is None:
            assert proc.stderr is not None
            err = await asyncio.wait_for(proc.stderr.read(), 30) if line == "" else b""
            pytest.fail(f"no URL in first line {line!r}; stderr: {err.decode()[-2000:]}")
        assert "Ctrl-C" in line
        yield proc, match.group(0)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def interrupt(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    """Send SIGINT as Ctrl-C would; return the exit code and remaining output."""
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_relay_subprocess_relays_and_exits_0_on_ctrl_c(
    upstream: FakeUpstream, tmp_path: Path
):
    secret = "sk-cli-secret-9999"
    env = cli_env(OPENAI_API_KEY=secret)
    args = ["relay", "--port", "0", "--upstream", upstream.url]
    async with cli_process(args, tmp_path, env) as (proc, url):
        async with connect(url + "?model=gpt-realtime") as ws:
            up = await upstream.next_connection()
            await ws.send('{"type":"response.create"}')
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == '{"type":"response.create"}'
        assert up.headers["Authorization"] == f"Bearer {secret}"
        assert "model=gpt-realtime" in up.path
        code, out, err = await interrupt(proc)
    assert code == 0, err
    assert secret not in out + err
    assert "connection 1 closed by client" in err  # the relay logs to stderr


async def test_relay_subprocess_caps_the_queue_before_the_upstream_opens(
    upstream: FakeUpstream, tmp_path: Path
):
    upstream.gate = asyncio.Event()  # the upstream handshake never completes
    env = cli_env(OPENAI_API_KEY="sk-x")
    args = ["relay", "--port", "0", "--upstream", upstream.url]
    args += ["--max-queue-bytes", "1000", "--max-queue-frames", "3"]
    async with cli_process(args, tmp_path, env) as (proc, url):
        async with connect(url) as ws:
            for i in range(4):
                await ws.send(f"frame {i}")
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), TIMEOUT)
            assert ws.close_code == 1008
            assert ws.close_reason == "sent over 3 frames before the upstream opened"
        code, _, err = await interrupt(proc)
    assert code == 0, err
    assert "over the relay's queue cap of 3 frames or 1000 bytes" in err
    assert "(4 queued before open)" in err


async def test_relay_subprocess_requires_its_token(upstream: FakeUpstream, tmp_path: Path):
    from websockets.exceptions import InvalidStatus

    env = cli_env(OPENAI_API_KEY="sk-x")
    args = ["relay", "--port", "0", "--upstream", upstream.url, "--token", "t0k"]
    async with cli_process(args, tmp_path, env) as (proc, url):
        with pytest.raises(InvalidStatus) as info:
            await connect(url)
        assert info.value.response.status_code == 401
        async with connect(url, additional_headers={"Authorization": "Bearer t0k"}) as ws:
            await ws.send("hello")
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "hello"
        code, _, err = await interrupt(proc)
    assert code == 0, err
    assert "the client token is short (3 characters)" in err


def simulator_available() -> None:
    """Skip unless the simulator package provides SimulatorServer."""
    simulator = pytest.importorskip("console.simulator")
    if not hasattr(simulator, "SimulatorServer"):
        pytest.skip("console.simulator has no SimulatorServer yet")


async def test_serve_subprocess_speaks_realtime_and_exits_0_on_ctrl_c(tmp_path: Path):
    simulator_available()
    args = ["serve", "--port", "0", "--pace", "fast"]
    async with cli_process(args, tmp_path, cli_env()) as (proc, url):
        async with connect(url + "?model=gpt-realtime") as ws:
            event = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            assert event["type"] == "session.created"
            assert event["session"]["id"].startswith("sess_")
        code, _, err = await interrupt(proc)
    assert code == 0, err


async def test_serve_subprocess_passes_require_key_and_session_expiry(tmp_path: Path):
    simulator_available()
    args = ["serve", "--port", "0", "--pace", "fast", "--require-key", "sk-needed"]
    args += ["--session-expiry", "0.5"]
    async with cli_process(args, tmp_path, cli_env()) as (proc, url):
        async with connect(url, additional_headers={"Authorization": "Bearer sk-other"}) as ws:
            event = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            assert event["type"] == "error"
            assert event["error"]["code"] == "invalid_api_key"
        async with connect(url, additional_headers={"Authorization": "Bearer sk-needed"}) as ws:
            event = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            assert event["type"] == "session.created"
            await asyncio.wait_for(ws.wait_closed(), TIMEOUT)  # the session expires
            assert ws.close_code == 1001
        code, _, err = await interrupt(proc)
    assert code == 0, err


def test_busy_port_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, request: pytest.FixtureRequest
):
    ws_logger = logging.getLogger("console.relay.websockets")
    request.addfinalizer(lambda level=ws_logger.level: ws_logger.setLevel(level))  # main() sets it
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = ["relay", "--port", str(port), "--upstream", "ws://127.0.0.1:9/v1/realtime"]
        assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"realtime-console: cannot listen on 127.0.0.1:{port}: Address already in use"]


def test_the_packaged_entry_point_is_main():
    import tomllib

    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, attribute = scripts["realtime-console"].partition(":")
    assert (module, attribute) == ("console.cli", "main")
    assert getattr(__import__(module, fromlist=[attribute]), attribute) is main


# -- the console's target and key ------------------------------------------------------------


@pytest.fixture
def console_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Replace opening the app with a recorder of how the CLI would open it."""
    import console.cli.console

    calls: list[dict[str, object]] = []

    async def fake_open(config: ConsoleConfig, simulator_pace: str | None) -> int:
        target = config.target
        calls.append({"url": target.url, "api_key": target.api_key, "pace": simulator_pace})
        return 0

    monkeypatch.setattr(console.cli.console, "open_console", fake_open)
    monkeypatch.setenv("REALTIME_CONSOLE_FORCE_TUI", "1")
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env
    return calls


ENV_KEY = "sk-user-real-key-31415926"
OPENAI = "wss://api.openai.com/v1/realtime"
RELAY = "ws://127.0.0.1:8081/v1/realtime"
EVIL = "wss://api.openai.com.evil.example/v1/realtime"
MIXED_CASE = "wss://API.OpenAI.com/v1/realtime?model=m"


@pytest.mark.parametrize(
    ("argv", "url", "api_key"),
    [
        ([], OPENAI, ENV_KEY),
        (["--url", OPENAI], OPENAI, ENV_KEY),
        (["--url", MIXED_CASE], MIXED_CASE, ENV_KEY),
        (["--url", RELAY], RELAY, None),
        (["--url", EVIL], EVIL, None),
        (["--url", f"{RELAY}?to=api.openai.com"], f"{RELAY}?to=api.openai.com", None),
        (["--url", RELAY, "--token", "relay-token-0001"], RELAY, "relay-token-0001"),
        (["--url", OPENAI, "--token", "sk-other"], OPENAI, "sk-other"),
        (["--simulator"], None, None),
        (["--simulator", "--token", "t"], None, None),
    ],
)
def test_the_env_key_goes_only_to_openai_and_token_to_any_url(
    argv: list[str],
    url: str | None,
    api_key: str | None,
    console_calls: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    assert main(argv) == 0
    [call] = console_calls
    assert (call["url"], call["api_key"]) == (url, api_key)


def test_pace_defaults_to_realtime_for_the_embedded_simulator(
    console_calls: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main([]) == 0 and main(["--pace", "fast"]) == 0
    assert [(c["url"], c["pace"]) for c in console_calls] == [(None, "realtime"), (None, "fast")]


def test_the_console_reads_the_key_from_dotenv_like_the_relay(
    console_calls: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={ENV_KEY}\n")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    assert console_calls == [{"url": OPENAI, "api_key": ENV_KEY, "pace": None}]


def test_without_a_key_the_target_says_simulator_no_api_key_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from console.cli import build_parser, console_target

    monkeypatch.chdir(tmp_path)
    target, simulator = console_target(build_parser().parse_args([]), None)
    assert simulator and target.label == "simulator — no API key set"
    target, simulator = console_target(build_parser().parse_args(["--simulator"]), ENV_KEY)
    assert simulator and target.api_key is None and "--simulator" in target.label
    target, _ = console_target(build_parser().parse_args([]), ENV_KEY)
    assert ENV_KEY not in repr(target) and target.label == "OpenAI"


def test_a_console_that_is_not_on_a_terminal_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REALTIME_CONSOLE_FORCE_TUI", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main([]) == 2  # pytest captures stdout: not a terminal
    assert "needs a terminal" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", RELAY, "--simulator"], "not allowed with argument --url"),
        (["--simulator", "--url", RELAY], "not allowed with argument --simulator"),
        (["--url", RELAY, "--pace", "fast"], "--pace"),
    ],
)
def test_console_target_conflicts_exit_with_2(
    argv: list[str],
    message: str,
    console_calls: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and message in err.splitlines()[-1]
    assert console_calls == []


def test_help_documents_the_console_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--token TOKEN" in out and "relay's --token" in out
    assert "OPENAI_API_KEY is sent only to api.openai.com" in out
