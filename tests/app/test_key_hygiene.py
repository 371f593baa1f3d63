"""Key hygiene: a console session with a known fake key, every output channel searched for it.

The screen (Pilot's export), debug logs of every logger (websockets' included, lowered to DEBUG),
the ``--record`` recording, an export, a saved screenshot, and the texts of failures (a wrong key
refused by the server: the status bar, the toast, the exception and its traceback).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.inspector.connection import Target
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.app.conftest import (
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
    settled,
    until,
)

KEY = "sk-test-hygiene-5f0c1e9a7b3d42c8a6e1"
WRONG_KEY = "sk-test-wrongkey-0b9e8d7c6a5f4e3d2c1b"
SERVER_LOGGER = "websockets.server"
"""The simulator's side of the socket, in this process only because the test runs it."""
SECRETS = (KEY, WRONG_KEY, KEY[8:], WRONG_KEY[8:])  # also without the sk- prefix the logs mask


class Everything(logging.Handler):
    """Keeps every record's formatted text (message, arguments and exception)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.records: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, self.format(record)))

    def text(self, *, server_side: bool) -> str:
        """The client's and console's lines, or the in-process simulator's (websockets.server)."""
        return "\n".join(
            line for name, line in self.records if name.startswith(SERVER_LOGGER) == server_side
        )


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    """Every logger at DEBUG (websockets' handshake lines included), restored afterwards."""
    handler = Everything()
    root = logging.getLogger()
    names = ["", "websockets", "websockets.client", "websockets.server", "asyncio", "textual"]
    names += list(logging.Logger.manager.loggerDict)
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def read(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def assert_no_key(channel: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"the key appears in {channel}"


async def test_the_key_reaches_no_output_channel(tmp_path: Path, all_logs: Everything) -> None:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        record = tmp_path / "session.jsonl"
        target = Target(server.url, api_key=KEY, label="simulator — hygiene")
        app = console_app(None, target=target, record_path=record)
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            await settled(app)
            done = expect(app, server_event("response.done"))
            app.client.send_user_message_content([{"type": "input_text", "text": "hello"}])
            await done
            app.render_frame()
            await pilot.pause()
            client_logs = all_logs.text(server_side=False)
            assert "Authorization: [redacted]" in client_logs  # the handshake lines were seen
            assert_no_key("the screen", app.export_screenshot())
            assert_no_key("the screen text", screen_text(app))
            export = tmp_path / "export.jsonl"
            app.action_export_events(str(export))
            assert export.stat().st_size > 0
            assert_no_key("the export", read(export))
            shot = app.save_screenshot("shot.svg", str(tmp_path))
            assert_no_key("the saved screenshot", read(shot))
            assert_no_key("the client's repr", repr(app.client.realtime) + repr(target))
            assert_no_key("the status", str(app.inspector.connection))

        wrong = Target(server.url, api_key=WRONG_KEY, label="simulator — wrong key")
        refused = console_app(None, target=wrong)
        async with refused.run_test(size=(160, 48)) as pilot:
            await settled(refused)
            refused.render_frame()
            await pilot.pause()
            await until(  # the simulator refuses in the session: an error, close 3000
                pilot,
                lambda: refused.inspector.connection.state == "disconnected",
                "the refusal's close",
            )
            refused.render_frame()
            await pilot.pause()
            status = refused.inspector
            assert status.connection.state == "disconnected" and status.last_error
            failure_text = f"{status.connection.detail} {status.last_error}"
            assert "key" in failure_text.lower(), failure_text
            assert_no_key("the failure's detail and error", failure_text)
            assert_no_key("the failure on screen", refused.export_screenshot())
            notes = " ".join(str(n.message) for n in refused._notifications)
            assert_no_key("the failure's toast", notes)

        client = RealtimeClient(url=server.url, api_key=WRONG_KEY)
        errors: list[dict[str, object]] = []
        client.on("error", errors.append)
        await client.connect()
        with pytest.raises(ConnectionError) as failure:  # refused: closed while waiting
            await client.wait_for_session_created(5)
        text = "".join(traceback.format_exception(failure.value))
        assert errors, "the refusal is reported"
        assert_no_key("the exception and its traceback", text + repr(failure.value))
        assert_no_key("the error events", repr(errors))

    assert record.stat().st_size > 0
    assert_no_key("the recording", read(record))
    assert_no_key("the debug logs", all_logs.text(server_side=False))


async def test_the_simulators_own_debug_log_hides_the_key(all_logs: Everything) -> None:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        client = RealtimeClient(url=server.url, api_key=KEY)
        await client.connect()
        assert await client.wait_for_session_created(5)
        await client.disconnect()
    assert_no_key("the simulator's debug log", all_logs.text(server_side=True))
