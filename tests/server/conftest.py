"""Fixtures for the server backend's tests: a provider and a kernel on the session's server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.jupyter_server import JupyterServer
from tnb.kernels.events import KernelEvent, Stream
from tnb.kernels.protocol import KernelChoice
from tnb.kernels.server.provider import (
    ServerKernel,
    ServerOptions,
    ServerProvider,
    open_server_provider,
)

# Short limits so that fault tests end quickly; generous enough for a loaded 2-core machine.
FAST = ServerOptions(start_timeout=60.0, reconnect_timeout=3.0, reply_timeout=60.0)


@pytest.fixture
async def provider(jupyter_server: JupyterServer) -> AsyncIterator[ServerProvider]:
    """A provider for the session's server."""
    provider = await open_server_provider(
        jupyter_server.url, token=jupyter_server.token, options=FAST
    )
    yield provider
    await provider.close()


async def python_choice(provider: ServerProvider) -> KernelChoice:
    """The server's python3 kernelspec."""
    choices = await provider.list_choices()
    return next(c for c in choices if c.kind == "spec" and c.name == "python3")


@pytest.fixture
async def kernel(provider: ServerProvider) -> AsyncIterator[ServerKernel]:
    """A python3 kernel started on the session's server (shut down afterwards)."""
    kernel = await provider.start(await python_choice(provider))
    yield kernel
    await kernel.shutdown()


async def collect(kernel: ServerKernel, code: str) -> list[KernelEvent]:
    """Every event of one execution."""
    return [event async for event in kernel.execute(code)]


def stdout(events: list[KernelEvent]) -> str:
    """The stdout text of a list of events."""
    return "".join(e.text for e in events if isinstance(e, Stream) and e.name == "stdout")
