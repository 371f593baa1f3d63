"""What a response reads of the conversation: truncation, context overflow and cached tokens.

The openai SDK's ``RealtimeTruncation`` docstrings describe the behaviour followed here. The
conversation after the instructions (``post_instructions`` tokens: the items; the instructions
and tools come first) has a limit:

- ``retention_ratio`` with ``token_limits.post_instructions``: that number;
- ``auto``, or ``retention_ratio`` without a limit: the model's context window minus its maximum
  output (4,096) minus the instructions' tokens ("a 32k context model with 4,096 max output
  tokens can only include 28,224 tokens in the context before truncation occurs"). Tool
  definitions count nothing here, as they count nothing in the simulator's usage.

When a response is about to read a conversation over its limit, the oldest items are dropped
from what the model reads (never the newest one) until ``retention_ratio`` times the limit remains;
``auto`` keeps :data:`AUTO_RETENTION` of it (our choice: the guide gives no figure, and keeping
less than all spreads truncations over several turns, as the SDK advises for cache rates).
Dropped items stay in the conversation (``conversation.item.retrieve`` still finds them; no
delete events) and stay dropped. ``disabled`` never drops: a response that would read more
than the model's limit fails (``response.done`` status ``failed`` with error code
``context_length_exceeded``, as the Responses API names that overflow; the Realtime sources say
only that the server "would instead return an error").

Cached tokens: a response reads the same prefix as the one before it (same instructions and
tools, no item deleted, inserted before others, truncated or dropped since), so what the previous
response read is counted as ``cached_tokens`` (text and audio), as prompt caching does; any of
those edits, a truncation above all, "busts the cache" and the next response has none. (OpenAI
caches only prefixes of 1,024 tokens and more; the simulator caches any size so that small
sessions show the effect.)

Token counts are the conversation's running estimates (:meth:`.conversation.Item.tokens`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from . import errors, prompts
from . import validation as v
from .conversation import Conversation, Item, count_tokens

MAX_OUTPUT_TOKENS = 4096
DEFAULT_CONTEXT_WINDOW = 32_000
# Context windows by model name prefix (OpenAI's model pages; unknown models get the default).
CONTEXT_WINDOWS = (
    ("gpt-realtime-2", 128_000),
    ("gpt-4o-realtime-preview", 128_000),
    ("gpt-4o-mini-realtime-preview", 128_000),
    ("gpt-realtime", 32_000),
    ("gpt-audio", 32_000),
)
AUTO_RETENTION = 0.8


def context_window(model: str) -> int:
    """The model's context window in tokens."""
    for prefix, size in CONTEXT_WINDOWS:
        if model.startswith(prefix):
            return size
    return DEFAULT_CONTEXT_WINDOW


def parse(value: Any, param: str) -> Any:
    """``auto``, ``disabled`` or ``{type: retention_ratio, retention_ratio, token_limits:
    {post_instructions}}``, validated (the model's bound is checked by :func:`check_model`)."""
    if isinstance(value, str):
        return v.enum(value, param, ("auto", "disabled"))
    obj = v.require_object(value, param)
    v.check_keys(obj, ["type", "retention_ratio", "token_limits"], param)
    v.enum(v.require_key(obj, "type", param), f"{param}.type", ("retention_ratio",))
    ratio = v.number(
        v.require_key(obj, "retention_ratio", param), f"{param}.retention_ratio", 0.0, 1.0
    )
    out: dict[str, Any] = {"type": "retention_ratio", "retention_ratio": ratio}
    if obj.get("token_limits") is not None:
        q = f"{param}.token_limits"
        limits = v.require_object(obj["token_limits"], q)
        v.check_keys(limits, ["post_instructions"], q)
        out["token_limits"] = {}
        if limits.get("post_instructions") is not None:
            out["token_limits"]["post_instructions"] = v.integer(
                limits["post_instructions"], f"{q}.post_instructions", 1
            )
    return out


def check_model(truncation: Any, param: str, model: str) -> None:
    """``post_instructions`` "cannot be higher than the model's context window size minus the
    maximum output tokens" (the SDK)."""
    if not isinstance(truncation, dict):
        return
    limit = (truncation.get("token_limits") or {}).get("post_instructions")
    most = context_window(model) - MAX_OUTPUT_TOKENS
    if limit is not None and limit > most:
        raise errors.out_of_range(f"{param}.token_limits.post_instructions", limit, 1, most)


def _cache_key(instructions: str, tools: list[dict[str, Any]]) -> str:
    blob = json.dumps([instructions, tools], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class Reading:
    """What one response reads: items, input tokens (instructions included) and cached ones."""

    items: list[Item]
    text_tokens: int
    audio_tokens: int
    cached_text: int = 0
    cached_audio: int = 0
    truncated: bool = False
    overflow: errors.RealtimeError | None = None
    instructions: str = ""  # what the model reads first (a prompt's text, then instructions)


class ContextWindow:
    """One session's reading of its conversation; owns the cache record of the last reading."""

    def __init__(self) -> None:
        self._last: tuple[str, int, int, int] | None = None  # key, edits, text, audio

    def read(
        self,
        conversation: Conversation,
        instructions: str,
        tools: list[dict[str, Any]],
        truncation: Any,
        model: str,
    ) -> Reading:
        """Truncate the conversation as ``truncation`` says and report what a response reads."""
        head = count_tokens(instructions)
        limit = context_window(model) - MAX_OUTPUT_TOKENS - head
        ratio = AUTO_RETENTION
        if isinstance(truncation, dict):
            ratio = float(truncation["retention_ratio"])
            limit = (truncation.get("token_limits") or {}).get("post_instructions") or limit
        text, audio = conversation.read_tokens()
        truncated = overflow = False
        if text + audio > limit:
            if truncation == "disabled":
                overflow = True
            else:
                conversation.drop_oldest(int(ratio * limit))
                text, audio = conversation.read_tokens()
                truncated = True
        reading = Reading(
            [item for item in conversation.items if not item.dropped], text + head, audio
        )
        reading.truncated = truncated
        if overflow:
            reading.overflow = errors.RealtimeError(
                f"The conversation has {text + audio + head} input tokens, more than this "
                f"model's limit of {limit + head} with truncation disabled.",
                code="context_length_exceeded",
            )
            return reading
        key = _cache_key(instructions, tools)
        if self._last is not None and self._last[:2] == (key, conversation.edits):
            reading.cached_text = min(self._last[2], reading.text_tokens)
            reading.cached_audio = min(self._last[3], reading.audio_tokens)
        self._last = (key, conversation.edits, reading.text_tokens, reading.audio_tokens)
        return reading


def response_reading(
    window: ContextWindow,
    conversation: Conversation,
    config: dict[str, Any],
    params: dict[str, Any],
    context: list[Item],
) -> Reading:
    """What a response with ``params`` reads in a session with ``config``: its own ``input``
    (``context``) or the conversation, truncated; the instructions a prompt may replace."""
    instructions = prompts.model_instructions(
        params.get("instructions", config["instructions"]),
        params.get("prompt_text", config["prompt_text"]),
    )
    if "input" in params:
        reading = own_input(context, instructions)
    else:
        tools = params.get("tools", config["tools"])
        truncation = config["truncation"]
        reading = window.read(conversation, instructions, tools, truncation, config["model"])
    reading.instructions = instructions
    return reading


def own_input(items: list[Item], instructions: str) -> Reading:
    """What a response with its own ``input`` reads: those items (never truncated or cached)."""
    counts = [item.tokens() for item in items]
    text = sum(t for t, _ in counts) + count_tokens(instructions)
    return Reading(list(items), text, sum(a for _, a in counts))
