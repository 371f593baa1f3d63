"""``reasoning: {effort}``: accepted (and echoed) for the reasoning models only, in
``session.update`` and ``response.create``; refused for the others naming the model."""

from __future__ import annotations

import pytest

from console.simulator import SimulatorServer

from .helpers import Client


async def open_ga(server: SimulatorServer, model: str) -> Client:
    client = await Client.connect(server.url, query=f"?model={model}")
    await client.recv_until("session.created")
    return client


@pytest.mark.parametrize("model", ["gpt-realtime-2", "gpt-realtime-2.1", "gpt-realtime-2.1-mini"])
async def test_reasoning_models_take_and_echo_effort(server: SimulatorServer, model: str) -> None:
    client = await open_ga(server, model)
    for effort in ("minimal", "low", "medium", "high", "xhigh"):
        await client.send(
            "session.update", session={"type": "realtime", "reasoning": {"effort": effort}}
        )
        session = (await client.recv_until("session.updated"))["session"]
        assert session["reasoning"] == {"effort": effort}
    await client.send(
        "response.create",
        response={"reasoning": {"effort": "low"}, "output_modalities": ["text"]},
    )
    assert (await client.recv_until("response.done"))["response"]["status"] == "completed"
    await client.close()


async def test_non_reasoning_model_refuses_reasoning(server: SimulatorServer) -> None:
    client = await open_ga(server, "gpt-realtime")
    created = client.received[-1]["session"]
    assert created["reasoning"] is None
    await client.send(
        "session.update",
        event_id="evt_r1",
        session={"type": "realtime", "reasoning": {"effort": "low"}},
    )
    event = await client.recv_until("error")
    error = event["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "unsupported_parameter"
    assert error["param"] == "session.reasoning.effort"
    assert "gpt-realtime" in error["message"] and error["event_id"] == "evt_r1"
    await client.send("response.create", response={"reasoning": {"effort": "high"}})
    error = await client.error()
    assert error["param"] == "response.reasoning.effort"
    assert "'gpt-realtime'" in error["message"]
    # Switching the model in the same update makes it acceptable.
    await client.send(
        "session.update",
        session={"type": "realtime", "model": "gpt-realtime-2", "reasoning": {"effort": "high"}},
    )
    session = (await client.recv_until("session.updated"))["session"]
    assert session["model"] == "gpt-realtime-2" and session["reasoning"] == {"effort": "high"}
    # ... and moving back to a model without reasoning while it is set is refused.
    await client.send("session.update", session={"type": "realtime", "model": "gpt-realtime"})
    error = await client.error()
    assert error["code"] == "unsupported_parameter" and "'gpt-realtime'" in error["message"]
    await client.close()


@pytest.mark.parametrize(
    ("reasoning", "param"),
    [
        ({"effort": "extreme"}, "session.reasoning.effort"),
        ({"effort": 3}, "session.reasoning.effort"),
        ({"effort": "low", "summary": "auto"}, "session.reasoning.summary"),
        ("low", "session.reasoning"),
    ],
)
async def test_bad_effort_values_are_refused(
    server: SimulatorServer, reasoning: object, param: str
) -> None:
    client = await open_ga(server, "gpt-realtime-2")
    await client.send("session.update", session={"type": "realtime", "reasoning": reasoning})
    error = await client.error()
    assert error["param"] == param
    await client.close()


async def test_null_reasoning_clears_it(server: SimulatorServer) -> None:
    client = await open_ga(server, "gpt-realtime-2")
    await client.send(
        "session.update", session={"type": "realtime", "reasoning": {"effort": "low"}}
    )
    await client.recv_until("session.updated")
    await client.send("session.update", session={"type": "realtime", "reasoning": None})
    assert (await client.recv_until("session.updated"))["session"]["reasoning"] is None
    await client.close()
