"""The responses a ``RealtimeConversation`` keeps: ``conversation.responses`` and
``conversation.response_lookup``, built from ``response.created``/``response.done``.

``response.done`` updates the stored response (status, usage); past ``max_items`` responses
the oldest tenth goes, as items do. Items a response announces (``response.output_item.added``)
before they join the conversation are remembered, so that their events are not reported as
naming unknown items: those of out-of-band responses (``conversation: "none"``) never join.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Response = dict[str, Any]


class ResponseLog:
    """Responses in the order the server created them, by id, and their announced items."""

    def __init__(self) -> None:
        self.lookup: dict[str, Response] = {}
        self.entries: list[Response] = []
        self._announced: set[str] = set()

    def clear(self) -> None:
        self.lookup.clear()
        self.entries.clear()
        self._announced.clear()

    def created(self, response_id: str, response: Mapping[str, Any], max_items: int | None) -> None:
        """Keep a new response (its ``output`` filled by ``add_output``); a known one stays."""
        if response_id not in self.lookup:
            stored = dict(response)
            stored["output"] = []
            self._remember(response_id, stored, max_items)

    def done(self, response_id: str, response: Mapping[str, Any], max_items: int | None) -> None:
        """Take the final fields of a response (kept now if its ``response.created`` was missed)."""
        stored = self.lookup.get(response_id)
        if stored is None:
            stored = {"id": response_id, "output": []}
            self._remember(response_id, stored, max_items)
        stored.update({k: v for k, v in response.items() if k != "output"})

    def add_output(self, response_id: str, item_id: str, *, joined: bool) -> None:
        """Note an output item of a kept response; ``joined``: already in the conversation."""
        self.lookup[response_id]["output"].append(item_id)
        if not joined:
            self._announced.add(item_id)

    def announced(self, item_id: str) -> bool:
        """Whether a response announced this item and it has not joined the conversation."""
        return item_id in self._announced

    def joined(self, item_id: str) -> None:
        """The item joined the conversation: the conversation knows it from now on."""
        self._announced.discard(item_id)

    def _remember(self, response_id: str, stored: Response, max_items: int | None) -> None:
        """Keep a response; past ``max_items`` responses the oldest tenth goes (as items do)."""
        self.lookup[response_id] = stored
        self.entries.append(stored)
        if max_items is not None and len(self.entries) > max_items:
            count = max(1, max_items // 10)
            for gone in self.entries[:count]:
                self.lookup.pop(str(gone.get("id")), None)
            del self.entries[:count]
