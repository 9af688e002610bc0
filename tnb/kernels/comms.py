"""Comms (comm_open, comm_msg, comm_close) routed to the targets the layers above register."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from tnb.kernels import messages
from tnb.kernels.events import CommHandler, CommMessage, OutputHandler

log = logging.getLogger(__name__)

# (msg_type, content, metadata, buffers) -> msg_id, on the shell channel
SendShell = Callable[[str, dict[str, Any], dict[str, Any], Sequence[bytes]], Awaitable[str]]
Request = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

# iopub messages that are a cell's output, and so can be captured by an Output widget.
_OUTPUT_TYPES = frozenset(
    {"stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"}
)


class CommRouter:
    """One kernel's comm targets, open comms and captured outputs; backends feed it iopub."""

    def __init__(self, send: SendShell) -> None:
        self._send = send
        self._targets: dict[str, CommHandler] = {}
        self._open: dict[str, CommHandler] = {}
        self._captures: dict[str, OutputHandler] = {}

    def register_target(self, target_name: str, handler: CommHandler) -> None:
        self._targets[target_name] = handler

    def adopt(self, comm_id: str, handler: CommHandler) -> None:
        self._open[comm_id] = handler

    def capture_output(self, parent_id: str, handler: OutputHandler | None) -> None:
        if handler is None:
            self._captures.pop(parent_id, None)
        else:
            self._captures[parent_id] = handler

    def route(self, channel: str, msg: Mapping[str, Any]) -> bool:
        """Handle ``msg`` if it is a comm message or a captured output; True when consumed."""
        if channel != "iopub":
            return False
        kind = messages.msg_type(msg)
        if kind.startswith("comm_"):
            self._comm(kind, msg)
            return True
        capture = self._captures.get(messages.parent_id(msg))
        if capture is None or kind not in _OUTPUT_TYPES:
            return False
        event = messages.message_to_event(msg)
        if event is not None:
            _call(capture, event)
        return True

    def _comm(self, kind: str, msg: Mapping[str, Any]) -> None:
        content = msg.get("content") or {}
        comm_id = str(content.get("comm_id") or "")
        comm = CommMessage(
            kind="open" if kind == "comm_open" else "close" if kind == "comm_close" else "msg",
            comm_id=comm_id,
            data=dict(content.get("data") or {}),
            metadata=dict(msg.get("metadata") or {}),
            buffers=tuple(bytes(b) for b in msg.get("buffers") or ()),
            target_name=str(content.get("target_name") or ""),
            parent_id=messages.parent_id(msg),
        )
        handler: CommHandler | None
        if comm.kind == "open":
            handler = self._targets.get(comm.target_name)
            if handler is None:
                # As JupyterLab: a comm nobody here can serve is closed, so the kernel knows.
                log.debug("no comm target %r: closing comm %s", comm.target_name, comm_id)
                self._spawn(self._send("comm_close", {"comm_id": comm_id, "data": {}}, {}, ()))
                return
            self._open[comm_id] = handler
        elif comm.kind == "close":
            handler = self._open.pop(comm_id, None)
        else:
            handler = self._open.get(comm_id)
        if handler is not None:
            _call(handler, comm)

    def closed_all(self) -> None:
        """The kernel restarted or died: every comm is gone, and each handler hears so."""
        gone, self._open = self._open, {}
        self._captures.clear()
        for comm_id, handler in gone.items():
            _call(handler, CommMessage(kind="close", comm_id=comm_id, data={}))

    def forget(self, comm_id: str) -> None:
        """We closed the comm: nothing more for its handler."""
        self._open.pop(comm_id, None)

    def _spawn(self, job: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await job
            except Exception as exc:  # the kernel went away meanwhile: nothing to close
                log.debug("comm_close failed: %s", exc)

        task = asyncio.ensure_future(run())
        _background.add(task)
        task.add_done_callback(_background.discard)


_background: set[asyncio.Future[None]] = set()


def _call(handler: Callable[[Any], None], value: Any) -> None:
    try:
        handler(value)
    except Exception:  # a front end's bug must not stop the kernel's reader
        log.exception("a comm handler failed")


async def comm_info(request: Request, target_name: str | None) -> dict[str, str]:
    """comm_info_request: the kernel's open comms as {comm_id: target_name}."""
    content: dict[str, Any] = {} if target_name is None else {"target_name": target_name}
    reply = await request("comm_info_request", content)
    comms = reply.get("comms") or {}
    return {str(k): str((v or {}).get("target_name", "")) for k, v in comms.items()}


class CommEndpoint:
    """The comm part of KernelBackend, for a backend that sets ``comms`` (fed its iopub) and
    provides ``_send_shell`` and ``_request_shell``."""

    comms: CommRouter

    async def _send_shell(
        self,
        msg_type: str,
        content: dict[str, Any],
        metadata: dict[str, Any],
        buffers: Sequence[bytes],
    ) -> str:
        raise NotImplementedError

    async def _request_shell(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def register_comm_target(self, target_name: str, handler: CommHandler) -> None:
        """Comms the kernel opens for ``target_name``, and their messages, go to ``handler``."""
        self.comms.register_target(target_name, handler)

    def adopt_comm(self, comm_id: str, handler: CommHandler) -> None:
        """A comm the kernel opened before we connected: its messages go to ``handler``."""
        self.comms.adopt(comm_id, handler)

    def capture_output(self, parent_id: str, handler: OutputHandler | None) -> None:
        """Outputs of request ``parent_id`` go to ``handler``, not its cell; None stops."""
        self.comms.capture_output(parent_id, handler)

    async def comm_open(
        self,
        target_name: str,
        data: dict[str, Any],
        handler: CommHandler,
        *,
        metadata: dict[str, Any] | None = None,
        buffers: Sequence[bytes] = (),
    ) -> str:
        """Open a comm to the kernel's ``target_name``; returns its comm_id."""
        comm_id = uuid.uuid4().hex
        self.comms.adopt(comm_id, handler)  # its answers may come before the send returns
        content = {"comm_id": comm_id, "target_name": target_name, "data": data}
        await self._send_shell("comm_open", content, metadata or {}, buffers)
        return comm_id

    async def comm_msg(
        self,
        comm_id: str,
        data: dict[str, Any],
        *,
        metadata: dict[str, Any] | None = None,
        buffers: Sequence[bytes] = (),
    ) -> str:
        """Send on an open comm; returns the message's msg_id (the parent of what it causes)."""
        content = {"comm_id": comm_id, "data": data}
        return await self._send_shell("comm_msg", content, metadata or {}, buffers)

    async def comm_close(self, comm_id: str, data: dict[str, Any] | None = None) -> None:
        """Close a comm from this side."""
        self.comms.forget(comm_id)
        await self._send_shell("comm_close", {"comm_id": comm_id, "data": data or {}}, {}, ())

    async def comm_info(self, target_name: str | None = None) -> dict[str, str]:
        """The kernel's open comms, {comm_id: target_name}."""
        return await comm_info(self._request_shell, target_name)
