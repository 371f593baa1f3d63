"""realtime-console: an inspector console for the OpenAI Realtime API.

Parts (see the design notes): ``console.realtime`` is the client library, ``console.simulator``
the embedded Realtime server, ``console.relay`` the key-holding relay.
"""

__version__ = "0.1.0"
