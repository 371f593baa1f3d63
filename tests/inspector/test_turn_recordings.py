"""Turns rebuilt from committed recordings, every latency to the millisecond, and each
recording's cost against a hand computation.

The recordings (``fixtures/turns/<dialect>-<case>.jsonl``) were made by
``fixtures/make_turn_recordings.py``: the console's parts on the simulator at real-time pace,
replies played into a PulseAudio null sink (so they hold the console's own
``local.playback.*`` marks), G.711 audio both ways (8,000 bytes per second: 1 ms is 8 bytes).
Their times start at 12:00:00.000; the comments below read them as seconds past 12:00
(``02.342`` is 12:00:02.342) and give each latency's arithmetic.

Prices (``console/inspector/data/prices.toml``), US dollars per 1M tokens:
GA sessions run ``gpt-realtime``: text in 4, audio in 32, text out 16, audio out 64; their
transcription model ``whisper-1`` costs $0.006 per minute. Beta sessions run
``gpt-4o-realtime-preview-2024-12-17`` (priced as ``gpt-4o-realtime-preview``): text in 5,
audio in 40, text out 20, audio out 80; their ``gpt-4o-transcribe`` costs 2.50 per 1M audio
tokens in and 10 per 1M tokens out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

from console.cli.report import build_turns
from console.inspector.prices import PriceTable
from console.inspector.recording import load_recording, replay_into
from console.inspector.store import EventStore
from console.inspector.turn_summary import report_json, summarize
from console.inspector.turns import Turn, TurnModel
from console.realtime import RealtimeConversation

FIXTURES = Path(__file__).parent / "fixtures" / "turns"
START = 1_767_268_800.0  # 2026-01-01 12:00:00 UTC
M = 1_000_000  # tokens per price unit


class Figures(NamedTuple):
    """A turn's latencies from its trigger, in whole ms (None: unknown)."""

    created: int | None
    first_text: int | None
    first_audio: int | None
    first_heard: int | None
    done: int | None


def ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def figures(turn: Turn) -> Figures:
    return Figures(
        *(
            ms(value)
            for value in (
                turn.created_ms,
                turn.first_text_ms,
                turn.first_audio_ms,
                turn.first_heard_ms,
                turn.done_ms,
            )
        )
    )


def at(seconds: float) -> float:
    """The recording's time ``seconds`` past 12:00:00."""
    return START + seconds


def replayed(name: str) -> TurnModel:
    """The turns of a recording, rebuilt as the console's replay rebuilds them (its store)."""
    store, turns = EventStore(), TurnModel()
    store.listen(turns.observe)
    replay_into(load_recording(FIXTURES / f"{name}.jsonl"), RealtimeConversation(), store)
    return turns


def cost(name: str) -> float | None:
    return summarize(replayed(name)).cost_usd


DIALECTS = ("ga", "beta")
ALL = sorted(path.stem for path in FIXTURES.glob("*.jsonl"))


def test_every_case_is_there_in_both_dialects() -> None:
    cases = ("barge_in", "cancelled", "late_transcript", "reconnect", "text", "tool", "voice")
    assert sorted(f"{d}-{case}" for d in DIALECTS for case in cases) == ALL


# -- a typed message -----------------------------------------------------------------------------


def test_text() -> None:
    (ga,) = replayed("ga-text").all()
    # response.create 02.342; response.created 02.343 (1); the first transcript delta 02.554
    # (212) and audio delta 02.555 (213); local.playback.started 02.570 (228); done 02.776 (434)
    assert (ga.trigger, ga.trigger_at) == ("text", pytest.approx(at(2.342)))
    assert figures(ga) == (1, 212, 213, 228, 434)
    assert (ga.status, ga.audio_ms, ga.heard_ms, ga.truncated_ms) == ("completed", 690, 690, None)
    assert ms(ga.since_trigger(ga.last_heard_at)) == 913  # playback.stopped 03.255 - 02.342
    (beta,) = replayed("beta-text").all()
    # response.create 02.471; created 02.472 (1); text and audio deltas 02.674 (203);
    # playback.started 02.685 (214); done 02.905 (434)
    assert (beta.trigger, figures(beta)) == ("text", (1, 203, 203, 214, 434))
    assert (beta.status, beta.audio_ms, beta.heard_ms) == ("completed", 690, 690)

    # usage: 1 text in; 3 text and 13 audio tokens out
    assert cost("ga-text") == pytest.approx((1 * 4 + 3 * 16 + 13 * 64) / M)  # $0.000884
    assert cost("beta-text") == pytest.approx((1 * 5 + 3 * 20 + 13 * 80) / M)  # $0.001105


# -- server_vad voice turns ------------------------------------------------------------------


def test_voice() -> None:
    (ga,) = replayed("ga-voice").all()
    # speech_started 02.699 (audio_start_ms 0), speech_stopped 03.900 (audio_end_ms 1430): the
    # trigger. created 03.900 (0); text and audio deltas 04.102 (202); playback.started 04.111
    # (211); done 04.486 (586); the transcription completed 04.202 (302), before done
    assert (ga.trigger, ga.trigger_at, ga.speech_started_at) == (
        "speech",
        pytest.approx(at(3.900)),
        pytest.approx(at(2.699)),
    )
    assert (ga.speech_start_ms, ga.speech_end_ms) == (0, 1430)
    assert figures(ga) == (0, 202, 202, 211, 586)
    assert ms(ga.transcribed_ms) == 302 and ga.transcribed_at < ga.done_at  # type: ignore[operator]
    assert (ga.status, ga.audio_ms, ga.heard_ms) == ("completed", 1150, 1150)
    (beta,) = replayed("beta-voice").all()
    # speech_stopped 03.874; created 03.874 (0); transcript delta 04.075 (201), audio delta
    # 04.076 (202); playback.started 04.086 (212); done 04.460 (586); transcribed 04.276 (402)
    assert (beta.trigger, beta.speech_end_ms) == ("speech", 1430)
    assert figures(beta) == (0, 201, 202, 212, 586)
    assert ms(beta.transcribed_ms) == 402 and beta.heard_ms == 1150

    # usage: 4 text and 28 audio tokens in; 6 text and 23 audio out. The transcription:
    # whisper-1 by duration (1.43 s), gpt-4o-transcribe by tokens (28 audio in, 4 out).
    ga_response = (4 * 4 + 28 * 32 + 6 * 16 + 23 * 64) / M  # $0.002480
    beta_response = (4 * 5 + 28 * 40 + 6 * 20 + 23 * 80) / M  # $0.003100
    assert cost("ga-voice") == pytest.approx(ga_response + 1.43 / 60 * 0.006)  # + $0.000143
    assert cost("beta-voice") == pytest.approx(beta_response + (28 * 2.5 + 4 * 10) / M)
    transcription = report_json(replayed("ga-voice"))["summary"]["transcription_cost_usd"]
    assert transcription == pytest.approx(1.43 / 60 * 0.006)


def test_late_transcript() -> None:
    (ga,) = replayed("ga-late_transcript").all()
    # speech_stopped 03.879; created 03.879 (0); deltas 04.081 (202); playback.started 04.093
    # (214); done 04.466 (587); the transcription completed 06.380 (2501): after done
    assert figures(ga) == (0, 202, 202, 214, 587)
    assert ms(ga.transcribed_ms) == 2501 and ga.transcribed_at > ga.done_at  # type: ignore[operator]
    (beta,) = replayed("beta-late_transcript").all()
    # speech_stopped 03.875; created 03.876 (1); deltas 04.077 (202); playback.started 04.089
    # (214); done 04.462 (587); transcribed 06.480 (2605)
    assert figures(beta) == (1, 202, 202, 214, 587)
    assert ms(beta.transcribed_ms) == 2605
    # The same usage and transcription as the voice case.
    assert cost("ga-late_transcript") == pytest.approx(
        (4 * 4 + 28 * 32 + 6 * 16 + 23 * 64) / M + 1.43 / 60 * 0.006
    )
    assert cost("beta-late_transcript") == pytest.approx(
        (4 * 5 + 28 * 40 + 6 * 20 + 23 * 80 + 28 * 2.5 + 4 * 10) / M
    )


# -- a tool call with a preamble -------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "first", "second", "handler_ms"),
    [
        # response.create 02.470; created 02.471 (1); deltas 02.674 (204); playback.started
        # 02.684 (214); done 03.321 (851). Arguments done 03.320, output sent 03.321 (1 ms);
        # then response.create 03.321; created 03.322 (1); deltas 03.525 (204); done 04.211
        # (890); heard only once the preamble had played: playback.started 04.465 (1144)
        ("ga", (1, 204, 204, 214, 851), (1, 204, 204, 1144, 890), 1),
        # response.create 02.469; created 02.471 (2); transcript 02.672 (203), audio 02.673
        # (204); playback.started 02.684 (215); done 03.320 (851). Arguments done and output
        # sent 03.320 (0 ms); response.create 03.321; created 03.321 (0); deltas 03.523 (202);
        # done 04.210 (889); playback.started 04.464 (1143)
        ("beta", (2, 203, 204, 215, 851), (0, 202, 202, 1143, 889), 0),
    ],
)
def test_tool(
    dialect: str, first: tuple[int, ...], second: tuple[int, ...], handler_ms: int
) -> None:
    turns = replayed(f"{dialect}-tool")
    asked, answered = turns.all()
    assert (asked.trigger, answered.trigger) == ("text", "tool")
    assert (figures(asked), figures(answered)) == (first, second)
    (call,) = turns.calls(asked)
    assert (call.name, call.arguments, ms(call.handler_ms)) == (
        "get_weather",
        '{"city":"Paris"}',
        handler_ms,
    )
    # The preamble is the first response's audio; the tool's answer is the second's.
    assert len(asked.item_ids) == 2 and turns.for_item(call.item_id or "") is asked
    assert (asked.audio_ms, asked.heard_ms, answered.audio_ms, answered.heard_ms) == (
        1780,
        1780,
        2060,
        2060,
    )
    assert answered.user_item_id is not None and turns.for_item(answered.user_item_id) is answered


def test_tool_costs() -> None:
    # usage: 7 text in; 13 text and 35 audio out; then 23 text and 35 audio in; 10 text and 41
    # audio out
    ga = (7 * 4 + 13 * 16 + 35 * 64) + (23 * 4 + 35 * 32 + 10 * 16 + 41 * 64)  # 2476 + 3996
    beta = (7 * 5 + 13 * 20 + 35 * 80) + (23 * 5 + 35 * 40 + 10 * 20 + 41 * 80)  # 3095 + 4995
    assert cost("ga-tool") == pytest.approx(ga / M)
    assert cost("beta-tool") == pytest.approx(beta / M)


# -- a barge-in --------------------------------------------------------------------------------


def test_barge_in() -> None:
    ga_reply, ga_speech = replayed("ga-barge_in").all()
    # response.create 02.473; created 02.474 (1); transcript 02.675 (202), audio 02.676 (203);
    # playback.started 02.687 (214); done 03.306 (833). The user spoke over it: the console cut
    # playback at 1206 ms (playback.stopped 03.893, interrupted; truncate audio_end_ms 1206)
    # of the 1890 ms received.
    assert figures(ga_reply) == (1, 202, 203, 214, 833)
    assert (ga_reply.audio_ms, ga_reply.heard_ms, ga_reply.truncated_ms) == (1890, 1206, 1206)
    assert ms(ga_reply.since_trigger(ga_reply.last_heard_at)) == 1420  # 03.893 - 02.473
    # The speech: speech_stopped 04.484 (audio_end_ms 810); created 04.484 (0); deltas 04.686
    # (202); playback.started 04.696 (212); done 05.070 (586); transcribed 04.784 (300)
    assert (ga_speech.trigger, ga_speech.speech_end_ms) == ("speech", 810)
    assert figures(ga_speech) == (0, 202, 202, 212, 586)
    assert ms(ga_speech.transcribed_ms) == 300 and ga_speech.heard_ms == 1150

    beta_reply, beta_speech = replayed("beta-barge_in").all()
    # response.create 02.470; created 02.471 (1); transcript 02.672 (202), audio 02.673 (203);
    # playback.started 02.682 (212); done 03.304 (834); cut at 1202 ms. Then speech_stopped
    # 04.476; created 04.476 (0); deltas 04.677 (201); playback.started 04.689 (213); done
    # 05.061 (585); transcribed 04.877 (401)
    assert figures(beta_reply) == (1, 202, 203, 212, 834)
    assert (beta_reply.heard_ms, beta_reply.truncated_ms) == (1202, 1202)
    assert figures(beta_speech) == (0, 201, 201, 213, 585)
    assert ms(beta_speech.transcribed_ms) == 401

    # usage: 7 text in, 9 text and 37 audio out; then 15 text and 40 audio in, 6 text and 23
    # audio out; the speech transcribed: 0.81 s (whisper-1), 16 audio in and 4 out (beta)
    ga = (7 * 4 + 9 * 16 + 37 * 64) + (15 * 4 + 40 * 32 + 6 * 16 + 23 * 64)  # 2540 + 2908
    beta = (7 * 5 + 9 * 20 + 37 * 80) + (15 * 5 + 40 * 40 + 6 * 20 + 23 * 80)  # 3175 + 3635
    assert cost("ga-barge_in") == pytest.approx(ga / M + 0.81 / 60 * 0.006)
    assert cost("beta-barge_in") == pytest.approx((beta + 16 * 2.5 + 4 * 10) / M)


# -- a response cancelled before any output ----------------------------------------------------


def test_cancelled() -> None:
    ga_cancelled, ga_next = replayed("ga-cancelled").all()
    # response.create 02.480, response.cancel 02.481; created and done (cancelled) 02.481 (1):
    # no text, no audio, nothing heard, zero usage
    assert (ga_cancelled.status, ga_cancelled.reason) == ("cancelled", "client_cancelled")
    assert figures(ga_cancelled) == (1, None, None, None, 1)
    assert (ga_cancelled.audio_ms, ga_cancelled.heard_ms, ga_cancelled.cost_usd) == (0, None, 0)
    # The next message: response.create 02.482; created 02.482 (0); deltas 02.684 (202);
    # playback.started 02.693 (211); done 03.048 (566)
    assert figures(ga_next) == (0, 202, 202, 211, 566)
    beta_cancelled, beta_next = replayed("beta-cancelled").all()
    # response.create 02.473; created and done 02.474 (1); then response.create 02.474;
    # created 02.475 (1); deltas 02.676 (202); playback.started 02.685 (211); done 03.041 (567)
    assert (beta_cancelled.status, figures(beta_cancelled)) == (
        "cancelled",
        (1, None, None, None, 1),
    )
    assert figures(beta_next) == (1, 202, 202, 211, 567)

    # the cancelled response costs nothing; the next: 3 text in, 5 text and 21 audio out
    assert cost("ga-cancelled") == pytest.approx((3 * 4 + 5 * 16 + 21 * 64) / M)  # $0.001436
    assert cost("beta-cancelled") == pytest.approx((3 * 5 + 5 * 20 + 21 * 80) / M)  # $0.001795


# -- a reconnect in the middle ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        # 1: response.create 02.473; created 02.473 (0); deltas 02.675 (202); playback.started
        #    02.685 (212); done 02.907 (434)
        # 2: response.create 08.406; created 08.407 (1); transcript 08.608 (202), audio 08.609
        #    (203); playback.started 08.620 (214); the session expired at 09.001 (close 1001)
        # 3: reconnected 09.002; response.create 09.003; created 09.004 (1); deltas 09.206
        #    (203); done 09.569 (566); heard after the cut reply's 1320 ms played out:
        #    playback.started 09.940 (937)
        ("ga", [(0, 202, 202, 212, 434), (1, 202, 203, 214, None), (1, 203, 203, 937, 566)]),
        # 1: 02.472 → created 02.473 (1), transcript 02.674 (202), audio 02.675 (203),
        #    playback.started 02.684 (212), done 02.905 (433)
        # 2: 08.404 → created 08.404 (0), deltas 08.606 (202), playback.started 08.617 (213)
        # 3: 09.004 → created 09.005 (1), deltas 09.207 (203), done 09.572 (568),
        #    playback.started 09.936 (932)
        ("beta", [(1, 202, 203, 212, 433), (0, 202, 202, 213, None), (1, 203, 203, 932, 568)]),
    ],
)
def test_reconnect(dialect: str, expected: list[tuple[int | None, ...]]) -> None:
    turns = replayed(f"{dialect}-reconnect")
    first, cut, after = turns.all()
    assert [figures(turn) for turn in turns.all()] == expected
    assert (first.status, cut.status, after.status) == ("completed", "disconnected", "completed")
    assert cut.reason == "1001 session expired" and cut.done_at is None and cut.usage is None
    assert first.connection == cut.connection < after.connection
    assert (cut.audio_ms, cut.heard_ms) == (1320, 1320)  # what arrived played out


def test_reconnect_costs() -> None:
    # The cut response never reported its usage: the session's cost is unknown, and what is
    # known is the two others': 1 text in, 3 text and 13 audio out; 2 text in, 5 text and 21
    # audio out
    for dialect, (text_in, text_out, audio_out) in (("ga", (4, 16, 64)), ("beta", (5, 20, 80))):
        summary = summarize(replayed(f"{dialect}-reconnect"))
        known = (1 * text_in + 3 * text_out + 13 * audio_out) + (
            2 * text_in + 5 * text_out + 21 * audio_out
        )  # ga 884 + 1432, beta 1105 + 1790
        assert summary.cost_usd is None and summary.cost_unknown == 1
        assert summary.cost_known_usd == pytest.approx(known / M)


# -- every recording -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_the_report_reads_what_the_replay_rebuilds(name: str) -> None:
    recording = load_recording(FIXTURES / f"{name}.jsonl")
    assert recording.dialect_guess == name.split("-")[0]
    assert build_turns(recording.entries, PriceTable.default()).all() == replayed(name).all()


@pytest.mark.parametrize("name", ALL)
def test_the_same_log_without_times_keeps_counts_usage_and_cost(name: str, tmp_path: Path) -> None:
    """Another tool's log of the same session: one bare event per line, no times."""
    bare = tmp_path / "bare.jsonl"
    lines = (json.loads(line)["event"] for line in (FIXTURES / f"{name}.jsonl").open())
    bare.write_text("".join(json.dumps(event) + "\n" for event in lines), encoding="utf-8")
    timed = report_json(replayed(name))
    untimed = report_json(build_turns(load_recording(bare).entries, PriceTable.default()))
    assert untimed["summary"]["timed"] is False
    for turn, same in zip(untimed["turns"], timed["turns"], strict=True):
        for key in ("created_ms", "first_text_ms", "first_audio_ms", "first_heard_ms", "done_ms"):
            assert turn[key] is None
        for key in ("response_id", "trigger", "status", "usage", "cost_usd", "audio_ms"):
            assert turn[key] == same[key]
    for key in ("turns", "tokens", "cost_usd", "cost_known_usd", "statuses"):
        assert untimed["summary"][key] == timed["summary"][key]
