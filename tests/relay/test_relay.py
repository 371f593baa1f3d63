"""The relay against a small recording upstream: forwarding, handshake, auth, closes, secrecy."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.relay import RelayServer, load_dotenv_value, merge_query, resolve_api_key

from .conftest import TIMEOUT, FakeUpstream

SERVER_KEY = "sk-server-secret-0000"
CLIENT_KEY = "sk-client-not-forwarded"


async def recv(ws: ClientConnection):
    return await asyncio.wait_for(ws.recv(), TIMEOUT)


async def closed_with(ws: ClientConnection) -> tuple[int | None, str | None]:
    """Wait for the relay to close ``ws``; return the code and reason the client received."""
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
    return ws.close_code, ws.close_reason


def free_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- forwarding ------------------------------------------------------------------------------


async def test_frames_are_forwarded_verbatim_both_ways(relay: RelayServer, upstream: FakeUpstream):
    upstream.greeting = '{"type":"session.created",  "odd":  "spacing"}'
    async with connect(relay.url, max_size=None) as ws:
        greeting = await recv(ws)
        assert greeting == upstream.greeting and isinstance(greeting, str)
        up = await upstream.next_connection()

        text = '{ "type" : "conversation.item.create", "x": [1, 2.50, "é"] }'
        not_json = "this is not JSON {"
        binary = bytes(range(256)) * 3
        big = b"\x01\x02" * (3 * 2**20)  # larger than websockets' 1 MiB default
        for frame in (text, not_json, binary, big):
            await ws.send(frame)
            got = await asyncio.wait_for(up.received.get(), TIMEOUT)
            assert got == frame and type(got) is type(frame)
            echoed = await recv(ws)
            assert echoed == frame and type(echoed) is type(frame)


async def test_tool_output_reaches_upstream_exactly_once(
    relay: RelayServer, upstream: FakeUpstream
):
    """The reference relay answered tool calls itself; this one adds and drops nothing."""
    upstream.echo = False
    frames = [
        json.dumps({"type": "session.update", "session": {"tools": []}}),
        json.dumps(
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "call_1", "output": "{}"},
            }
        ),
        json.dumps({"type": "response.create"}),
        "sentinel",
    ]
    async with connect(relay.url) as ws:
        up = await upstream.next_connection()
        await up.connection.send(
            json.dumps({"type": "response.function_call_arguments.done", "call_id": "call_1"})
        )
        await recv(ws)
        for frame in frames:
            await ws.send(frame)
        while (await asyncio.wait_for(up.received.get(), TIMEOUT)) != "sentinel":
            pass
        assert up.log == frames


async def test_client_frames_queue_until_upstream_opens(relay: RelayServer, upstream: FakeUpstream):
    upstream.gate = asyncio.Event()
    frames: list[str | bytes] = [f'{{"n": {i}}}' if i % 2 else bytes([i]) * 10 for i in range(40)]
    async with connect(relay.url) as ws:
        await asyncio.wait_for(upstream.request_seen.wait(), TIMEOUT)
        for frame in frames:
            await ws.send(frame)
        # The relay answers the ping only after reading every frame sent before it.
        await asyncio.wait_for(await ws.ping(), TIMEOUT)
        assert upstream.connections == []  # upstream still held in its handshake
        upstream.gate.set()
        up = await upstream.next_connection()
        received = [await asyncio.wait_for(up.received.get(), TIMEOUT) for _ in frames]
        assert received == frames
        assert [await recv(ws) for _ in frames] == frames


async def test_client_leaving_before_upstream_opens_abandons_the_upstream_handshake(
    relay: RelayServer, upstream: FakeUpstream
):
    upstream.gate = asyncio.Event()
    async with connect(relay.url) as ws:
        await asyncio.wait_for(upstream.request_seen.wait(), TIMEOUT)
        await ws.close(4002, "changed my mind")
    # The relay drops the half-open upstream connection instead of opening a session for nobody.
    pending = upstream.handshaking[0]
    await asyncio.wait_for(asyncio.shield(pending.connection_lost_waiter), TIMEOUT)
    upstream.gate.set()
    assert upstream.connections == []


# -- handshake -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/realtime", "/"])
async def test_client_query_is_merged_into_the_upstream_query(
    upstream: FakeUpstream, no_ambient_key: None, path: str
):
    base = upstream.url + "?model=default-model&keep=1"
    async with (
        RelayServer(upstream_url=base, api_key=SERVER_KEY, port=0) as relay,
        connect(f"ws://127.0.0.1:{relay.port}{path}?model=gpt-realtime&intent=transcription") as ws,
    ):
        up = await upstream.next_connection()
        await ws.send("hi")
        assert await recv(ws) == "hi"
    parts = urlsplit(up.path)
    assert parts.path == "/v1/realtime"
    assert up.path.count("?") == 1
    assert parse_qs(parts.query) == {
        "model": ["gpt-realtime"],
        "keep": ["1"],
        "intent": ["transcription"],
    }


def test_merge_query_keeps_one_question_mark_and_drops_named_parameters():
    merged = merge_query("wss://h/v1/realtime?a=1&model=m", "model=x&token=t&b=", drop=["token"])
    assert merged == "wss://h/v1/realtime?a=1&model=x&b="
    assert merge_query("wss://h/v1/realtime", "") == "wss://h/v1/realtime"


async def test_unknown_path_is_rejected_before_the_upgrade(relay: RelayServer):
    with pytest.raises(InvalidStatus) as info:
        await connect(f"ws://127.0.0.1:{relay.port}/v1/other")
    assert info.value.response.status_code == 404


async def test_beta_header_passes_through(relay: RelayServer, upstream: FakeUpstream):
    async with connect(relay.url, additional_headers={"OpenAI-Beta": "realtime=v1"}):
        up = await upstream.next_connection()
    assert up.headers.get_all("OpenAI-Beta") == ["realtime=v1"]


async def test_beta_subprotocol_becomes_the_beta_header_and_realtime_is_selected(
    relay: RelayServer, upstream: FakeUpstream
):
    offered = ["openai-insecure-api-key.sk-browser", "openai-beta.realtime-v1", "realtime"]
    async with connect(relay.url, subprotocols=offered) as ws:  # type: ignore[arg-type]
        up = await upstream.next_connection()
        assert ws.subprotocol == "realtime"
    assert up.headers.get("OpenAI-Beta") == "realtime=v1"
    assert "sk-browser" not in str(up.headers)
    assert "Sec-WebSocket-Protocol" not in up.headers


async def test_a_subprotocol_is_selected_even_without_realtime(relay: RelayServer):
    offered = ["openai-insecure-api-key.sk-browser", "openai-beta.realtime-v1"]
    async with connect(relay.url, subprotocols=offered) as ws:  # type: ignore[arg-type]
        assert ws.subprotocol == "openai-beta.realtime-v1"


@pytest.mark.parametrize("token", [None, "relay-token-1234"])
async def test_a_key_carrying_subprotocol_is_never_selected(
    upstream: FakeUpstream, no_ambient_key: None, token: str | None
):
    """Echoing ``openai-insecure-api-key.<token>`` would write the credential back to the client;
    a client that offered nothing else gets no subprotocol."""
    offered = ["openai-insecure-api-key.relay-token-1234"]
    async with (
        RelayServer(upstream_url=upstream.url, api_key=SERVER_KEY, port=0, token=token) as relay,
        connect(relay.url, subprotocols=offered) as ws,  # type: ignore[arg-type]
    ):
        await ws.send("ping")
        assert await recv(ws) == "ping"
        assert ws.subprotocol is None
        assert ws.response is not None
        assert "Sec-WebSocket-Protocol" not in ws.response.headers
        assert "relay-token-1234" not in str(ws.response.headers)


async def test_ga_client_sends_no_beta_header(relay: RelayServer, upstream: FakeUpstream):
    async with connect(relay.url):
        up = await upstream.next_connection()
    assert "OpenAI-Beta" not in up.headers


async def test_server_key_replaces_the_clients_authorization(
    relay: RelayServer, upstream: FakeUpstream
):
    headers = {"Authorization": f"Bearer {CLIENT_KEY}"}
    query = f"?model=m&api_key={CLIENT_KEY}&token=t"
    async with connect(relay.url + query, additional_headers=headers):
        up = await upstream.next_connection()
    assert parse_qs(urlsplit(up.path).query) == {"model": ["m"]}
    assert up.headers.get_all("Authorization") == [f"Bearer {SERVER_KEY}"]
    assert CLIENT_KEY not in str(up.headers) + up.path


async def test_key_comes_from_env_then_dotenv(
    upstream: FakeUpstream, no_ambient_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path
):
    (tmp_path / ".env").write_text("# comment\nexport OPENAI_API_KEY='sk-from-dotenv'\n")
    async with RelayServer(upstream_url=upstream.url, port=0) as relay, connect(relay.url):
        up = await upstream.next_connection()
    assert up.headers["Authorization"] == "Bearer sk-from-dotenv"

    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    async with RelayServer(upstream_url=upstream.url, port=0) as relay, connect(relay.url):
        up = await upstream.next_connection()
    assert up.headers["Authorization"] == "Bearer sk-from-env"


async def test_without_any_key_no_authorization_goes_upstream(
    upstream: FakeUpstream, no_ambient_key: None
):
    headers = {"Authorization": f"Bearer {CLIENT_KEY}"}
    async with (
        RelayServer(upstream_url=upstream.url, port=0) as relay,
        connect(relay.url, additional_headers=headers),
    ):
        up = await upstream.next_connection()
    assert "Authorization" not in up.headers


# -- token -----------------------------------------------------------------------------------


@pytest.fixture
async def token_relay(upstream: FakeUpstream, no_ambient_key: None):
    async with RelayServer(
        upstream_url=upstream.url, api_key=SERVER_KEY, port=0, token="relay-token-1234"
    ) as relay:
        yield relay


@pytest.mark.parametrize(
    ("headers", "subprotocols", "query"),
    [
        ({}, None, ""),
        ({"Authorization": "Bearer wrong-token"}, None, ""),
        ({}, ["realtime", "openai-insecure-api-key.wrong"], ""),
        ({}, None, "?token=wrong"),
        ({"Authorization": "Basic relay-token-1234"}, None, ""),
    ],
)
async def test_token_is_required(
    token_relay: RelayServer, upstream: FakeUpstream, headers, subprotocols, query
):
    with pytest.raises(InvalidStatus) as info:
        await connect(
            token_relay.url + query, additional_headers=headers, subprotocols=subprotocols
        )
    assert info.value.response.status_code == 401
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("headers", "subprotocols", "query"),
    [
        ({"Authorization": "Bearer relay-token-1234"}, None, ""),
        ({}, ["realtime", "openai-insecure-api-key.relay-token-1234"], ""),
        ({}, None, "?model=m&token=relay-token-1234"),
    ],
)
async def test_token_accepted_in_each_form_and_never_forwarded(
    token_relay: RelayServer, upstream: FakeUpstream, headers, subprotocols, query
):
    async with connect(
        token_relay.url + query, additional_headers=headers, subprotocols=subprotocols
    ) as ws:
        up = await upstream.next_connection()
        await ws.send("ping")
        assert await recv(ws) == "ping"
    assert "relay-token-1234" not in str(up.headers) + up.path
    assert up.headers["Authorization"] == f"Bearer {SERVER_KEY}"


# -- closing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "reason"), [(1000, ""), (4001, "client says bye")])
async def test_client_close_code_reaches_upstream(
    relay: RelayServer, upstream: FakeUpstream, code: int, reason: str
):
    async with connect(relay.url) as ws:
        up = await upstream.next_connection()
        await ws.send("last words")
        await ws.close(code, reason)
    await asyncio.wait_for(up.closed.wait(), TIMEOUT)
    assert up.log == ["last words"]
    assert (up.close_code, up.close_reason) == (code, reason)


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (4000, "beta shape disabled", (4000, "beta shape disabled")),
        (1001, "going away", (1001, "going away")),
        (None, "", (1000, "")),  # an empty close frame (1005) cannot be sent on: 1000
    ],
)
async def test_upstream_close_code_reaches_client_after_its_last_frame(
    relay: RelayServer, upstream: FakeUpstream, code, reason, expected
):
    async with connect(relay.url) as ws:
        up = await upstream.next_connection()
        await up.connection.send('{"type":"error","error":{"code":"beta_api_shape_disabled"}}')
        await up.connection.close(code, reason)
        assert "beta_api_shape_disabled" in await recv(ws)
        assert await closed_with(ws) == expected


async def test_upstream_dropping_the_tcp_connection_closes_client_with_1011(
    relay: RelayServer, upstream: FakeUpstream
):
    async with connect(relay.url) as ws:
        up = await upstream.next_connection()
        up.connection.transport.abort()
        code, reason = await closed_with(ws)
    assert code == 1011
    assert reason == "upstream connection lost"


@pytest.mark.parametrize(
    ("status", "code"), [(401, 1008), (403, 1008), (429, 1013), (500, 1011), (503, 1011)]
)
async def test_upstream_refusal_closes_client_with_a_clear_code(
    relay: RelayServer, upstream: FakeUpstream, status: int, code: int
):
    upstream.refuse_status = status
    async with connect(relay.url) as ws:
        got_code, reason = await closed_with(ws)
    assert got_code == code
    assert reason is not None and f"HTTP {status}" in reason
    assert SERVER_KEY not in reason


async def test_unreachable_upstream_closes_client_with_1011(no_ambient_key: None):
    upstream_url = f"ws://127.0.0.1:{free_port()}/v1/realtime"
    async with (
        RelayServer(upstream_url=upstream_url, api_key=SERVER_KEY, port=0) as relay,
        connect(relay.url) as ws,
    ):
        assert await closed_with(ws) == (1011, "upstream unavailable: connection refused")


async def test_stopping_the_relay_closes_both_sides(upstream: FakeUpstream, no_ambient_key: None):
    relay = RelayServer(upstream_url=upstream.url, api_key=SERVER_KEY, port=0)
    await relay.start()
    async with connect(relay.url) as ws:
        up = await upstream.next_connection()
        await asyncio.wait_for(relay.stop(), TIMEOUT)
        assert (await closed_with(ws))[0] == 1001
    await asyncio.wait_for(up.closed.wait(), TIMEOUT)
    assert up.close_code == 1001


async def test_serve_forever_stops_when_cancelled(upstream: FakeUpstream, no_ambient_key: None):
    relay = RelayServer(upstream_url=upstream.url, api_key=SERVER_KEY, port=0)
    await relay.start()
    task = asyncio.create_task(relay.serve_forever())
    async with connect(relay.url) as ws:
        await ws.send("x")
        assert await recv(ws) == "x"
        task.cancel()
        assert (await closed_with(ws))[0] == 1001
    with pytest.raises(asyncio.CancelledError):
        await task


# -- secrecy ---------------------------------------------------------------------------------


async def test_key_and_token_never_appear_in_logs_or_close_reasons(
    upstream: FakeUpstream, no_ambient_key: None, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="console.relay.websockets")
    token = "relay-token-5678"
    reasons: list[str | None] = []
    async with RelayServer(
        upstream_url=upstream.url, api_key=SERVER_KEY, port=0, token=token
    ) as relay:
        auth = {"Authorization": f"Bearer {token}"}
        async with connect(relay.url, additional_headers=auth) as ws:
            await ws.send(json.dumps({"type": "session.update"}))
            await recv(ws)
        upstream.refuse_status = 401
        async with connect(relay.url, additional_headers=auth) as ws:
            reasons.append((await closed_with(ws))[1])
        with pytest.raises(InvalidStatus):
            await connect(
                relay.url + "?token=wrong-token-2222",
                subprotocols=["openai-insecure-api-key.sk-browser-key-1111"],  # type: ignore[list-item]
            )
        assert repr(relay).count(SERVER_KEY) == 0
    # The fake upstream and the test's own clients log on websockets' loggers and legitimately
    # see the credentials; everything the relay logs goes through console.relay loggers.
    relay_records = [r for r in caplog.records if r.name.startswith("console.relay")]
    text = "\n".join(r.getMessage() + str(r.exc_text or "") for r in relay_records)
    # Debug logging really ran over the handshake headers that carried the secrets ...
    assert "Authorization: [redacted]" in text
    # ... and neither the key nor the token survived anywhere.
    assert SERVER_KEY not in text
    assert token not in text
    # Credentials a client offered are not logged either, even wrong ones.
    assert "openai-insecure-api-key.[redacted]" in text
    assert "sk-browser-key-1111" not in text
    assert "wrong-token-2222" not in text
    assert all(SERVER_KEY not in (r or "") for r in reasons)
    assert "API key set" in text
    assert "closed by client" in text


async def test_upstream_frames_still_in_flight_reach_the_client_before_its_close(
    relay: RelayServer, upstream: FakeUpstream
):
    """The upstream says its last words and is gone while the client is slow to read.

    The relay learns of the upstream's close when it forwards the client's next frame, while
    megabytes of upstream frames still wait to be written to the client; all of them must be
    delivered before the client is closed with the upstream's code.
    """
    upstream.echo = False
    # Frames much larger than socket buffers, and a client that buffers at most one message:
    # the backlog sits in the relay, not in the kernel, when the upstream is gone.
    frames = [bytes([i]) * (4 * 2**20) for i in range(12)]
    async with connect(relay.url, max_size=None, max_queue=1) as ws:
        up = await upstream.next_connection()
        for frame in frames:
            await up.connection.send(frame)
        await asyncio.wait_for(up.connection.close(4000, "done"), TIMEOUT)
        await asyncio.wait_for(up.closed.wait(), TIMEOUT)
        await ws.send("still here")  # the relay finds the upstream closed while forwarding this
        got = []
        with pytest.raises(ConnectionClosed):
            while True:
                got.append(await recv(ws))
        assert len(got) == len(frames) and got == frames
        assert (ws.close_code, ws.close_reason) == (4000, "done")


def test_dotenv_parsing(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\n"
        "OTHER=1\n"
        "OPENAI_API_KEY=first\n"
        'export OPENAI_API_KEY = "sk-quoted # not a comment"\n'
        "BROKEN LINE\n"
    )
    assert load_dotenv_value("OPENAI_API_KEY", env_file) == "sk-quoted # not a comment"
    env_file.write_text("OPENAI_API_KEY=sk-plain  # trailing comment\n")
    assert load_dotenv_value("OPENAI_API_KEY", env_file) == "sk-plain"
    assert load_dotenv_value("OPENAI_API_KEY", tmp_path / "missing") is None


def test_key_precedence(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("OPENAI_API_KEY=sk-dotenv\n")
    assert resolve_api_key("sk-arg", environ={"OPENAI_API_KEY": "sk-env"}) == "sk-arg"
    found = resolve_api_key(environ={"OPENAI_API_KEY": "sk-env"}, dotenv_path=env_file)
    assert found == "sk-env"
    assert resolve_api_key(environ={"OPENAI_API_KEY": ""}, dotenv_path=env_file) == "sk-dotenv"
    assert resolve_api_key(environ={}, dotenv_path=tmp_path / "none") is None


async def test_binds_loopback_by_default(upstream: FakeUpstream, no_ambient_key: None):
    relay = RelayServer(upstream_url=upstream.url, port=0)
    async with relay:
        assert relay.url == f"ws://127.0.0.1:{relay.port}/v1/realtime"
        assert {host for host, _ in relay.addresses} == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        # A short token is not hunted through ordinary words ...
        ("rejected a client (HTTP 401)", {"T"}, "rejected a client (HTTP 401)"),
        ("TT T-shirt", {"T", "Tt"}, "TT T-shirt"),
        # ... but is redacted wherever credentials travel, whatever its length.
        ("> Authorization: Bearer T", {"T"}, "> Authorization: [redacted]"),
        (
            "> Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.T",
            {"T"},
            "> Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.[redacted]",
        ),
        (
            "> GET /v1/realtime?model=m&token=T&api_key=T HTTP/1.1",
            {"T"},
            "> GET /v1/realtime?model=m&token=[redacted]&api_key=[redacted] HTTP/1.1",
        ),
        # Secrets of reasonable length go wherever they are a whole word ...
        ("failed: tok-1234 refused", {"tok-1234"}, "failed: [redacted] refused"),
        ("url%20tok-1234.", {"tok-1234"}, "url%20[redacted]."),
        ("xtok-1234 tok-12345", {"tok-1234"}, "xtok-1234 tok-12345"),
        # ... and long ones anywhere, the longest first.
        (f"key={SERVER_KEY}9", {SERVER_KEY}, "key=[redacted]9"),
        (f"{SERVER_KEY}-2 x", {SERVER_KEY, f"{SERVER_KEY}-2"}, "[redacted] x"),
    ],
)
def test_redaction_rewrites_only_where_secrets_are(
    text: str, secrets: set[str], expected: str
) -> None:
    from console.relay.redact import redact

    assert redact(text, secrets) == expected


async def test_a_short_token_leaves_log_lines_readable(
    upstream: FakeUpstream, no_ambient_key: None, caplog: pytest.LogCaptureFixture
) -> None:
    """``--token T`` used to turn ``HTTP 401`` into ``H[redacted][redacted]P 401``."""
    caplog.set_level(logging.INFO, logger="console.relay")
    async with RelayServer(
        upstream_url=upstream.url, api_key=SERVER_KEY, port=0, token="T"
    ) as relay:
        with pytest.raises(InvalidStatus):
            await connect(relay.url)
        async with connect(relay.url, additional_headers={"Authorization": "Bearer T"}) as ws:
            await ws.send("ping")
            assert await recv(ws) == "ping"
    messages = [r.getMessage() for r in caplog.records if r.name == "console.relay"]
    assert "rejected a client without a valid relay token (HTTP 401)" in messages
    assert "[redacted]" not in "\n".join(messages)
    assert any(m.startswith("connection 1 closed by client") for m in messages)


async def test_a_short_token_is_redacted_wherever_it_is_presented(
    upstream: FakeUpstream, no_ambient_key: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="console.relay.websockets")
    token = "Zq7"
    async with RelayServer(
        upstream_url=upstream.url, api_key=SERVER_KEY, port=0, token=token
    ) as relay:
        with pytest.raises(InvalidStatus):
            await connect(relay.url)
        for headers, subprotocols, query in [
            ({"Authorization": f"Bearer {token}"}, None, ""),
            ({}, [f"openai-insecure-api-key.{token}"], ""),
            ({}, None, f"?token={token}"),
        ]:
            async with connect(
                relay.url + query,
                additional_headers=headers,
                subprotocols=subprotocols,  # type: ignore[arg-type]
            ) as ws:
                await ws.send("ping")
                assert await recv(ws) == "ping"
    relay_records = [r for r in caplog.records if r.name.startswith("console.relay")]
    text = "\n".join(r.getMessage() for r in relay_records)
    assert token not in text and SERVER_KEY not in text
    assert "Authorization: [redacted]" in text and "token=[redacted]" in text
    assert "openai-insecure-api-key.[redacted]" in text


@pytest.mark.parametrize(("token", "warned"), [("t0k", True), ("x" * 16, False), (None, False)])
async def test_a_short_token_is_warned_about_at_start(
    token: str | None,
    warned: bool,
    upstream: FakeUpstream,
    no_ambient_key: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="console.relay")
    async with RelayServer(upstream_url=upstream.url, api_key=SERVER_KEY, port=0, token=token):
        pass
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert bool(warnings) == warned, warnings
    if warned:
        assert "short (3 characters)" in warnings[0] and "16" in warnings[0]
        assert "t0k" not in warnings[0]
