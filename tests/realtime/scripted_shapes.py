"""The payloads the scripted server sends, in the GA or the beta shape: ids, sessions,
responses, errors and audio. Plain data, no connection: ``scripted_server`` sends them.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_counter):017d}"


def tone(samples: int, frequency: float = 220.0) -> bytes:
    """Non-silent PCM16 audio: a plain tone."""
    t = np.arange(samples) / 24000
    return (np.sin(2 * np.pi * frequency * t) * 8000).astype("<i2").tobytes()


INVALID_API_KEY = {
    "type": "invalid_request_error",
    "code": "invalid_api_key",
    "message": "Incorrect API key provided: sk-b***. You can find your API key "
    "at https://platform.openai.com/account/api-keys.",
    "param": None,
    "event_id": None,
}

RATE_LIMITS = [{"name": "tokens", "limit": 40000, "remaining": 39000, "reset_seconds": 1.5}]


def cancel_not_active(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "invalid_request_error",
        "code": "response_cancel_not_active",
        "message": "Cancellation failed: no active response found",
        "param": None,
        "event_id": event.get("event_id"),
    }


def active_response_error(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "invalid_request_error",
        "code": "conversation_already_has_active_response",
        "message": "Conversation already has an active response in progress.",
        "param": None,
        "event_id": event.get("event_id"),
    }


def session_shape(path: str, beta: bool) -> dict[str, Any]:
    """A new session: the model from the URL's query, the rest as each dialect's defaults."""
    query = parse_qs(urlsplit(path).query)
    model = query.get("model", ["gpt-4o-realtime-preview" if beta else "gpt-realtime"])[0]
    base = {
        "id": new_id("sess_"),
        "object": "realtime.session",
        "model": model,
        "expires_at": 2_000_000_000,
        "instructions": "",
        "tools": [],
        "tool_choice": "auto",
    }
    if beta:
        return base | {
            "modalities": ["text", "audio"],
            "voice": "alloy",
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "turn_detection": None,
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
        }
    return base | {
        "type": "realtime",
        "output_modalities": ["audio"],
        "max_output_tokens": "inf",
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": 24000}, "turn_detection": None},
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"},
        },
    }


def response_shape(
    beta: bool, response_id: str, status: str, output: list[dict[str, Any]]
) -> dict[str, Any]:
    """A response object (with usage once it is no longer in progress)."""
    usage = {
        "total_tokens": 30,
        "input_tokens": 10,
        "output_tokens": 20,
        "input_token_details": {"text_tokens": 10, "audio_tokens": 0, "cached_tokens": 0},
        "output_token_details": {"text_tokens": 5, "audio_tokens": 15},
    }
    shape = {
        "id": response_id,
        "object": "realtime.response",
        "status": status,
        "status_details": None,
        "output": output,
        "conversation_id": "conv_1",
        "max_output_tokens": "inf",
        "metadata": None,
        "usage": usage if status != "in_progress" else None,
    }
    if beta:
        return shape | {
            "modalities": ["text", "audio"],
            "voice": "alloy",
            "output_audio_format": "pcm16",
            "temperature": 0.8,
        }
    return shape | {
        "output_modalities": ["audio"],
        "audio": {"output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"}},
    }
