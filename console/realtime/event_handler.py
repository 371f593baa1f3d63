"""``RealtimeEventHandler``: named events with persistent and one-shot listeners.

Ordering follows the reference client: on ``dispatch`` persistent listeners run first, in
registration order, then one-shot listeners; both lists are snapshotted first, so a listener
added during a dispatch runs from the next dispatch on. Differences from the reference, each a
fix: a listener that raises does not stop the others and is reported as an ``error`` event; a
coroutine listener is scheduled on the running loop and its failure is reported the same way; a
one-shot listener added during a dispatch of the same name is kept for the next dispatch (the
reference dropped it unrun); ``wait_for_next`` resolves for events dispatched with no payload,
and on timeout it unregisters its listener and returns ``None``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("console.realtime")

Handler = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class _Listener:
    """A handler plus whether it takes the event argument (``lambda: ...`` handlers do not)."""

    handler: Handler
    takes_event: bool


def _takes_event(handler: Handler) -> bool:
    """True unless the handler accepts no positional argument at all."""
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in parameters
    )


class RealtimeEventHandler:
    """Registers listeners by event name and dispatches events to them synchronously."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[_Listener]] = {}
        self._next_listeners: dict[str, list[_Listener]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def clear_event_handlers(self) -> bool:
        """Remove every persistent and one-shot listener."""
        self._listeners = {}
        self._next_listeners = {}
        return True

    def on(self, event_name: str, handler: Handler) -> Handler:
        """Call ``handler(event)`` on every ``event_name``; returns the handler (usable as tag)."""
        self._listeners.setdefault(event_name, []).append(_Listener(handler, _takes_event(handler)))
        return handler

    def on_next(self, event_name: str, handler: Handler) -> Handler:
        """Call ``handler(event)`` on the next ``event_name`` only; returns the handler."""
        listeners = self._next_listeners.setdefault(event_name, [])
        listeners.append(_Listener(handler, _takes_event(handler)))
        return handler

    def off(self, event_name: str, handler: Handler | None = None) -> bool:
        """Remove the first registration of ``handler``, or all listeners of ``event_name``.

        Raises ``ValueError`` when a given handler is not registered, as the reference does.
        """
        return self._remove(self._listeners, event_name, handler, "event listener")

    def off_next(self, event_name: str, handler: Handler | None = None) -> bool:
        """Like ``off`` for one-shot listeners."""
        return self._remove(self._next_listeners, event_name, handler, "next event listener")

    @staticmethod
    def _remove(
        table: dict[str, list[_Listener]], event_name: str, handler: Handler | None, kind: str
    ) -> bool:
        if handler is None:
            table.pop(event_name, None)
            return True
        listeners = table.get(event_name, [])
        for index, listener in enumerate(listeners):
            if listener.handler is handler:
                del listeners[index]
                return True
        raise ValueError(
            f'Could not turn off specified {kind} for "{event_name}": not found as a listener'
        )

    async def wait_for_next(self, event_name: str, timeout: float | None = None) -> Any:
        """Wait for the next ``event_name`` and return its payload.

        ``timeout`` is in seconds (the reference used milliseconds); on timeout the listener is
        removed and ``None`` is returned. ``None``/``0`` waits forever.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def resolve(event: Any = None) -> None:
            if not future.done():
                future.set_result(event)

        self.on_next(event_name, resolve)
        try:
            return await wait_future(future, timeout)
        finally:
            with contextlib.suppress(ValueError):
                self.off_next(event_name, resolve)

    def dispatch(self, event_name: str, event: Any = None) -> bool:
        """Run persistent then one-shot listeners of ``event_name`` with ``event``.

        A listener's exception is caught and reported as an ``error`` event (or logged, when
        the failing listener was itself handling ``error``); the remaining listeners still run.
        """
        persistent = self._listeners.get(event_name)
        one_shot = self._next_listeners.pop(event_name, None) if self._next_listeners else None
        if persistent:
            for listener in tuple(persistent):  # a snapshot: handlers may add or remove some
                self._call(listener, event_name, event)
        if one_shot:
            for listener in one_shot:
                self._call(listener, event_name, event)
        return True

    def _call(self, listener: _Listener, event_name: str, event: Any) -> None:
        try:
            result = listener.handler(event) if listener.takes_event else listener.handler()
            if result is not None and inspect.isawaitable(result):  # most handlers return None
                self._schedule(result, event_name, listener.handler)
        except Exception as exc:
            self._report_handler_failure(exc, event_name, listener.handler)

    def _schedule(self, awaitable: Awaitable[Any], event_name: str, handler: Handler) -> None:
        """Run a coroutine listener as a task, keeping a reference and reporting its failure."""

        async def run() -> None:
            try:
                await awaitable
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._report_handler_failure(exc, event_name, handler)

        try:
            task = asyncio.get_running_loop().create_task(run())
        except RuntimeError:
            # No running loop: run it to completion is impossible here; report instead.
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            self._report_handler_failure(
                RuntimeError("coroutine handler needs a running asyncio loop"), event_name, handler
            )
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _report_handler_failure(self, exc: Exception, event_name: str, handler: Handler) -> None:
        name = getattr(handler, "__qualname__", repr(handler))
        if event_name == "error":
            logger.error("handler %s for 'error' failed: %r", name, exc, exc_info=exc)
            return
        logger.debug("handler %s for %r failed", name, event_name, exc_info=exc)
        self.dispatch(
            "error",
            make_error(
                "handler_error",
                f"handler {name} for {event_name!r} raised {type(exc).__name__}: {exc}",
                exception=exc,
            ),
        )


async def wait_future(future: asyncio.Future[Any], timeout: float | None) -> Any:
    """Await ``future``; ``None`` after ``timeout`` seconds (``None``/0: no limit).

    Awaits the future directly (no ``asyncio.wait_for`` wrapper task), so the waiter resumes
    in the loop iteration right after the event: the receive loop yields once per frame, and
    a caller that awaits one ``wait_*`` after another does not miss an event of a burst.
    """
    if not timeout:
        return await future
    loop = asyncio.get_running_loop()

    def expire() -> None:
        if not future.done():
            future.set_result(None)

    timer = loop.call_later(timeout, expire)
    try:
        return await future
    finally:
        timer.cancel()


async def wait_unless_closed(
    emitter: RealtimeEventHandler,
    event_name: str,
    closing: RealtimeEventHandler,
    timeout: float | None,
) -> Any:
    """The payload of the next ``event_name`` on ``emitter``; ``None`` after ``timeout``
    seconds; ``ConnectionError`` if ``closing`` dispatches ``close`` first. Unregisters both."""
    future: asyncio.Future[tuple[str, Any]] = asyncio.get_running_loop().create_future()

    def on_event(event: Any = None) -> None:
        if not future.done():
            future.set_result(("event", event))

    def on_close(event: Any = None) -> None:
        if not future.done():
            future.set_result(("close", event))

    emitter.on_next(event_name, on_event)
    closing.on_next("close", on_close)
    try:
        outcome: tuple[str, Any] | None = await wait_future(future, timeout)
    finally:
        with contextlib.suppress(ValueError):
            emitter.off_next(event_name, on_event)
        with contextlib.suppress(ValueError):
            closing.off_next("close", on_close)
    if outcome is None:
        return None
    kind, payload = outcome
    if kind == "close":
        raise ConnectionError(f"connection closed while waiting for {event_name!r}")
    return payload


def make_error(
    code: str,
    message: str,
    *,
    source: str = "client",
    event: Any = None,
    exception: BaseException | None = None,
    error_type: str = "client_error",
) -> dict[str, Any]:
    """The payload of every ``error`` event the library dispatches.

    ``error`` mirrors the server's error object (type, code, message, param, event_id) so one
    handler reads both; ``source`` says whether the server or this client found the problem;
    ``event`` is the offending event (or frame excerpt); ``exception`` the caught exception.
    """
    return {
        "type": "error",
        "source": source,
        "error": {
            "type": error_type,
            "code": code,
            "message": message,
            "param": None,
            "event_id": None,
        },
        "event": event,
        "exception": exception,
    }
