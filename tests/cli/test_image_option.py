"""``--image`` with ``--dialect beta`` is refused up front: the beta protocol has no image input
(the server answers ``invalid_value: 'input_image'`` and the response still goes out), so the
console exits 2 with one line rather than open a session that greets instead of looking."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.app.config import ConsoleConfig
from console.cli import build_parser, main
from tests.images import png


def test_beta_with_an_image_exits_2_with_one_line(
    opened: list[ConsoleConfig], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "img.png"
    image.write_bytes(png(64, 48))
    assert main(["--dialect", "beta", "--image", str(image), "--no-audio"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--image" in err and "--dialect beta" in err
    assert opened == []  # the app never opened
    assert "GA dialect only" in " ".join(build_parser().format_help().split())
    assert main(["--dialect", "ga", "--image", str(image), "--no-audio"]) == 0
    assert [p["type"] for p in opened[0].first_message] == ["input_image"]
