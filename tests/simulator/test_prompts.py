"""Prompt references: ``prompt: {id, version, variables}`` resolved from the server's prompt
file (``serve --prompts``, ``SimulatorServer(prompts=...)``); what the model reads shows in
its "list your instructions" answer; unknown ids, versions and missing variables are refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from console.cli.parser import build_parser
from console.simulator import SimulatorServer
from console.simulator.prompts import MAX_VARIABLE_CHARS, PromptLibrary

from .helpers import Client

PROMPTS = {
    "pmpt_support": {
        "instructions": "You help {{customer}} with their {{ product }}.",
        "version": "3",
        "versions": {"1": "You help customers.", "2": "You greet {{customer}}."},
    },
    "pmpt_plain": {"instructions": "Speak like a pirate."},
}


@pytest.fixture
async def prompt_server() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", prompts=PROMPTS) as srv:
        yield srv


async def ask_instructions(client: Client, **response: Any) -> str:
    """The text answer to "What are your instructions?"."""
    await client.send(
        "conversation.item.create",
        item={
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "What are your instructions?"}],
        },
    )
    await client.send("response.create", response={"output_modalities": ["text"], **response})
    done = (await client.recv_until("response.done"))["response"]
    return str(done["output"][0]["content"][0]["text"])


async def update(client: Client, **session: Any) -> dict[str, Any]:
    await client.send("session.update", session={"type": "realtime", **session})
    return (await client.recv_until("session.updated"))["session"]  # type: ignore[no-any-return]


async def test_a_known_prompt_becomes_the_instructions(prompt_server: SimulatorServer) -> None:
    client = await Client.connect(prompt_server.url)
    await client.recv_until("session.created")
    prompt = {"id": "pmpt_support", "variables": {"customer": "Ada", "product": "lamp"}}
    session = await update(client, prompt=prompt)
    assert session["prompt"] == prompt  # echoed as sent
    answer = await ask_instructions(client)
    assert answer == "My instructions are: You help Ada with their lamp."
    # An older version, with an input_text variable; the session's own instructions follow.
    prompt = {
        "id": "pmpt_support",
        "version": "2",
        "variables": {"customer": {"type": "input_text", "text": "Bob"}},
    }
    session = await update(client, prompt=prompt, instructions="Be brief.")
    assert session["prompt"] == prompt and session["instructions"] == "Be brief."
    answer = await ask_instructions(client)
    assert answer == "My instructions are: You greet Bob.\n\nBe brief."
    # The newest version by number, and a per-response prompt for one response only.
    await update(client, prompt={"id": "pmpt_support", "version": "3", "variables": {
        "customer": "Cy", "product": "kettle"}})  # fmt: skip
    assert "You help Cy with their kettle." in await ask_instructions(client)
    assert "Speak like a pirate." in await ask_instructions(client, prompt={"id": "pmpt_plain"})
    image = {"type": "input_image", "image_url": "data:image/png;base64," + "A" * 40_000}
    variables = {"customer": image, "product": {"type": "input_file", "filename": "a.pdf"}}
    answer = await ask_instructions(client, prompt={"id": "pmpt_support", "variables": variables})
    assert "You help [image] with their [file a.pdf]." in answer
    assert "You help Cy with their kettle." in await ask_instructions(client)
    # null removes the prompt.
    session = await update(client, prompt=None)
    assert session["prompt"] is None
    assert await ask_instructions(client) == "My instructions are: Be brief."
    await client.close()


@pytest.mark.parametrize(
    ("prompt", "param", "words"),
    [
        ({"id": "pmpt_nope"}, "session.prompt.id", "Prompt with id 'pmpt_nope' not found."),
        ({"id": "pmpt_support", "version": "9", "variables": {"customer": "A", "product": "B"}},
         "session.prompt.version", "no version '9'"),
        ({"id": "pmpt_support", "variables": {"customer": "A"}}, "session.prompt.variables",
         "product"),
        ({"id": "pmpt_support", "version": "1", "extra": 1}, "session.prompt.extra", "Unknown"),
        ({"id": "pmpt_plain", "variables": {"x": {"type": "input_audio"}}},
         "session.prompt.variables.x.type", "input_audio"),
        ({"id": "pmpt_plain", "variables": {"x": "y" * (MAX_VARIABLE_CHARS + 1)}},
         "session.prompt.variables.x", "at most"),
    ],
)  # fmt: skip
async def test_bad_prompt_references_are_refused(
    prompt_server: SimulatorServer, prompt: dict[str, Any], param: str, words: str
) -> None:
    client = await Client.connect(prompt_server.url)
    created = (await client.recv_until("session.created"))["session"]
    await client.send("session.update", session={"type": "realtime", "prompt": prompt})
    error = await client.error()
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param and words in error["message"]
    # Nothing changed: the session still reads its instructions.
    assert created["instructions"] in await ask_instructions(client)
    await client.send("response.create", response={"prompt": prompt})
    assert (await client.error())["param"] == param.replace("session.", "response.", 1)
    await client.close()


async def test_without_prompts_every_id_is_unknown(server: SimulatorServer) -> None:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send("session.update", session={"type": "realtime", "prompt": {"id": "p"}})
    assert (await client.error())["param"] == "session.prompt.id"
    await client.close()


async def test_a_client_secret_carries_a_resolved_prompt(prompt_server: SimulatorServer) -> None:
    """A secret minted with a prompt opens sessions that read it (the server's prompts)."""
    body = {"session": {"type": "realtime", "prompt": {"id": "pmpt_plain"}}}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{prompt_server.http_url}/realtime/client_secrets", json=body) as reply,
    ):
        assert reply.status == 200, await reply.text()
        secret = (await reply.json())["value"]
        body["session"]["prompt"] = {"id": "pmpt_missing"}
        async with http.post(
            f"{prompt_server.http_url}/realtime/client_secrets", json=body
        ) as refused:
            assert refused.status == 400
            assert (await refused.json())["error"]["param"] == "session.prompt.id"
    client = await Client.connect(
        prompt_server.url, headers={"Authorization": f"Bearer {secret}"}, query=""
    )
    created = (await client.recv_until("session.created"))["session"]
    assert created["prompt"] == {"id": "pmpt_plain"}
    assert "Speak like a pirate." in await ask_instructions(client)
    await client.close()


def test_prompt_files_are_checked(tmp_path: Path) -> None:
    good = tmp_path / "prompts.json"
    good.write_text(json.dumps(PROMPTS))
    assert len(PromptLibrary.from_file(good)) == 2
    for content, words in [
        ("[]", "JSON object"),
        ("{", "not valid JSON"),
        (json.dumps({"p": {"instructions": 3}}), "must be a string"),
        (json.dumps({"p": {"instructions": "x", "tone": "y"}}), "unknown keys"),
        (json.dumps({"p": {"instructions": "x", "versions": []}}), "versions"),
        (json.dumps({f"p{i}": {"instructions": "x"} for i in range(1001)}), "at most 1000"),
        ("x" * (1024 * 1024 + 1), "larger than"),
    ]:
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        with pytest.raises(ValueError, match=words):
            PromptLibrary.from_file(bad)
    with pytest.raises(ValueError, match="No such file"):
        PromptLibrary.from_file(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="must be an object"):
        SimulatorServer(prompts={"p": "text"})


def test_serve_takes_a_prompt_file() -> None:
    args = build_parser().parse_args(["serve", "--prompts", "p.json"])
    assert args.prompts == "p.json"
    assert build_parser().parse_args(["serve"]).prompts is None
