"""The embedded Realtime simulator: a websocket server speaking OpenAI's Realtime protocol.

It answers like OpenAI's server in both dialects (GA by default, the retired beta when the
client sends ``OpenAI-Beta: realtime=v1``), with no network and no key::

    async with SimulatorServer(pace="fast") as server:
        ...  # connect a client to server.url

Depends only on the standard library, numpy and websockets; it never imports the client
library (``console.realtime``), so the two sides of the protocol check each other.
"""

from __future__ import annotations

from .server import SimulatorServer

__all__ = ["SimulatorServer"]
