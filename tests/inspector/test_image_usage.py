"""Images in the inspector: a sent image's data URL shows as its size, and a turn's cost prices
image tokens (cached ones at the cached rate)."""

from __future__ import annotations

import copy

import pytest

from console.inspector.payloads import display_event, search_text
from console.inspector.prices import PriceTable, response_cost
from tests.images import data_url, png


def test_image_data_url_shows_as_its_size_without_mutating() -> None:
    url = data_url(png(640, 480), "image/png")
    event = {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "look"},
                {"type": "input_image", "image_url": url, "detail": "low"},
            ],
        },
    }
    before = copy.deepcopy(event)
    shown = display_event(event)
    part = shown["item"]["content"][1]
    assert part == {
        "type": "input_image",
        "image_url": f"<data:image/png;base64, {len(png(640, 480)):,} bytes>",
        "detail": "low",
    }
    assert shown["item"]["content"][0] is event["item"]["content"][0]
    assert event == before
    assert url[40:80].casefold() not in search_text(event)  # base64 is never searched


def test_turn_cost_prices_image_tokens() -> None:
    prices = PriceTable.default().lookup("gpt-realtime")
    usage = {
        "input_tokens": 1425,
        "output_tokens": 0,
        "input_token_details": {
            "text_tokens": 0,
            "audio_tokens": 0,
            "image_tokens": 1425,
            "cached_tokens": 1000,
            "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 1000},
        },
        "output_token_details": {"text_tokens": 0, "audio_tokens": 0},
    }
    # $5 per million image tokens in, $0.50 cached (gpt-realtime's page)
    assert response_cost(usage, prices) == pytest.approx((425 * 5.00 + 1000 * 0.50) / 1e6)
