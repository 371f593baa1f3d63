"""Response requests that are never lost: ``RealtimeClient.create_response`` goes through here.

The server allows one response at a time in the default conversation: a ``response.create``
sent while one is requested or active is refused with ``conversation_already_has_active_response``
and nothing more happens. The console sends ``response.cancel``, ``conversation.item.create``
and ``response.create`` in the same millisecond when a message is typed during a reply, and a
tool can finish while another response streams, so such requests were lost. Here:

- while a response of the default conversation is requested (not yet created) or active, a new
  request is deferred, and sent once those are done (``response.done``) or rejected, one at a
  time, in order; out-of-band requests (``conversation: "none"``, answered with
  ``conversation_id: null``) are sent at once and block nothing;
- ``withdraw`` (``cancel_response``) drops the deferred requests, so the request that follows a
  new message answers the newest messages;
- if the server still refuses one of ours with ``conversation_already_has_active_response`` (a
  server-VAD response raced it, or a server slower than its ``response.done``), it is sent again
  after the conversation's response is done (or after a short pause if none is known), at most
  ``MAX_RETRIES`` times; the ``error`` event is still dispatched, marked ``retrying``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .tracking import (
    ResponseState,
    ResponseTracker,
    request_in_conversation,
    response_in_conversation,
)
from .utils import generate_id

ACTIVE_RESPONSE_CODE = "conversation_already_has_active_response"
MAX_RETRIES = 3
"""Times one request is sent again after the server refused it for an active response."""
MAX_DEFERRED = 32
"""Requests that may wait for the conversation's response (past it, ``request`` raises)."""
RETRY_PAUSE_S = 0.25
"""Pause before sending again when the server refused a request but no response is known to be
active (times the attempt number)."""
_REMEMBERED = 16  # our sent requests kept to recognise a refusal (one is pending at a time)


@dataclass
class _Request:
    payload: dict[str, Any] | None
    attempts: int = 0


class DeferredResponsesFull(RuntimeError):
    """``create_response`` found ``MAX_DEFERRED`` requests already waiting."""


class ResponseRequests:
    """Sends ``response.create`` so the default conversation has one response at a time."""

    def __init__(self, send: Callable[[str, Mapping[str, Any]], object]) -> None:
        """``send(event_name, data)`` sends a client event (``RealtimeAPI.send``)."""
        self._send = send
        self.tracker = ResponseTracker()
        self._deferred: deque[_Request] = deque()
        self._sent: OrderedDict[str, _Request] = OrderedDict()
        self._connection = itertools.count()
        self._current = next(self._connection)
        self._wake_scheduled = False

    def state(self) -> ResponseState:
        """Requested, active and deferred responses."""
        return self.tracker.state(len(self._deferred))

    def check_room(self) -> None:
        """Raise ``DeferredResponsesFull`` if a request now would find the queue full."""
        if len(self._deferred) >= MAX_DEFERRED and self._must_wait():
            raise DeferredResponsesFull(
                f"{MAX_DEFERRED} response requests are already waiting for the current response;"
                " cancel_response() withdraws them"
            )

    def request(self, payload: dict[str, Any] | None) -> bool:
        """Send ``response.create`` now (True) or defer it (False).

        Out-of-band requests are always sent now. Raises ``DeferredResponsesFull`` past
        ``MAX_DEFERRED`` waiting, and what ``send`` raises (not connected), deferring nothing.
        """
        request = _Request(payload)
        if not request_in_conversation(payload):
            self._send_request(request)
            return True
        if not self._must_wait():
            self._send_request(request)
            return True
        self.check_room()
        self._deferred.append(request)
        return False

    def withdraw(self) -> int:
        """Drop the deferred requests (a cancel); returns how many there were."""
        count = len(self._deferred)
        self._deferred.clear()
        return count

    # -- what the connection reports ---------------------------------------------------------

    def sent(self, event: Mapping[str, Any]) -> None:
        """A ``response.create`` went out (ours or anyone's)."""
        response = event.get("response")
        inside = request_in_conversation(response if isinstance(response, Mapping) else None)
        self.tracker.requested(str(event.get("event_id")), inside)

    def created(self, response: Mapping[str, Any]) -> None:
        """``response.created``."""
        response_id = response.get("id")
        if isinstance(response_id, str) and response_id:
            self.tracker.created(response_id, response_in_conversation(response))

    def done(self, response_id: str) -> None:
        """``response.done``: the next deferred request may go (after this event's dispatch)."""
        self.tracker.done(response_id)
        self._wake()

    def rejected(self, event_id: str, code: str | None) -> bool:
        """The server refused a client event; True when it is one of ours being sent again."""
        was_pending = self.tracker.rejected(event_id)
        request = self._sent.pop(event_id, None)
        if request is not None and code == ACTIVE_RESPONSE_CODE and request.attempts < MAX_RETRIES:
            request.attempts += 1
            self._deferred.appendleft(request)
            if not self.tracker.conversation_busy():  # nothing known to wait for
                self._wake(RETRY_PAUSE_S * request.attempts)
            return True
        if was_pending:
            self._wake()
        return False

    def clear(self) -> None:
        """The connection closed: forget everything, deferred requests included."""
        self.tracker.clear()
        self._deferred.clear()
        self._sent.clear()
        self._current = next(self._connection)
        self._wake_scheduled = False

    # -- sending -----------------------------------------------------------------------------

    def _must_wait(self) -> bool:
        return bool(self._deferred) or self.tracker.conversation_busy()

    def _send_request(self, request: _Request) -> None:
        event_id = generate_id("evt_")
        data: dict[str, Any] = {"event_id": event_id}
        if request.payload:
            data["response"] = request.payload
        self._sent[event_id] = request
        while len(self._sent) > _REMEMBERED:
            self._sent.popitem(last=False)
        self._send("response.create", data)

    def _wake(self, delay: float = 0.0) -> None:
        """Send the next deferred request soon: after the current event's dispatch (so logs
        show ``response.done`` before the request it let go), or after ``delay`` seconds."""
        if not self._deferred or (self._wake_scheduled and not delay):
            return
        loop = asyncio.get_running_loop()
        if delay:
            loop.call_later(delay, self._send_next, self._current)
        else:
            self._wake_scheduled = True
            loop.call_soon(self._send_next, self._current)

    def _send_next(self, connection: int) -> None:
        if connection != self._current:
            return  # scheduled for a connection that has closed since
        self._wake_scheduled = False
        # One at a time: a request sent makes the conversation busy until it is answered, and a
        # later response.done or refusal wakes us again.
        while self._deferred and not self.tracker.conversation_busy():
            request = self._deferred.popleft()
            try:
                self._send_request(request)
            except Exception:  # the socket closed meanwhile; clear() follows with the close
                self._deferred.appendleft(request)
                return
