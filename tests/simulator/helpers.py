"""A raw websockets client for simulator tests, with SDK-schema validation of server events."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from typing import Any

import numpy as np
import websockets
from openai.types.beta.realtime import RealtimeServerEvent as BetaServerEvent
from openai.types.realtime import RealtimeServerEvent as GAServerEvent
from pydantic import TypeAdapter

GA_ADAPTER: TypeAdapter[Any] = TypeAdapter(GAServerEvent)
BETA_ADAPTER: TypeAdapter[Any] = TypeAdapter(BetaServerEvent)
TIMEOUT = 5.0


def validate(dialect: str, event: dict[str, Any]) -> None:
    """Validate one server event against the SDK's model union for ``dialect`` (raises)."""
    adapter = BETA_ADAPTER if dialect == "beta" else GA_ADAPTER
    adapter.validate_python(event)


def pcm_b64(samples: np.ndarray) -> str:
    """Base64 of little-endian int16 samples."""
    return base64.b64encode(samples.astype("<i2").tobytes()).decode()


def tone(seconds: float, freq: float = 220.0, amplitude: float = 8000.0) -> np.ndarray:
    """A harmonic-rich burst (not a pure sine) at 24 kHz."""
    t = np.arange(int(seconds * 24000)) / 24000
    wave = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 6))
    return (wave / np.max(np.abs(wave)) * amplitude).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    """Digital silence at 24 kHz."""
    return np.zeros(int(seconds * 24000), dtype=np.int16)


class Client:
    """Sends client events and collects server events (each validated when ``strict``)."""

    def __init__(self, ws: Any, dialect: str, strict: bool = True) -> None:
        self.ws = ws
        self.dialect = dialect
        self.strict = strict
        self.received: list[dict[str, Any]] = []

    @classmethod
    async def connect(
        cls,
        url: str,
        dialect: str = "ga",
        strict: bool = True,
        headers: dict[str, str] | None = None,
        subprotocols: list[str] | None = None,
        query: str = "?model=gpt-realtime",
    ) -> Client:
        hdrs = dict(headers or {})
        if dialect == "beta":
            hdrs.setdefault("OpenAI-Beta", "realtime=v1")
            if query == "?model=gpt-realtime":
                query = "?model=gpt-4o-realtime-preview-2024-12-17"
        ws = await websockets.connect(
            url + query,
            additional_headers=hdrs,
            subprotocols=subprotocols,  # type: ignore[arg-type]
            max_size=None,
        )
        return cls(ws, dialect, strict)

    async def close(self) -> None:
        """Close, draining unread events so the server's sends (and the handshake) complete."""

        async def drain() -> None:
            with contextlib.suppress(Exception):
                async for _ in self.ws:
                    pass

        task = asyncio.ensure_future(drain())
        await self.ws.close()
        task.cancel()

    async def send(self, event_type: str, **fields: Any) -> None:
        await self.ws.send(json.dumps({"type": event_type, **fields}))

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        event = json.loads(raw)
        if self.strict:
            validate(self.dialect, event)
        self.received.append(event)
        return event

    async def recv_until(self, event_type: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Read events until one of ``event_type`` arrives; returns it."""

        async def loop() -> dict[str, Any]:
            while True:
                event = await self.recv(timeout)
                if event["type"] == event_type:
                    return event

        return await asyncio.wait_for(loop(), timeout)

    async def collect_until(
        self, event_type: str, timeout: float = TIMEOUT
    ) -> list[dict[str, Any]]:
        """Read events until ``event_type``; returns them all (the last one included)."""
        start = len(self.received)
        await self.recv_until(event_type, timeout)
        return self.received[start:]

    async def recv_each(self, *event_types: str, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        """Read events until each of ``event_types`` has arrived, in any order (asynchronous
        transcription may come before or after a response's events); returns them all."""
        start = len(self.received)
        missing = set(event_types)

        async def loop() -> None:
            while missing:
                missing.discard((await self.recv(timeout))["type"])

        await asyncio.wait_for(loop(), timeout)
        return self.received[start:]

    async def error(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next ``error`` event's ``error`` object."""
        return (await self.recv_until("error", timeout))["error"]
