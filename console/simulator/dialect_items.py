"""How a :class:`~.dialect.Dialect` renders conversation items for the wire and validates the
items clients send (``conversation.item.create``, ``response.input``); the beta dialect overrides
the part type names (``text``/``audio`` for assistant parts) and the item envelope."""

from __future__ import annotations

from typing import Any

from . import mcp_items
from . import validation as v
from .conversation import Item, Part
from .input_audio import decode_audio, encode_audio


class ItemCodec:
    """Items and content parts in a dialect's wire shape (GA by default)."""

    assistant_part_types: tuple[str, ...] = ("output_text", "output_audio")
    client_item_types: tuple[str, ...] = (
        "message", "function_call", "function_call_output", "mcp_approval_response"
    )  # fmt: skip

    def _wire_part_type(self, part_type: str) -> str:
        return part_type

    def render_part(self, part: Part, fmt: str | None = None) -> dict[str, Any]:
        """A content part; ``fmt`` set means include the audio, encoded in that format."""
        kind = self._wire_part_type(part.type)
        out: dict[str, Any] = {"type": kind}
        if part.type in ("input_text", "output_text"):
            out["text"] = part.text or ""
        elif part.type in ("input_audio", "output_audio"):
            if fmt is not None and part.audio is not None:
                out["audio"] = encode_audio(part.audio, fmt)
            out["transcript"] = part.transcript
        elif part.type == "input_image":
            out.update(part.extra)
        elif part.type == "item_reference":
            out["id"] = part.extra.get("id")
        return out

    def _item_common(self, item: Item) -> dict[str, Any]:
        return {"id": item.id, "type": item.type}

    def render_item(
        self, item: Item, audio_formats: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """An item for the wire; ``audio_formats`` (input, output) includes audio (retrieve)."""
        out = self._item_common(item)
        if item.type == "message":
            fmt = None
            if audio_formats is not None:
                fmt = audio_formats[1] if item.role == "assistant" else audio_formats[0]
            out.update(
                status=item.status,
                role=item.role,
                content=[self.render_part(p, fmt) for p in item.content],
            )
        elif item.type == "function_call":
            out.update(
                status=item.status, name=item.name, call_id=item.call_id, arguments=item.arguments
            )
        elif item.type == "function_call_output":
            out.update(call_id=item.call_id, output=item.output)
        elif item.type in mcp_items.TYPES:
            out.update(mcp_items.render(item))
        return out

    def _part_rules(self, role: str) -> tuple[str, ...]:
        if role == "user":
            return ("input_text", "input_audio", "input_image")
        if role == "system":
            return ("input_text",)
        return self.assistant_part_types

    def _canonical_part_type(self, wire: str) -> str:
        return wire

    def parse_part(self, raw: Any, param: str, role: str, input_format: str) -> Part:
        """Validate one content part of a client item."""
        obj = v.require_object(raw, param)
        kind = v.enum(v.require_key(obj, "type", param), f"{param}.type", self._part_rules(role))
        canonical = self._canonical_part_type(kind)
        if canonical in ("input_text", "output_text"):
            v.check_keys(obj, ["type", "text"], param)
            return Part(
                canonical, text=v.string(v.require_key(obj, "text", param), f"{param}.text")
            )
        if canonical in ("input_audio", "output_audio"):
            v.check_keys(obj, ["type", "audio", "transcript"], param)
            audio = None
            if obj.get("audio") is not None:
                audio = decode_audio(
                    v.string(obj["audio"], f"{param}.audio"), input_format, f"{param}.audio"
                )
            transcript = v.optional_string(obj.get("transcript"), f"{param}.transcript")
            return Part(canonical, audio=audio, transcript=transcript)
        v.check_keys(obj, ["type", "image_url", "detail"], param)
        url = v.string(v.require_key(obj, "image_url", param), f"{param}.image_url")
        extra: dict[str, Any] = {"image_url": url}
        if "detail" in obj:
            extra["detail"] = v.enum(obj["detail"], f"{param}.detail", ("auto", "low", "high"))
        return Part("input_image", extra=extra)

    def parse_item(self, raw: Any, param: str, input_format: str) -> Item:
        """Validate a client item (``conversation.item.create`` or ``response.input``)."""
        obj = v.require_object(raw, param)
        kind = v.enum(
            v.require_key(obj, "type", param),
            f"{param}.type",
            self.client_item_types,
        )
        common = ["id", "type", "object", "status"]
        if "id" in obj:
            v.string(obj["id"], f"{param}.id")
        if "status" in obj:
            v.enum(obj["status"], f"{param}.status", ("completed", "incomplete", "in_progress"))
        if kind == "message":
            v.check_keys(obj, [*common, "role", "content"], param)
            role = v.enum(
                v.require_key(obj, "role", param), f"{param}.role", ("user", "assistant", "system")
            )
            parts = v.array(v.require_key(obj, "content", param), f"{param}.content")
            content = [
                self.parse_part(p, f"{param}.content[{i}]", role, input_format)
                for i, p in enumerate(parts)
            ]
            item = Item("message", role=role, content=content)
        elif kind == "function_call":
            v.check_keys(obj, [*common, "name", "call_id", "arguments"], param)
            item = Item(
                "function_call",
                name=v.string(v.require_key(obj, "name", param), f"{param}.name"),
                arguments=v.string(obj.get("arguments", ""), f"{param}.arguments"),
                call_id=v.string(v.require_key(obj, "call_id", param), f"{param}.call_id"),
            )
        elif kind == "mcp_approval_response":
            item = mcp_items.parse_approval_response(obj, param)
        else:
            v.check_keys(obj, [*common, "call_id", "output"], param)
            item = Item(
                "function_call_output",
                call_id=v.string(v.require_key(obj, "call_id", param), f"{param}.call_id"),
                output=v.string(v.require_key(obj, "output", param), f"{param}.output"),
            )
        if obj.get("id"):
            item.id = obj["id"]
        return item
