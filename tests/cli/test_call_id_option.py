"""``--call-id``: attaches to a call on OpenAI or ``--url``'s server with the key; registers no
tools and opens no audio; every case it cannot serve is one line and exit 2."""

from __future__ import annotations

import pytest

from console.app.config import ConsoleConfig
from console.cli import main

URL = ["--url", "ws://127.0.0.1:9/v1/realtime"]


def test_call_id_attaches_without_tools_or_audio(opened: list[ConsoleConfig]) -> None:
    assert main([*URL, "--token", "sk-test", "--call-id", "rtc_abc"]) == 0
    config = opened[-1]
    assert config.target.call_id == "rtc_abc"
    assert not config.demo_tools and not config.audio and config.tools == []


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ([], "embedded simulator has no calls"),
        ([*URL], "needs the key"),
        ([*URL, "--token", "sk-test", "--transport", "webrtc"], "drop --transport webrtc"),
        ([*URL, "--token", "sk-test", "--tools", "tools.py"], "--tools does not go with"),
        ([*URL, "--token", "ek_abc123"], "the sideband needs the API key"),
        ([*URL, "--token", "sk-test", "--dialect", "beta"], "the sideband speaks GA"),
    ],
)
def test_call_id_refusals_are_one_line(
    opened: list[ConsoleConfig],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    says: str,
) -> None:
    assert main([*extra, "--call-id", "rtc_abc"]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
    assert opened == []
    assert "ek_abc123" not in err
