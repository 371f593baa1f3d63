"""``--transcription``: parsed into the app's configuration; refused where it cannot work."""

from __future__ import annotations

import argparse

import pytest

from console.cli import build_parser, main
from console.cli.console import console_config, transcription_problem
from console.inspector.connection import Target


def test_the_option_reaches_the_app_configuration() -> None:
    args = build_parser().parse_args(["--transcription", "--no-audio"])
    config = console_config(args, Target("ws://127.0.0.1:9/v1/realtime"))
    assert config.transcription
    plain = build_parser().parse_args(["--no-audio"])
    assert not console_config(plain, Target("ws://127.0.0.1:9/v1/realtime")).transcription
    assert "transcription session" in " ".join(build_parser().format_help().split())


@pytest.mark.parametrize(
    ("transport", "call_id", "named"),
    [("webrtc", None, "--transport webrtc"), ("websocket", "rtc_123", "--call-id")],
)
def test_it_is_refused_with_webrtc_or_an_attached_call(
    transport: str, call_id: str | None, named: str
) -> None:
    args = argparse.Namespace(transcription=True, transport=transport, call_id=call_id)
    problem = transcription_problem(args)
    assert problem is not None and named in problem and "\n" not in problem
    args.transcription = False
    assert transcription_problem(args) is None


def test_the_console_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--transcription", "--call-id", "rtc_123"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--transcription" in err
