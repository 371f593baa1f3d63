"""Cutting a reply the user interrupted: the item half of ``RealtimeClient.cancel_response``.

The item is checked before anything is sent (with the reference's messages, word for word), and
the cut is clamped to the audio received (the reference sent whatever it was given: its
defect 10). Which response to cancel is the client's business (``responses``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .dialects import AUDIO_OUTPUT_PART_TYPES
from .utils import samples_to_ms


def audio_part(item_id: str, item: Mapping[str, Any] | None) -> tuple[Mapping[str, Any], int]:
    """``item`` and the index of its audio part; ``ValueError`` for an unknown item, one that is
    not an assistant message, or a message without audio."""
    if item is None:
        raise ValueError(f'Could not find item "{item_id}"')
    if item.get("type") != "message":
        raise ValueError('Can only cancelResponse messages with type "message"')
    if item.get("role") != "assistant":
        raise ValueError('Can only cancelResponse messages with role "assistant"')
    content = item.get("content") or []
    audio_index = next(
        (i for i, part in enumerate(content) if part.get("type") in AUDIO_OUTPUT_PART_TYPES),
        None,
    )
    if audio_index is None:
        raise ValueError("Could not find audio on item to cancel")
    return item, audio_index


def truncate_fields(
    item_id: str, audio_index: int, item: Mapping[str, Any], sample_count: int
) -> dict[str, Any]:
    """The ``conversation.item.truncate`` fields cutting the item's audio after
    ``sample_count`` samples, clamped to the audio received."""
    played = min(max(0, int(sample_count)), len(item["formatted"]["audio"]))
    return {"item_id": item_id, "content_index": audio_index, "audio_end_ms": samples_to_ms(played)}
