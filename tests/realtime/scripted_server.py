"""A scripted Realtime websocket server for the library's tests.

It plays fixed, recorded-style event sequences (the orders OpenAI's server produces, §D of the
protocol notes) in the GA or beta shape, chosen per connection by the ``OpenAI-Beta`` header.
It is deliberately simple and independent of ``console.realtime``; the embedded simulator is
the full server. Tests can also push raw frames to the client with ``inject``. The payloads
it sends (sessions, responses, errors, audio) are in ``scripted_shapes``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.realtime.scripted_shapes import (
    INVALID_API_KEY,
    RATE_LIMITS,
    active_response_error,
    cancel_not_active,
    new_id,
    response_shape,
    session_shape,
    tone,
)


@dataclass
class Connection:
    """One client connection: its dialect, headers and what it sent."""

    ws: ServerConnection
    beta: bool
    headers: dict[str, str]
    path: str
    received: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    session: dict[str, Any] = field(default_factory=dict)
    last_user_text: str = ""
    active_response: str | None = None


class ScriptedServer:
    """Answers client events with canned sequences; records every connection."""

    def __init__(
        self,
        api_key: str | None = "sk-test",
        reply: str = "Hello from the script, {user}",
        audio_deltas: int = 3,
        refuse_creates: int = 0,
        refuse_with_vad_response: bool = True,
    ) -> None:
        """``refuse_creates``: the first N ``response.create`` are refused with
        ``conversation_already_has_active_response``, as when a server-VAD response raced them:
        that response's ``response.created`` comes first, then the error, then the rest of it
        (``refuse_with_vad_response=False``: the error alone, as from a server whose previous
        response was still finishing after its ``response.done``)."""
        self.api_key = api_key
        self.reply = reply
        self.audio_deltas = audio_deltas
        self.refuse_creates = refuse_creates
        self.refuse_with_vad_response = refuse_with_vad_response
        self.connections: list[Connection] = []
        self.emitted: list[dict[str, Any]] = []
        self.connected = asyncio.Event()
        self._server: Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def __aenter__(self) -> ScriptedServer:
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def inject(self, frame: str | dict[str, Any], index: int = -1) -> None:
        """Send a raw frame (or an event) to a connected client."""
        conn = self.connections[index]
        await conn.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def close_connection(self, code: int, reason: str = "", index: int = -1) -> None:
        await self.connections[index].ws.close(code, reason)

    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        conn = Connection(ws, "openai-beta" in headers, headers, request.path)
        self.connections.append(conn)
        self.connected.set()
        if self.api_key and headers.get("authorization") != f"Bearer {self.api_key}":
            await self._emit(conn, "error", error=dict(INVALID_API_KEY))
            await ws.close(1000)
            return
        conn.session = session_shape(conn.path, conn.beta)
        await self._emit(conn, "session.created", session=conn.session)
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                event = json.loads(frame)
                conn.received.append(event)
                await self._answer(conn, event)

    async def _emit(self, conn: Connection, event_type: str, **fields: Any) -> None:
        event = {"event_id": new_id("event_"), "type": event_type, **fields}
        self.emitted.append({"beta": conn.beta, "event": event})
        await conn.ws.send(json.dumps(event))

    # -- item events -------------------------------------------------------------------------

    async def _item_added(
        self, conn: Connection, item: dict[str, Any], previous: str | None
    ) -> None:
        if conn.beta:
            await self._emit(
                conn, "conversation.item.created", previous_item_id=previous, item=item
            )
        else:
            await self._emit(conn, "conversation.item.added", previous_item_id=previous, item=item)

    async def _item_done(
        self, conn: Connection, item: dict[str, Any], previous: str | None
    ) -> None:
        if not conn.beta:
            await self._emit(conn, "conversation.item.done", previous_item_id=previous, item=item)

    def _last_id(self, conn: Connection) -> str | None:
        return next(reversed(conn.items), None)

    # -- answers -----------------------------------------------------------------------------

    async def _answer(self, conn: Connection, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "session.update":
            conn.session.update(event.get("session") or {})
            await self._emit(conn, "session.updated", session=conn.session)
        elif kind == "conversation.item.create":
            await self._create_item(conn, dict(event["item"]))
        elif kind == "input_audio_buffer.commit":
            item_id, previous = new_id("item_"), self._last_id(conn)
            await self._emit(
                conn, "input_audio_buffer.committed", previous_item_id=previous, item_id=item_id
            )
            item = {
                "id": item_id,
                "type": "message",
                "role": "user",
                "status": "completed",
                "content": [{"type": "input_audio", "transcript": None}],
            }
            conn.items[item_id] = item
            await self._item_added(conn, item, previous)
            await self._item_done(conn, item, previous)
        elif kind == "response.create" and self.refuse_creates:
            self.refuse_creates -= 1
            refusal = active_response_error(event)
            if self.refuse_with_vad_response:
                await self._respond(conn, refusal)
            else:
                await self._emit(conn, "error", error=refusal)
        elif kind == "response.create":
            await self._respond(conn)
        elif kind == "conversation.item.truncate":
            await self._emit(
                conn,
                "conversation.item.truncated",
                item_id=event["item_id"],
                content_index=event["content_index"],
                audio_end_ms=event["audio_end_ms"],
            )
        elif kind == "conversation.item.delete":
            conn.items.pop(event["item_id"], None)
            await self._emit(conn, "conversation.item.deleted", item_id=event["item_id"])
        elif kind == "response.cancel" and conn.active_response is None:
            await self._emit(conn, "error", error=cancel_not_active(event))

    async def _create_item(self, conn: Connection, item: dict[str, Any]) -> None:
        item.setdefault("id", new_id("item_"))
        item["status"] = "completed"
        if not conn.beta:
            item.pop("object", None)
        for part in item.get("content", []):
            part.pop("audio", None)  # the server does not echo audio back
            if part.get("type") == "input_text":
                conn.last_user_text = part["text"]
            if part.get("type") == "input_audio":
                part["transcript"] = None
        previous = self._last_id(conn)
        conn.items[item["id"]] = item
        await self._item_added(conn, item, previous)
        await self._item_done(conn, item, previous)

    async def _respond(self, conn: Connection, refusal: dict[str, Any] | None = None) -> None:
        """A response; with ``refusal``, a server-VAD one that refuses the request right after
        its ``response.created``."""
        response_id = new_id("resp_")
        conn.active_response = response_id
        shape = response_shape(conn.beta, response_id, "in_progress", [])
        await self._emit(conn, "response.created", response=shape)
        if refusal is not None:
            await self._emit(conn, "error", error=refusal)
        await self._emit(conn, "rate_limits.updated", rate_limits=[dict(r) for r in RATE_LIMITS])
        tool = self._named_tool(conn)
        if tool is not None:
            output = [await self._function_call(conn, response_id, tool)]
        else:
            output = [await self._audio_message(conn, response_id)]
        conn.active_response = None
        await self._emit(
            conn,
            "response.done",
            response=response_shape(conn.beta, response_id, "completed", output),
        )

    def _named_tool(self, conn: Connection) -> dict[str, Any] | None:
        last = conn.items[self._last_id(conn)] if conn.items else None
        if last is None or last.get("type") != "message":
            return None
        for tool in conn.session.get("tools") or []:
            if tool.get("name") and tool["name"] in conn.last_user_text:
                return tool
        return None

    async def _audio_message(self, conn: Connection, response_id: str) -> dict[str, Any]:
        item_id, previous = new_id("item_"), self._last_id(conn)
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        if not conn.beta:
            item.pop("object")
        conn.items[item_id] = item
        ids = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        await self._emit(
            conn, "response.output_item.added", response_id=response_id, output_index=0, item=item
        )
        await self._item_added(conn, item, previous)
        part_type = "audio" if conn.beta else "output_audio"
        await self._emit(
            conn, "response.content_part.added", part={"type": "audio", "transcript": ""}, **ids
        )
        words = self.reply.format(user=conn.last_user_text or "(audio)").split(" ")
        per_delta = max(1, -(-len(words) // self.audio_deltas))
        chunks = [" ".join(words[i : i + per_delta]) for i in range(0, len(words), per_delta)]
        prefix = "response.audio" if conn.beta else "response.output_audio"
        for index, chunk in enumerate(chunks):
            text = chunk if index == 0 else " " + chunk
            await self._emit(conn, f"{prefix}_transcript.delta", delta=text, **ids)
            audio = base64.b64encode(tone(2400)).decode()
            await self._emit(conn, f"{prefix}.delta", delta=audio, **ids)
        transcript = " ".join(words)
        await self._emit(conn, f"{prefix}.done", **ids)
        await self._emit(conn, f"{prefix}_transcript.done", transcript=transcript, **ids)
        await self._emit(
            conn,
            "response.content_part.done",
            part={"type": "audio", "transcript": transcript},
            **ids,
        )
        item = item | {
            "status": "completed",
            "content": [{"type": part_type, "transcript": transcript}],
        }
        conn.items[item_id] = item
        await self._emit(
            conn, "response.output_item.done", response_id=response_id, output_index=0, item=item
        )
        await self._item_done(conn, item, previous)
        return item

    async def _function_call(
        self, conn: Connection, response_id: str, tool: dict[str, Any]
    ) -> dict[str, Any]:
        item_id, previous, call_id = new_id("item_"), self._last_id(conn), new_id("call_")
        item = {
            "id": item_id,
            "type": "function_call",
            "status": "in_progress",
            "name": tool["name"],
            "call_id": call_id,
            "arguments": "",
        }
        if conn.beta:
            item["object"] = "realtime.item"
        conn.items[item_id] = item
        await self._emit(
            conn, "response.output_item.added", response_id=response_id, output_index=0, item=item
        )
        await self._item_added(conn, item, previous)
        arguments = json.dumps({"city": "Paris", "days": 2})
        ids = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "call_id": call_id,
        }
        for piece in (arguments[:10], arguments[10:]):
            await self._emit(conn, "response.function_call_arguments.delta", delta=piece, **ids)
        done_fields = {} if conn.beta else {"name": tool["name"]}
        await self._emit(
            conn, "response.function_call_arguments.done", arguments=arguments, **ids, **done_fields
        )
        item = item | {"status": "completed", "arguments": arguments}
        conn.items[item_id] = item
        await self._emit(
            conn, "response.output_item.done", response_id=response_id, output_index=0, item=item
        )
        await self._item_done(conn, item, previous)
        return item
