"""``--transport``: WebSocket by default, ``webrtc`` reaches the target (and so the client);
a WebRTC call cannot speak the beta dialect, which the command line says in one line."""

from __future__ import annotations

import pytest

from console.app.config import ConsoleConfig
from console.cli import main


def test_websocket_is_the_default(opened: list[ConsoleConfig]) -> None:
    assert main([]) == 0
    assert opened[-1].target.transport == "websocket"


@pytest.mark.parametrize("where", [[], ["--url", "ws://127.0.0.1:9/v1/realtime"]])
def test_webrtc_reaches_the_target(opened: list[ConsoleConfig], where: list[str]) -> None:
    assert main([*where, "--transport", "webrtc", "--token", "ek_test_secret_123"]) == 0
    target = opened[-1].target
    assert target.transport == "webrtc"
    assert "ek_test_secret_123" not in repr(target)


def test_webrtc_with_the_beta_dialect_is_refused(
    opened: list[ConsoleConfig], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--transport", "webrtc", "--dialect", "beta"]) == 2
    assert "GA dialect only" in capsys.readouterr().err
    assert opened == []
