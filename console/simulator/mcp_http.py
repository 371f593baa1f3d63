"""The HTTP client the simulator's MCP sessions use: every response body is capped in bytes.

The ``mcp`` SDK reads whatever an MCP server sends (a JSON body or an endless event stream)
until the operation's timeout ends it; on a local link a hostile server can push gigabytes in
that time. This transport counts the bytes of each response as they arrive and fails the
response at :data:`MAX_RESPONSE_BYTES`, so what a server sends costs bounded memory, whatever
its speed. httpx2 is the HTTP client the ``mcp`` SDK itself uses; it is imported by the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

MAX_RESPONSE_BYTES = 4 * 1024 * 1024
"""Per HTTP response from an MCP server: far above a tool list's or a call's output limits."""


class ResponseTooLarge(Exception):
    """An MCP server's response passed :data:`MAX_RESPONSE_BYTES`."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the MCP server sent more than {limit} bytes in one response")
        self.limit = limit


def capped_transport(limit: int = MAX_RESPONSE_BYTES) -> Any:
    """An ``httpx2`` transport whose responses stop with :class:`ResponseTooLarge` past
    ``limit`` bytes."""
    import httpx2

    class CappedStream(httpx2.AsyncByteStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            seen = 0
            async for chunk in self._inner:
                seen += len(chunk)
                if seen > limit:
                    raise ResponseTooLarge(limit)
                yield chunk

        async def aclose(self) -> None:
            await self._inner.aclose()

    class CappedTransport(httpx2.AsyncBaseTransport):
        def __init__(self) -> None:
            self._inner = httpx2.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            response = await self._inner.handle_async_request(request)
            response.stream = CappedStream(response.stream)
            return response

        async def aclose(self) -> None:
            await self._inner.aclose()

    return CappedTransport()
