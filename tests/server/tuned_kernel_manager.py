"""A kernel manager for the test servers whose iopub sockets never drop messages.

Loaded by the jupyter_server subprocess (``--ServerApp.kernel_manager_class``), never by tests.
A stock server subscribes to iopub with ZeroMQ's default high-water mark (1000): on a loaded
machine the kernel's PUB socket then silently drops output (1500-2000 lines of the contract
suite's 10,000 prints, measured here under CPU load). That is the server's limit, not tnb's,
so the contract servers lift it the way tnb's raw backend does for itself.
"""

from __future__ import annotations

from typing import Any

import zmq
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import default


class UnboundedIOPubKernelManager(AsyncMappingKernelManager):
    """Every socket to the kernels is created with an unlimited receive queue."""

    @default("context")
    def _context_default(self) -> Any:
        context = super()._context_default()
        context.setsockopt(zmq.RCVHWM, 0)
        return context
