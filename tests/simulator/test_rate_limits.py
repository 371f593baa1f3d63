"""Rate limits: ``remaining`` counts down with each response's usage (token buckets refilling
over a minute), ``reset_seconds`` is the time until full and counts down with time."""

from __future__ import annotations

import pytest

from console.simulator import SimulatorServer
from console.simulator.accounting import RateLimits

from .helpers import Client
from .test_schema import session_patch, user_text


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_remaining_counts_down_with_usage(server: SimulatorServer, dialect: str) -> None:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    await client.send("session.update", session=session_patch(dialect, turn_detection=None))
    await client.recv_until("session.updated")
    totals = []
    for text in ("hello there", "and a second question"):
        await client.send("conversation.item.create", item=user_text(text))
        await client.send("response.create")
        done = await client.recv_until("response.done")
        totals.append(done["response"]["usage"]["total_tokens"])
    if dialect == "ga":  # after response.done: the response's own usage is counted
        await client.recv_until("rate_limits.updated")
    reports = [e["rate_limits"] for e in client.received if e["type"] == "rate_limits.updated"]
    assert len(reports) == 2
    expected_names = ["tokens"] if dialect == "ga" else ["requests", "tokens"]
    assert [[r["name"] for r in report] for report in reports] == [expected_names] * 2
    tokens = [next(r for r in report if r["name"] == "tokens") for report in reports]
    # tokens used so far; beta reports the limits before the response's output
    counted = [totals[0], sum(totals)] if dialect == "ga" else [0, totals[0]]
    for limit, used in zip(tokens, counted, strict=True):
        # the bucket refills at limit/60 per second: a few tokens come back during the test
        assert used - 50 <= limit["limit"] - limit["remaining"] <= used
        assert limit["reset_seconds"] == pytest.approx(
            (limit["limit"] - limit["remaining"]) * 60 / limit["limit"], abs=0.01
        )
    assert tokens[1]["remaining"] < tokens[0]["remaining"]
    if dialect == "beta":
        requests = [report[0] for report in reports]
        assert requests[0]["remaining"] == 19999  # one request refills in 3 ms
        assert 19998 <= requests[1]["remaining"] <= 19999
        assert requests[0]["reset_seconds"] == pytest.approx(0.003, abs=0.001)
    await client.close()


def test_reset_seconds_counts_down_and_remaining_refills() -> None:
    now = [100.0]
    limits = RateLimits(("requests", "tokens"), clock=lambda: now[0])
    assert [r["remaining"] for r in limits.report()] == [20000, 40000]
    limits.take(requests=1, tokens=1000)
    first = limits.report()
    assert [r["remaining"] for r in first] == [19999, 39000]
    assert [r["reset_seconds"] for r in first] == [0.003, 1.5]
    now[0] += 0.5
    later = limits.report()
    assert [r["reset_seconds"] for r in later] == [0.0, 1.0]
    assert [r["remaining"] for r in later] == [20000, 39333]
    limits.take(tokens=1000)
    assert limits.report()[1]["remaining"] == 38333
    now[0] += 60
    assert [r["remaining"] for r in limits.report()] == [20000, 40000]
