"""The Jupyter debug protocol's transport: DAP requests on the control channel, events on iopub."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from tnb.kernels import messages
from tnb.kernels.protocol import KernelConnectionError

log = logging.getLogger(__name__)

# A DAP request is answered by the kernel's control thread even while a cell runs; one that
# is not answered in this long will not be (a kernel without a working debugger).
DEBUG_PATIENCE = 30.0


class DebugEndpoint:
    """The debug part of KernelBackend, for a backend that provides ``_request_control``."""

    on_debug_event: Callable[[dict[str, Any]], None] | None = None
    _debug_seq = 0

    async def _request_control(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def debug_request(
        self, command: str, arguments: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One DAP request on the control channel; the reply's content."""
        self._debug_seq += 1
        content = messages.debug_content(self._debug_seq, command, arguments)
        try:
            async with asyncio.timeout(DEBUG_PATIENCE):
                return await self._request_control("debug_request", content)
        except TimeoutError:
            raise KernelConnectionError(
                f"the kernel did not answer the debug request {command!r} "
                f"within {DEBUG_PATIENCE:.0f} s"
            ) from None

    def _route_debug(self, channel: str, msg: Mapping[str, Any]) -> bool:
        """Hand an iopub debug_event to ``on_debug_event``; True when ``msg`` was one."""
        if channel != "iopub" or messages.msg_type(msg) != "debug_event":
            return False
        handler = self.on_debug_event
        if handler is not None:
            try:
                handler(dict(msg.get("content") or {}))
            except Exception:  # a front end's bug must not stop the kernel's reader
                log.exception("a debug event handler failed")
        return True
