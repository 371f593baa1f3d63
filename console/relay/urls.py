"""Where the relay connects and what it forwards of the client's URL.

One definition of OpenAI's Realtime URL and of the "is this OpenAI?" check, for the relay and the
CLI; the client's query is merged into the upstream's (one ``?``, client values win), minus the
parameters that carry the client's credentials.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from console.defaults import OPENAI_REALTIME_URL

DEFAULT_UPSTREAM_URL = OPENAI_REALTIME_URL
"""Where the relay connects when no upstream is given (the only place its key goes then)."""

ACCEPTED_PATHS = frozenset({"/", "/v1/realtime"})
"""Client paths the relay accepts (the reference relay used ``/``; SDKs use ``/v1/realtime``)."""

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
