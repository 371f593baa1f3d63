"""``ContextWindow``: which items the model no longer reads, from usage alone (GA-shaped events)."""

from __future__ import annotations

from typing import Any

from console.inspector.context_window import ContextWindow


class Session:
    """Feeds a ``ContextWindow`` the events of text turns, with the usage the test chooses."""

    def __init__(self) -> None:
        self.window = ContextWindow()
        self.count = 0
        self.dropped: set[str] = set()
        self.feed("server", {"type": "session.created", "session": {"instructions": "Be brief."}})

    def feed(self, source: str, event: dict[str, Any]) -> None:
        self.dropped |= self.window.observe(source, event)

    def new_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    def user(self, text: str) -> str:
        item_id = self.new_id("item")
        content = [{"type": "input_text", "text": text}]
        item = {"id": item_id, "type": "message", "role": "user", "content": content}
        self.feed("server", {"type": "conversation.item.added", "item": item})
        return item_id

    def respond(self, input_tokens: int, output_tokens: int, cached: int = 0) -> str:
        response_id, item_id = self.new_id("resp"), self.new_id("item")
        response = {"id": response_id, "object": "realtime.response", "conversation_id": "conv_1"}
        self.feed("server", {"type": "response.created", "response": response})
        item = {"id": item_id, "type": "message", "role": "assistant", "content": []}
        self.feed("server", {"type": "conversation.item.added", "item": item})
        done = {**item, "content": [{"type": "output_text", "text": "x" * output_tokens * 4}]}
        usage = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "input_token_details": {"cached_tokens": cached, "text_tokens": input_tokens},
        }
        response = {**response, "status": "completed", "output": [done], "usage": usage}
        self.feed("server", {"type": "response.done", "response": response})
        return item_id


def test_input_that_grows_as_predicted_drops_nothing_and_a_fall_marks_the_oldest() -> None:
    s = Session()
    first = s.user("a" * 400)  # about 100 tokens
    answer = s.respond(input_tokens=110, output_tokens=50)  # base about 10
    second = s.user("b" * 400)
    s.respond(input_tokens=110 + 50 + 100, output_tokens=50)
    assert not s.dropped and not s.window.drops
    assert s.window.estimate(first) in (100, 102) and s.window.estimate(answer) == 50
    third = s.user("c" * 400)
    # The server dropped the first user item and its answer (150 tokens): the input fell.
    s.respond(input_tokens=260 + 50 + 100 - 150, output_tokens=50, cached=0)
    assert s.dropped == {first, answer}
    assert s.window.is_dropped(first) and not s.window.is_dropped(second)
    assert not s.window.is_dropped(third)
    drop = s.window.drops[-1]
    assert drop.item_ids == (first, answer) and drop.cached_tokens == 0
    assert abs(drop.predicted - drop.input_tokens - 150) <= 4  # the new item is a heuristic
    why = s.window.why_dropped(first)
    assert why is not None and why.startswith(
        f"✂ Not in the model's context since {drop.response_id}"
    )
    assert "it read 260 input tokens, 0 of them cached" in why
    assert s.window.why_dropped(third) is None


def test_a_drop_while_the_input_still_grows_is_seen_and_dropped_items_stay_out() -> None:
    s = Session()
    ids = [s.user("a" * 400)]
    ids.append(s.respond(110, 100))
    ids.append(s.user("b" * 400))
    ids.append(s.respond(310, 100))  # 10 + 100 + 100 + 100
    s.user("c" * 800)  # 200 tokens; the server drops the first turn (200 tokens) for room
    s.respond(310 + 100 + 200 - 200, 100)
    assert s.dropped == {ids[0], ids[1]}
    s.user("d" * 400)  # nothing more dropped: the prediction leaves the first turn out
    s.respond(410 + 100 + 100, 50)
    assert s.dropped == {ids[0], ids[1]} and len(s.window.drops) == 1


def test_an_answer_cut_short_costs_less_without_reading_as_a_drop() -> None:
    s = Session()
    s.user("a" * 400)
    answer = s.respond(110, 400)  # a long spoken answer ...
    s.feed("server", {"type": "conversation.item.truncated", "item_id": answer,
                      "content_index": 0, "audio_end_ms": 1000})  # fmt: skip
    s.user("b" * 400)  # ... heard for a second: as input it now costs 40, not 400
    s.respond(110 + 40 + 100, 50)
    assert not s.dropped and not s.window.drops
    # The 140 new tokens are shared by the cut answer (half its old estimate) and the question.
    assert s.window.estimate(answer) == round(140 * 200 / 302)


def test_an_instructions_change_or_a_custom_response_relearns_rather_than_drops() -> None:
    s = Session()
    s.user("a" * 400)
    s.respond(510, 50)  # long instructions: base about 410
    s.feed("server", {"type": "session.updated", "session": {"instructions": "Short."}})
    s.user("b" * 400)
    s.respond(110 + 50 + 100, 50)  # the base fell by 400: not a drop
    assert not s.dropped
    s.feed("client", {"type": "response.create", "response": {"instructions": "Other."}})
    s.respond(5, 50)
    assert not s.dropped
    s.user("c" * 400)
    s.respond(110 + 50 + 100 + 50 + 50 + 100, 50)
    assert not s.dropped


def test_a_new_session_forgets_the_old_conversation() -> None:
    s = Session()
    first = s.user("a" * 400)
    s.respond(110, 50)
    s.feed("server", {"type": "session.created", "session": {"instructions": "Be brief."}})
    assert s.window.estimate(first) is None


def test_an_item_inserted_earlier_takes_its_place_and_out_of_band_responses_are_skipped() -> None:
    s = Session()
    first = s.user("a" * 400)
    s.respond(110, 50)
    inserted = {"id": "item_early", "type": "message", "role": "user",
                "content": [{"type": "input_text", "text": "z" * 400}]}  # fmt: skip
    s.feed("server", {"type": "conversation.item.added", "previous_item_id": None,
                      "item": inserted})  # fmt: skip
    s.feed("server", {"type": "conversation.item.added", "previous_item_id": first,
                      "item": {**inserted, "id": "item_second"}})  # fmt: skip
    order = list(s.window._items)
    assert order.index(first) < order.index("item_second") < order.index("item_early")
    # An out-of-band response (conversation_id null) reads its own input: nothing learnt.
    response = {"id": "resp_oob", "object": "realtime.response", "conversation_id": None}
    s.feed("server", {"type": "response.created", "response": response})
    usage = {"input_tokens": 3, "output_tokens": 5}
    s.feed("server", {"type": "response.done", "response": {**response, "output": [],
                                                             "usage": usage}})  # fmt: skip
    assert not s.dropped and s.window.estimate("item_early") == 102
    s.respond(110 + 50 + 60 + 60, 50)  # the next response learns what the two items cost
    assert not s.dropped and s.window.estimate("item_early") == 60
