"""``realtime-console report FILE.jsonl [--json | --csv] [--prices FILE.toml]``: the turn table and
the session summary of a recording, printed; and ``--prices`` for the console and its replay.

A file that cannot be read, or a prices file that cannot be used, is one line on stderr and exit
code 2; a bare log from another tool (no times) still gives counts, usage and cost, and says that
its timings are unavailable.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from console.app.config import ConsoleConfig
from console.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORDING = REPO_ROOT / "tests" / "app" / "fixtures" / "conversation.jsonl"

USAGE: dict[str, Any] = {
    "total_tokens": 130,
    "input_tokens": 100,
    "output_tokens": 30,
    "input_token_details": {"cached_tokens": 0, "text_tokens": 100, "audio_tokens": 0},
    "output_token_details": {"text_tokens": 10, "audio_tokens": 20},
}


def bare_log(path: Path, model: str = "gpt-realtime") -> Path:
    """One bare event per line, no times: what another tool's log looks like."""
    events = [
        {"type": "session.created", "session": {"model": model}},
        {"type": "response.create"},
        {"type": "response.created", "response": {"id": "resp_1"}},
        {"type": "response.output_audio.delta", "response_id": "resp_1", "delta": "AAAA"},
        {"type": "response.done", "response": {"id": "resp_1", "status": "completed"}},
    ]
    events[-1]["response"]["usage"] = USAGE
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("realtime-console report: ")
    return lines[0]


# -- the recording's figures -----------------------------------------------------------------


def test_the_text_report_has_the_turn_table_and_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", str(RECORDING)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{RECORDING.name}: 48 events (ga dialect), 2 turns")
    assert "#  trigger" in out and "first audio" in out
    assert "tokens:" in out and "cost:" in out and "cost unknown" not in out
    assert "timings unavailable" not in out


def test_the_json_report_keeps_its_documented_contract(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", str(RECORDING), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"turns", "summary"}
    assert isinstance(report["turns"], list) and len(report["turns"]) == 2
    for turn in report["turns"]:
        assert set(turn) >= {
            "response_id",
            "trigger",
            "status",
            "created_ms",
            "first_text_ms",
            "first_audio_ms",
            "done_ms",
            "usage",
            "cost_usd",
        }
        assert turn["trigger"] in ("speech", "text", "tool", "commit", "other")
        assert turn["response_id"].startswith("resp_") and turn["status"] == "completed"
        for name in ("created_ms", "done_ms"):
            assert isinstance(turn[name], int) and turn[name] >= 0
        for name in ("first_text_ms", "first_audio_ms"):  # null: the call said nothing
            assert turn[name] is None or (isinstance(turn[name], int) and turn[name] >= 0)
        assert isinstance(turn["usage"], dict) and isinstance(turn["usage"]["total_tokens"], int)
        assert isinstance(turn["cost_usd"], float) and turn["cost_usd"] > 0
    # The set_memory call (no text, no audio), then the answer its output asked for.
    assert [turn["trigger"] for turn in report["turns"]] == ["text", "tool"]
    assert report["turns"][0]["first_audio_ms"] is None
    assert isinstance(report["turns"][1]["first_audio_ms"], int)
    summary = report["summary"]
    assert set(summary) >= {"turns", "first_audio_ms", "tokens", "cost_usd"}
    assert summary["turns"] == 2
    assert set(summary["first_audio_ms"]) >= {"p50", "p95", "max"}
    assert all(isinstance(summary["first_audio_ms"][k], int) for k in ("p50", "p95", "max"))
    tokens = summary["tokens"]
    assert set(tokens) >= {"input", "output", "total"}
    assert tokens["total"] == sum(turn["usage"]["total_tokens"] for turn in report["turns"])
    assert tokens["total"] == tokens["input"] + tokens["output"]
    assert summary["cost_usd"] == pytest.approx(sum(t["cost_usd"] for t in report["turns"]))


def test_the_csv_report_has_one_row_per_turn(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(RECORDING), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["trigger"] for row in rows] == ["text", "tool"]
    assert [row["first_audio_ms"].isdigit() for row in rows] == [False, True]
    assert all(row["cost_usd"] for row in rows)


def test_json_and_csv_are_one_or_the_other(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(RECORDING), "--json", "--csv"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


# -- a bare log from another tool --------------------------------------------------------------


def test_a_bare_log_gives_counts_usage_and_cost_but_no_timings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = bare_log(tmp_path / "other-tool.jsonl")
    assert main(["report", str(log)]) == 0
    out = capsys.readouterr().out
    assert "timings unavailable" in out
    # gpt-realtime: 100 text in at $4/M + 10 text out at $16/M + 20 audio out at $64/M
    cost = (100 * 4.00 + 10 * 16.00 + 20 * 64.00) / 1_000_000
    assert f"${cost:.4f}" in out

    assert main(["report", str(log), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    (turn,) = report["turns"]
    assert turn["usage"] == USAGE and turn["cost_usd"] == pytest.approx(cost)
    assert turn["audio_ms"] == 0  # 3 bytes of PCM16 at 48,000 bytes/s
    for name in ("created_ms", "first_text_ms", "first_audio_ms", "done_ms"):
        assert turn[name] is None
    assert report["summary"]["timed"] is False
    unknown = {"count": 0, "p50": None, "p95": None, "max": None}
    assert report["summary"]["first_audio_ms"] == unknown
    assert report["summary"]["tokens"]["total"] == 130
    assert "timings unavailable" in captured.err  # stdout stays machine-readable

    assert main(["report", str(log), "--csv"]) == 0
    captured = capsys.readouterr()
    (row,) = csv.DictReader(io.StringIO(captured.out))
    assert row["first_audio_ms"] == "" and row["input_text"] == "100"
    assert "timings unavailable" in captured.err


def test_a_log_of_an_unpriced_model_says_cost_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = bare_log(tmp_path / "other.jsonl", model="gpt-realtime-3")
    assert main(["report", str(log)]) == 0
    assert "cost unknown" in capsys.readouterr().out
    assert main(["report", str(log), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["turns"][0]["cost_usd"] is None and report["summary"]["cost_usd"] is None


def test_skipped_lines_are_told_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = bare_log(tmp_path / "log.jsonl")
    log.write_text(log.read_text() + "{not json\n", encoding="utf-8")
    assert main(["report", str(log), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["summary"]["turns"] == 1
    assert "1 malformed line skipped (line 6: invalid JSON" in captured.err


# -- what cannot be read -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        ("", "holds no event"),
        ("{not json\n", "holds no event; 1 malformed line(s)"),
        (b"\xff\xfe\n", "holds no event; 1 malformed line(s)"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_line_and_exit_2(
    content: str | bytes | None, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "session.jsonl"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    assert main(["report", str(path)]) == 2
    line = one_error_line(capsys)
    assert reason in line and str(path) in line


def test_a_directory_is_not_a_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "Is a directory" in one_error_line(capsys)


# -- --prices ----------------------------------------------------------------------------------

CUSTOM_PRICES = """
[models."gpt-realtime"]
source = "our contract"
date = "2026-12-01"
text = { input = 1.00, output = 2.00 }
audio = { input = 10.00, output = 20.00 }

[models."gpt-realtime-3"]
text = { input = 8.00, cached_input = 0.80, output = 32.00 }
audio = { input = 64.00, cached_input = 0.80, output = 128.00 }
"""


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    path = tmp_path / "prices.toml"
    path.write_text(CUSTOM_PRICES, encoding="utf-8")
    return path


def test_prices_override_and_extend_the_table_in_the_report(
    tmp_path: Path, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = bare_log(tmp_path / "known.jsonl")
    new = bare_log(tmp_path / "new.jsonl", model="gpt-realtime-3")
    for log, (text_in, text_out, audio_out) in ((known, (1, 2, 20)), (new, (8, 32, 128))):
        for argv in (["report", str(log), "--json", "--prices", str(prices)],
                     ["--prices", str(prices), "report", str(log), "--json"]):  # fmt: skip
            assert main(argv) == 0
            (turn,) = json.loads(capsys.readouterr().out)["turns"]
            # 100 text in, 10 text out, 20 audio out at the file's prices per 1M tokens
            expected = (100 * text_in + 10 * text_out + 20 * audio_out) / 1_000_000
            assert turn["cost_usd"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "No such file or directory"),
        ("[models.x\n", "not TOML"),
        ('[models."m"]\ntext = { input = -1 }\n', "a price must be a number of dollars >= 0"),
        ('[models."m"]\nspeech = 1\n', "unknown key speech"),
        ("x = 1\n", 'expected [models."<model id>"] tables'),
    ],
)
def test_a_bad_prices_file_is_one_line_and_exit_2(
    content: str | None,
    reason: str,
    tmp_path: Path,
    opened: list[ConsoleConfig],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "prices.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["report", str(RECORDING), "--prices", str(path)]) == 2
    line = one_error_line(capsys)
    assert reason in line and str(path) in line
    for argv in (["--prices", str(path)], ["--prices", str(path), "replay", str(RECORDING)]):
        assert main(argv) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("realtime-console") and reason in err[0]
    assert opened == []


def test_prices_reach_the_console_and_the_replay(prices: Path, opened: list[ConsoleConfig]) -> None:
    assert main([]) == 0
    assert opened[-1].prices is None
    assert main(["--prices", str(prices)]) == 0
    assert opened[-1].prices == prices
    assert main(["--prices", str(prices), "replay", str(RECORDING)]) == 0
    assert opened[-1].prices == prices and opened[-1].replay is not None


def test_the_app_prices_its_turns_with_the_file(prices: Path) -> None:
    from console.app.app import make_app
    from console.inspector.connection import Target

    target = Target(None, None, "ga", None, "test")
    app = make_app(ConsoleConfig(target=target, autoconnect=False, prices=prices))
    table = app.inspector.turns.prices
    extended, overridden = table.lookup("gpt-realtime-3"), table.lookup("gpt-realtime")
    assert extended is not None and extended.text.output == 32.00
    assert overridden is not None and overridden.source == "our contract"
    # A kind the file gives replaces the shipped one whole; a kind it leaves out stays.
    assert overridden.text.cached_input is None and overridden.image.input == 5.00
    plain = make_app(ConsoleConfig(target=target, autoconnect=False)).inspector.turns.prices
    assert plain.lookup("gpt-realtime-3") is None


def test_a_reader_that_stops_early_ends_the_report_quietly(tmp_path: Path) -> None:
    """``report FILE | head``: the closed pipe is no traceback and no error."""
    import subprocess
    import sys

    log = tmp_path / "many.jsonl"
    with log.open("w", encoding="utf-8") as out:
        for n in range(3000):  # a report far longer than a pipe's buffer
            out.write(json.dumps({"type": "response.created", "response": {"id": f"r{n}"}}) + "\n")
            done = {"id": f"r{n}", "status": "completed", "usage": USAGE}
            out.write(json.dumps({"type": "response.done", "response": done}) + "\n")
    command = [sys.executable, "-m", "console.cli", "report", str(log)]
    with subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"many.jsonl: 6000 events")
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0, err
    assert err == ""


def test_the_readme_prices_example_is_a_valid_prices_file(tmp_path: Path) -> None:
    import re

    from console.inspector.prices import PriceTable

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", readme, re.S)
    path = tmp_path / "prices.toml"
    path.write_text(example, encoding="utf-8")
    table = PriceTable.default().with_file(path)
    assert table.lookup("my-realtime-model") is not None
