"""A relay for the Realtime API that keeps the API key on the server.

Browser apps and other clients connect to the relay without a key; the relay opens the upstream
socket (OpenAI by default, or the upstream it is given, and only there does its key go) and
forwards every frame verbatim in both directions. On the same port it forwards the HTTP routes a
browser app needs (``POST /v1/realtime/client_secrets``, ``/v1/realtime/calls`` and a call's
``/hangup``) with the same key and token rules. Only the standard library, ``aiohttp`` (the
listener), ``websockets`` (the upstream side) and ``console.env`` are used: the relay is
independent of the client library and of the simulator.

One concern per module:

- ``server``: :class:`RelayServer`, the listening socket and one relayed connection's life;
- ``handshake``: the WebSocket path's refusals before the upgrade and the upstream request;
- ``client_socket``: the client's aiohttp WebSocket, as the pumps use it;
- ``http_routes``: the forwarded HTTP routes;
- ``pump``: the capped queue before the upstream opens, and the two frame pumps;
- ``auth``: the client token check and the subprotocol the relay selects;
- ``redact``: the relay's loggers and the redaction of keys and tokens from them;
- ``closes``: close codes and reasons forwarded between the sides, and upstream refusals;
- ``urls``: the default upstream, the "is this OpenAI?" check, query merging and the HTTP base.

Typical use::

    async with RelayServer(upstream_url="wss://api.openai.com/v1/realtime") as relay:
        print(relay.url, relay.http_url)
        await relay.serve_forever()
"""

from __future__ import annotations

from console.env import load_dotenv_value, resolve_api_key
from console.relay.server import RelayServer
from console.relay.urls import DEFAULT_UPSTREAM_URL, is_openai_upstream, merge_query

__all__ = [
    "DEFAULT_UPSTREAM_URL",
    "RelayServer",
    "is_openai_upstream",
    "load_dotenv_value",
    "merge_query",
    "resolve_api_key",
]
