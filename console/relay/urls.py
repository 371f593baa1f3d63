"""Where the relay connects and what it forwards of the client's URL.

One definition of OpenAI's Realtime URL and of the "is this OpenAI?" check, for the relay and the
CLI; the client's query is merged into the upstream's (one ``?``, client values win), minus the
parameters that carry the client's credentials. The HTTP routes a browser app needs are forwarded
to the upstream's HTTP base, derived from its WebSocket URL by :func:`http_base`.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from console.defaults import OPENAI_REALTIME_URL

DEFAULT_UPSTREAM_URL = OPENAI_REALTIME_URL
"""Where the relay connects when no upstream is given (the only place its key goes then)."""

ACCEPTED_PATHS = frozenset({"/", "/v1/realtime"})
"""Client paths the relay accepts (the reference relay used ``/``; SDKs use ``/v1/realtime``)."""

CALLS_ROUTE = "/v1/realtime/calls"
"""Where a WebRTC call is placed; the one route that takes an ``ek_`` secret as is."""

HTTP_ROUTES = (
    "/v1/realtime/client_secrets",
    CALLS_ROUTE,
    "/v1/realtime/calls/{call_id}/hangup",
)
"""The POST routes the relay forwards (aiohttp patterns): mint a client secret, place a WebRTC
call with an SDP offer, hang a call up."""

CREDENTIAL_PARAMS = ("token", "api_key")
"""Query parameters that carry client credentials; never forwarded upstream."""


def is_openai_upstream(url: str) -> bool:
    """True when ``url`` points at OpenAI's servers (which need a key)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "openai.com" or host.endswith(".openai.com")


def is_accepted_path(request_path: str) -> bool:
    """Whether a client's request path (query included) is one the relay serves."""
    path = urlsplit(request_path).path
    return path.rstrip("/") in {p.rstrip("/") for p in ACCEPTED_PATHS}


def merge_query(upstream_url: str, client_query: str, drop: Iterable[str] = ()) -> str:
    """Return ``upstream_url`` with the client's query merged in (client values win).

    The reference client appended a second ``?`` to URLs that already had a query; here the
    parameters are merged into one query string. Names in ``drop`` (the relay's own token) are
    not forwarded.
    """
    parts = urlsplit(upstream_url)
    dropped = set(drop)
    client_pairs = [
        (k, v) for k, v in parse_qsl(client_query, keep_blank_values=True) if k not in dropped
    ]
    client_names = {k for k, _ in client_pairs}
    upstream_pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in client_names
    ]
    query = urlencode(upstream_pairs + client_pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def http_base(upstream_url: str) -> str:
    """The upstream's HTTP base, ``http(s)://host:port/v1``, from its Realtime URL.

    ``ws://h:p/v1/realtime`` gives ``http://h:p/v1`` and ``wss://`` gives ``https://``; the query
    and any user info are dropped. A path without ``/realtime`` (``ws://h:p/``) gets ``/v1``. The
    same rule as ``console.realtime.secrets.http_base``, which the relay may not import.
    """
    parts = urlsplit(upstream_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if path.endswith("/realtime"):
        path = path[: -len("/realtime")]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((scheme, netloc, path or "/v1", "", ""))


def upstream_http_url(base: str, request_path: str, client_query: str) -> str:
    """Where a client's ``/v1/...`` request goes: under ``base`` (which ends in its own
    ``/v1``), with the client's query minus its credentials."""
    tail = request_path[len("/v1") :] if request_path.startswith("/v1/") else request_path
    return merge_query(base.rstrip("/") + tail, client_query, CREDENTIAL_PARAMS)
