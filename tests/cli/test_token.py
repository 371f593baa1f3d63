"""``realtime-console token``: mint an ephemeral secret from a ``--url`` server (the simulator
here, over real HTTP) and print the answer as JSON; errors in one line, exit 2.

The CLI runs in a worker thread (it calls ``asyncio.run``) while the simulator serves on the
test's loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from console.cli import main
from console.realtime.secrets import ClientSecretError, create_client_secret, http_base
from console.simulator import SimulatorServer


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[SimulatorServer]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    async with SimulatorServer(pace="fast", require_key="sk-server") as srv:
        yield srv


async def run(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


def test_http_base_from_the_websocket_url() -> None:
    assert http_base("ws://127.0.0.1:8765/v1/realtime") == "http://127.0.0.1:8765/v1"
    assert http_base("wss://api.openai.com/v1/realtime?model=x") == "https://api.openai.com/v1"
    assert http_base("ws://h:1/v1/realtime/") == "http://h:1/v1"
    assert http_base("ws://h:1/") == "http://h:1/v1"
    assert http_base("https://relay.example/base/v1/realtime") == "https://relay.example/base/v1"


async def test_token_prints_the_secret(
    server: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = tmp_path / "session.json"
    session.write_text(json.dumps({"type": "realtime", "instructions": "Be brief."}))
    code = await run(
        "--url", server.url, "--token", "sk-server", "token", "--expires", "60",
        "--session", str(session),
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    answer = json.loads(out)
    assert answer["value"].startswith("ek_")
    assert answer["session"]["instructions"] == "Be brief."
    assert server.client_secrets.lookup(answer["value"]) is not None


async def test_token_options_after_the_command(
    server: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run("token", "--url", server.url, "--token", "sk-server")
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["value"].startswith("ek_")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("{not json", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
async def test_bad_session_file_is_one_line_exit_2(
    server: SimulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    expected: str,
) -> None:
    session = tmp_path / "s.json"
    if content is not None:
        session.write_text(content)
    code = await run("--url", server.url, "token", "--session", str(session))
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert expected in err
    assert err.count("\n") == 1


async def test_http_errors_carry_the_servers_message(
    server: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run("--url", server.url, "--token", "sk-wrong-key-123", "token")
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "401" in err and "Incorrect API key" in err
    assert "sk-wrong-key-123" not in err
    assert err.count("\n") == 1
    code = await run("--url", server.url, "--token", "sk-server", "token", "--expires", "5")
    _, err = capsys.readouterr()
    assert code == 2 and "400" in err and "expires_after.seconds" in err


async def test_unreachable_server_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv = SimulatorServer(pace="fast")
    await srv.start()
    url = srv.url
    await srv.stop()  # nothing listens on that port now
    code = await run("--url", url, "token")
    _, err = capsys.readouterr()
    assert code == 2 and "cannot reach" in err and err.count("\n") == 1


async def test_openai_needs_a_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    code = await run("token")
    _, err = capsys.readouterr()
    assert code == 2 and "OPENAI_API_KEY" in err


async def test_library_call(server: SimulatorServer) -> None:
    answer = await create_client_secret(server.http_url, "sk-server", 30, {"type": "realtime"})
    assert answer["value"].startswith("ek_")
    with pytest.raises(ClientSecretError, match="401"):
        await create_client_secret(server.http_url, "sk-nope-nope", None, None)
