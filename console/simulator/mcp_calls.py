"""The MCP outputs of a response: a call to a listed tool, or a request for the client's approval.

A call, in one response (GA): ``response.output_item.added`` (an ``mcp_call`` item, no output
yet) → ``conversation.item.added`` → ``response.mcp_call_arguments.delta``… →
``response.mcp_call_arguments.done`` → ``response.mcp_call.in_progress`` → the call over MCP →
``response.mcp_call.completed`` (the item's ``output`` is the server's text) or
``response.mcp_call.failed`` (the item's ``error``, see :mod:`.mcp_client`) →
``response.output_item.done`` → ``conversation.item.done``. The response then goes on, as the
real one does, with a message that uses the result ("The add tool returned: 5."), then
``response.done``. Several calls in one response come first, then one message for them all.

A tool that needs approval (:func:`.mcp_tools.needs_approval`) is not called: the response
outputs an ``mcp_approval_request`` item (``output_item.added``/``.done`` only, no argument
deltas) and ends. The client answers with ``conversation.item.create`` of an
``mcp_approval_response`` and then asks for a response (``response.create``), as it does after
a function call's output: the simulator does not start one by itself. That response runs the
approved call (its item carries ``approval_request_id``) or says it was denied
(:func:`.responder.plan`).

A call is bounded by the session's MCP timeout; cancelling the response stops waiting at once
(the call's item then ends with ``response.mcp_call.failed``), so a slow server never holds a
response, the session or another session.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from . import mcp_client, mcp_items, mcp_tools, responder
from .conversation import Item

if TYPE_CHECKING:
    from .streaming import ResponseRun

ARGS_DELAY_S = 0.01  # realtime pace: per mcp_call_arguments.delta


async def run_calls(
    run: ResponseRun, calls: list[responder.Call], tools: list[dict[str, Any]], timeout_s: float
) -> tuple[int, int, bool]:
    """Output ``calls`` (MCP ones) and the message after them; returns (text tokens, audio
    tokens, whether the message was cut by ``max_output_tokens``)."""
    configs = mcp_tools.mcp_configs(tools)
    listed = {
        (t["server_label"], t["name"]): t
        for t in mcp_items.callable_tools(run.host.conversation.items, tools)
    }
    out_text = 0
    replies: list[str] = []
    for call in calls:
        if run.cancelled:
            break
        label = call.server_label or ""
        config = configs.get(label)
        entry = listed.get((label, call.name), {"name": call.name})
        if (
            config is not None
            and call.approval_request_id is None
            and mcp_tools.needs_approval(config, entry)
        ):
            out_text += await _approval_request(run, call, label)
            continue
        tokens, reply = await _call(run, call, config, timeout_s)
        out_text += tokens
        replies.append(reply)
    if replies and not run.cancelled:
        text, audio, cut = await run._message(responder.bounded(" ".join(replies)))
        return out_text + text, audio, cut
    return out_text, 0, False


async def _approval_request(run: ResponseRun, call: responder.Call, label: str) -> int:
    item = Item(
        "mcp_approval_request",
        name=call.name,
        arguments=call.arguments,
        extra={"server_label": label},
    )
    index = await run._add_item(item)
    await run._finish_item(item, index, "completed")
    return responder.count_tokens(call.arguments)


async def _call(
    run: ResponseRun, call: responder.Call, config: dict[str, Any] | None, timeout_s: float
) -> tuple[int, str]:
    """Stream one ``mcp_call`` and make it; returns (text tokens, the reply's sentence)."""
    emit = run.host.emit
    item = Item(
        "mcp_call",
        status="in_progress",
        name=call.name,
        arguments="",
        extra={"server_label": call.server_label, "approval_request_id": call.approval_request_id},
    )
    index = await run._add_item(item)
    base = {"response_id": run.id, "item_id": item.id, "output_index": index}
    for delta in responder.token_pieces(call.arguments):
        if run.cancelled:
            break
        item.arguments = (item.arguments or "") + delta
        await emit("response.mcp_call_arguments.delta", **base, delta=delta)
        await run._pause(time.monotonic() + ARGS_DELAY_S)
    reply = ""
    if not run.cancelled:
        await emit("response.mcp_call_arguments.done", **base, arguments=call.arguments)
        where = {"item_id": item.id, "output_index": index}
        await emit("response.mcp_call.in_progress", **where)
        outcome = await _outcome(run, call, config, timeout_s)
        if isinstance(outcome, str):
            item.output = outcome
            await emit("response.mcp_call.completed", **where)
            reply = f"The {call.name} tool returned: {outcome}"
        else:
            item.extra["error"] = outcome.error_object()
            await emit("response.mcp_call.failed", **where)
            reply = f"The {call.name} tool failed: {outcome.message}"
    status = "incomplete" if run.cancelled else "completed"
    await run._finish_item(item, index, status)
    return responder.count_tokens(item.arguments or ""), reply


async def _outcome(
    run: ResponseRun, call: responder.Call, config: dict[str, Any] | None, timeout_s: float
) -> str | mcp_client.McpFailure:
    """The call's text output or why it failed; stops waiting when the response is cancelled."""
    if config is None:
        missing = f"The session has no MCP server labelled '{call.server_label}'."
        return mcp_client.McpFailure("protocol_error", missing, -32602)
    server = mcp_tools.server(config)
    if server is None:
        return mcp_client.McpFailure("http_error", mcp_tools.unreachable_reason(config), 502)
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError:
        arguments = {}
    if not isinstance(arguments, dict):
        arguments = {}
    calling = asyncio.ensure_future(mcp_client.call_tool(server, call.name, arguments, timeout_s))
    cancelled = asyncio.ensure_future(run._cancelled.wait())
    try:
        await asyncio.wait({calling, cancelled}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (calling, cancelled):
            task.cancel()
    if calling.done() and not calling.cancelled():
        error = calling.exception()
        if error is None:
            return str(calling.result())
        if isinstance(error, mcp_client.McpFailure):
            return error
        raise error
    return mcp_client.McpFailure(
        "tool_execution_error", "The response was cancelled before the tool answered."
    )
