"""What asked for the next response: the turn model's trigger bookkeeping, apart from the turns.

``Triggers`` keeps what is pending until a ``response.created`` claims it: the client's
``response.create`` requests (each with the action it answers: a user message or a tool output
the client created, or a manual commit), and the server's voice activity (``speech_started``,
``speech_stopped``, the ``committed`` user item). Items the client created without an id get
theirs from the server's echo, in order. ``TurnModel`` owns one, feeds it the events below and
asks it, when a response is created, which request or speech that response answers; the turns
themselves stay in ``turns``. Everything pending is capped (``MAX_PENDING``) and forgotten on a
new connection.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from .turn import MAX_PENDING, Action, Request, Speech, Trigger, as_int, as_str

__all__ = ["Triggers"]


class Triggers:
    """The requests, client actions and speech waiting for the response that answers them."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything pending (a new connection is a new session)."""
        self._requests: deque[Request] = deque(maxlen=MAX_PENDING)
        self._speech: Speech | None = None
        self._last_action = Action("other")
        self._unnamed: deque[Action] = deque(maxlen=MAX_PENDING)
        """Items the client created without an id (and commits), waiting for the server's echo."""
        self._named: deque[str] = deque(maxlen=MAX_PENDING)
        """Ids the client gave its own items: their echoes name nothing that waits."""

    # -- feeding -----------------------------------------------------------------------------

    def client(self, kind: str, event: Mapping[str, Any], at: float | None) -> None:
        """A client event: an item create or commit is an action, ``response.create`` a request."""
        if kind == "response.create":
            action, self._last_action = self._last_action, Action("other")
            self._requests.append(Request(at, as_str(event.get("event_id")), action))
            return
        trigger: Trigger
        if kind == "conversation.item.create":
            item = event.get("item")
            if not isinstance(item, Mapping):
                return
            if item.get("type") == "function_call_output":
                trigger = "tool"
            elif item.get("type") == "message" and item.get("role") == "user":
                trigger = "text"
                self._speech = None  # a typed message supersedes unanswered speech
            else:
                return
            item_id = as_str(item.get("id"))
        elif kind == "input_audio_buffer.commit":
            trigger, item_id = "commit", None
        else:
            return
        action = self._last_action = Action(trigger, item_id, as_str(event.get("event_id")))
        if item_id is None:
            self._unnamed.append(action)
        else:
            self._named.append(item_id)

    def server(self, kind: str, event: Mapping[str, Any], at: float | None) -> None:
        """A server event (canonical type); only those about triggers are looked at."""
        handler = _SERVER_HANDLERS.get(kind)
        if handler is not None:
            handler(self, event, at)

    def _speech_started(self, event: Mapping[str, Any], at: float | None) -> None:
        self._speech = Speech(
            at, as_int(event.get("audio_start_ms")), item_id=as_str(event.get("item_id"))
        )

    def _speech_stopped(self, event: Mapping[str, Any], at: float | None) -> None:
        speech = self._speech or Speech()
        speech.stopped, speech.stopped_at = True, at
        speech.end_ms = as_int(event.get("audio_end_ms"))
        speech.item_id = as_str(event.get("item_id")) or speech.item_id
        self._speech = speech

    def _committed(self, event: Mapping[str, Any], at: float | None) -> None:
        item_id = as_str(event.get("item_id"))
        if self._speech is not None:
            self._speech.item_id = item_id or self._speech.item_id
        elif item_id is not None:
            self._name_echo("commit", item_id)

    def _item_echo(self, event: Mapping[str, Any], at: float | None) -> None:
        """The server's echo of an item: it names an item the client created without an id."""
        item = event.get("item")
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            return
        if item.get("type") == "function_call_output":
            self._name_echo("tool", item["id"])
        elif item.get("type") == "message" and item.get("role") == "user":
            content = item.get("content")
            parts = content if isinstance(content, list) else ()
            if not any(isinstance(p, Mapping) and p.get("type") == "input_audio" for p in parts):
                self._name_echo("text", item["id"])  # audio is speech's, or a commit's

    def _name_echo(self, trigger: Trigger, item_id: str) -> None:
        """Give ``item_id`` to the oldest unnamed action of its kind (echoes come in order)."""
        if item_id in self._named:
            self._named.remove(item_id)
            return
        for action in self._unnamed:
            if action.trigger == trigger:
                action.item_id = item_id
                self._unnamed.remove(action)
                return

    def _rejected(self, event: Mapping[str, Any], at: float | None) -> None:
        """An ``error`` naming a pending ``response.create``: that request gets no response."""
        error = event.get("error")
        rejected = as_str(error.get("event_id")) if isinstance(error, Mapping) else None
        for request in self._requests:
            if rejected is not None and request.event_id == rejected:
                self._requests.remove(request)
                return

    # -- claiming ----------------------------------------------------------------------------

    def claim(self) -> Request | Speech | None:
        """What a response just created answers, taken off what is pending: the oldest request
        or the stopped speech, whichever came first; ``None`` when nothing asked for it."""
        request = self._requests[0] if self._requests else None
        speech = self._speech if self._speech is not None and self._speech.stopped else None
        if request is not None and (speech is None or _before(request.at, speech.stopped_at)):
            self._requests.popleft()
            return request
        if speech is not None:
            self._speech = None
            return speech
        return None


def _before(first: float | None, second: float | None) -> bool:
    """Whether ``first`` is not later than ``second`` (unknown times keep the event order)."""
    return first is None or second is None or first <= second


_SERVER_HANDLERS = {
    "input_audio_buffer.speech_started": Triggers._speech_started,
    "input_audio_buffer.speech_stopped": Triggers._speech_stopped,
    "input_audio_buffer.committed": Triggers._committed,
    "conversation.item.created": Triggers._item_echo,  # GA's conversation.item.added too
    "error": Triggers._rejected,
}
