"""The one execute loop both backends run: reply and idle, merged streams, stdin, lost requests."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from tnb.kernels import messages
from tnb.kernels.events import (
    Error,
    ExecuteReply,
    InputRequested,
    KernelDied,
    KernelEvent,
    StatusChanged,
    Stream,
)

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(frozen=True)
class RequestLost:
    """The kernel lives on, but the request never reached it as far as we can tell (it was
    written on a connection that dropped): the cell failed, there is no kernel to restart."""

    reason: str


# What a backend routes to one request: (channel, message) pairs, then maybe an end.
Item = tuple[str, Message] | KernelDied | RequestLost
InputReplier = Callable[[Message], Callable[[str], Awaitable[None]]]


class Inbox:
    """One request's messages: a FIFO that can be peeked, unlike asyncio.Queue."""

    def __init__(self) -> None:
        self._items: deque[Item] = deque()
        self._ready = asyncio.Event()

    def put_nowait(self, item: Item) -> None:
        self._items.append(item)
        self._ready.set()

    def empty(self) -> bool:
        return not self._items

    def peek(self) -> Item | None:
        return self._items[0] if self._items else None

    def get_nowait(self) -> Item:
        item = self._items.popleft()
        if not self._items:
            self._ready.clear()
        return item

    async def get(self) -> Item:
        while not self._items:
            await self._ready.wait()
        return self.get_nowait()


async def run_execution(
    inbox: Inbox,
    *,
    next_item: Callable[[], Awaitable[Item]],
    input_replier: InputReplier,
    idle_grace: float,
) -> AsyncGenerator[KernelEvent, None]:
    """The events of one execute_request already sent, whose messages arrive in ``inbox``.

    Ends with ExecuteReply once both the reply and the idle status arrived (output can come
    after the reply; a kernel that never says idle gets ``idle_grace`` seconds), or with
    KernelDied. ``next_item`` waits for the next item before the reply (a backend may look
    after the kernel while it waits); ``input_replier`` answers an input_request.
    """
    reply: ExecuteReply | None = None
    reply_error: Error | None = None
    saw_error = idle = False
    while not (idle and reply is not None):
        if reply is None:
            item = await next_item()
        else:
            try:
                item = await asyncio.wait_for(inbox.get(), idle_grace)
            except TimeoutError:
                log.warning("no idle status within %.0f s of an execute_reply", idle_grace)
                break
        if isinstance(item, KernelDied):
            yield item
            return
        if isinstance(item, RequestLost):
            yield Error(ename="ConnectionLost", evalue=item.reason, traceback=[])
            yield ExecuteReply(status="error", execution_count=None)
            return
        channel, msg = item
        kind = messages.msg_type(msg)
        if channel == "stdin":
            if kind == "input_request":
                prompt, password = messages.input_prompt(msg)
                yield InputRequested(prompt, password, input_replier(msg))
            continue
        if channel == "shell":
            if kind == "execute_reply":
                event = messages.message_to_event(msg)
                assert isinstance(event, ExecuteReply)
                reply, reply_error = event, messages.reply_error(msg)
            continue
        if channel != "iopub":
            continue
        event = messages.message_to_event(msg)
        if event is None:
            continue
        if isinstance(event, StatusChanged) and event.status == "idle":
            idle = True
        elif isinstance(event, Error):
            saw_error = True
        elif isinstance(event, Stream):
            event = merge_streams(event, inbox)
        yield event
    if reply_error is not None and not saw_error:
        yield reply_error  # kernels that report errors only in the reply
    assert reply is not None
    yield reply


def merge_streams(first: Stream, inbox: Inbox) -> Stream:
    """Fold the same stream's messages already waiting into one event (print loops): the
    screen redraws once per batch instead of once per line."""
    texts = [first.text]
    while True:
        item = inbox.peek()
        if not (
            isinstance(item, tuple)
            and item[0] == "iopub"
            and messages.msg_type(item[1]) == "stream"
            and (item[1].get("content") or {}).get("name") == first.name
        ):
            break
        inbox.get_nowait()
        texts.append(str(item[1]["content"].get("text", "")))
    return first if len(texts) == 1 else replace(first, text="".join(texts))
