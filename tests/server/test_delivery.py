"""Lost messages: a handshake the server never answers, requests lost with a dropped socket."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from tornado.websocket import websocket_connect

from tests.fixtures.jupyter_server import JupyterServer, JupyterServerFactory
from tests.server.conftest import collect, python_choice, stdout
from tnb.kernels.events import Error, ExecuteReply
from tnb.kernels.protocol import KernelConnectionError
from tnb.kernels.server.provider import (
    ServerKernel,
    ServerOptions,
    ServerProvider,
    open_server_provider,
)
from tnb.kernels.server.rest import ServerClient
from tnb.kernels.server.url import parse_server_url

pytestmark = pytest.mark.timeout(180)

Write = Callable[..., Awaitable[None]]


def _patch_write(kernel: ServerKernel, wrap: Callable[[Write, socket.socket], Write]) -> None:
    """Replace the current websocket's write_message (the next connection is untouched)."""
    ws, sock = kernel._ws, kernel._sock
    assert ws is not None and sock is not None
    ws.write_message = wrap(ws.write_message, sock)  # type: ignore[method-assign,assignment]


def _swallow_then_drop(_write: Write, sock: socket.socket) -> Write:
    def write(message: Any, binary: bool = False) -> Awaitable[None]:
        # A frame written in the instant the network dies: it never reaches the server.
        sock.shutdown(socket.SHUT_RDWR)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    return write


def _write_then_drop(write_message: Write, sock: socket.socket) -> Write:
    def write(message: Any, binary: bool = False) -> Awaitable[None]:
        # The frame leaves (a FIN follows queued data), then the connection is gone.
        sent = asyncio.ensure_future(write_message(message, binary=binary))
        sent.add_done_callback(lambda _: sock.shutdown(socket.SHUT_RDWR))
        return sent

    return write


async def test_execute_lost_with_the_connection_ends_in_an_error(kernel: ServerKernel) -> None:
    _patch_write(kernel, _swallow_then_drop)
    async with asyncio.timeout(60):  # hang guard
        events = await collect(kernel, "lost_marker = 1")
    assert kernel.reconnects == 1
    error, reply = events[-2:]
    assert isinstance(error, Error) and error.ename == "ConnectionLost"
    assert "may not have run" in error.evalue
    assert isinstance(reply, ExecuteReply) and reply.status == "error"
    assert kernel.status != "dead"  # the kernel is fine: nothing to restart
    after = await collect(kernel, "print('lost_marker' in globals())")
    assert stdout(after) == "False\n"  # never sent again behind our back


async def test_request_lost_with_the_connection_raises(kernel: ServerKernel) -> None:
    _patch_write(kernel, _swallow_then_drop)
    async with asyncio.timeout(60):
        with pytest.raises(KernelConnectionError, match="may not have run"):
            await kernel.complete("impo", 4)
    assert (await kernel.complete("impo", 4)).matches == ["import"]


async def test_execute_that_arrived_before_the_drop_is_not_reported_lost(
    kernel: ServerKernel,
) -> None:
    # The kernel is busy with it while we reconnect, so our kernel_info probe waits too.
    # It prints only after 5 s: output published while the server's new iopub subscription
    # is still joining can be lost (seen once in CI with 2 s); this test is about the
    # execute not being reported lost, not about that window.
    _patch_write(kernel, _write_then_drop)
    async with asyncio.timeout(60):
        events = await collect(kernel, "import time\ntime.sleep(5)\nprint('done')")
    assert kernel.reconnects == 1
    assert stdout(events) == "done\n"
    assert not [e for e in events if isinstance(e, Error)]
    assert isinstance(events[-1], ExecuteReply) and events[-1].status == "ok"


async def test_handshake_asked_again_when_the_servers_kernel_info_is_lost(
    jupyter_server_factory: JupyterServerFactory, tmp_path: Path
) -> None:
    spec_dir = tmp_path / "specs" / "kernels" / "forgetful"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "tests.server.forgetful_kernel", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "forgetful", "language": "python"})
    )
    # The server would hold the handshake for 10 minutes on its lost request: only a new
    # handshake within our start timeout gets the kernel.
    server = jupyter_server_factory(
        env={"JUPYTER_PATH": str(tmp_path / "specs")},
        extra_args=("--MappingKernelManager.kernel_info_timeout=600",),
    )
    options = ServerOptions(start_timeout=60.0, reconnect_timeout=3.0, handshake_timeout=2.0)
    provider: ServerProvider = await open_server_provider(
        server.url, token=server.token, options=options
    )
    try:
        choice = next(c for c in await provider.list_choices() if c.name == "forgetful")
        async with asyncio.timeout(120):
            kernel = await provider.start(choice)
            events = await collect(kernel, "print('answered')")
            await kernel.shutdown()
        assert stdout(events) == "answered\n"
    finally:
        await provider.close()


async def test_python_kernel_starts_with_a_short_handshake_limit(
    provider: ServerProvider,
) -> None:
    # Handshakes that ask again must not break a normal start.
    provider.options = ServerOptions(start_timeout=60.0, handshake_timeout=0.5)
    kernel = await provider.start(await python_choice(provider))
    try:
        assert stdout(await collect(kernel, "print(6 * 7)")) == "42\n"
    finally:
        await kernel.shutdown()


async def test_request_sent_as_the_server_replaces_our_connection(
    provider: ServerProvider, jupyter_server: JupyterServer
) -> None:
    # A second connection with our session id makes the server close ours as stale; a
    # request sent at once may go down with it. Either it runs, or it ends saying it may
    # not have run; it never hangs. Measured here: 4 of 25 lost, one reconnect took 7.6 s
    # (the server holds the new handshake a while), hence the longer reconnect limit; with
    # four test workers and two busy loops on two cores, 30 s was once not enough.
    provider.options = ServerOptions(start_timeout=60.0, reconnect_timeout=90.0)
    kernel = await provider.start(await python_choice(provider))
    try:
        client = ServerClient(parse_server_url(jupyter_server.url), jupyter_server.token)
        intruder = await websocket_connect(client.http_request(kernel._ws_url()))
        intruder.close()
        client.close()
        async with asyncio.timeout(180):  # hang guard
            # It prints after 5 s, clear of the window in which output published while the
            # server's new iopub subscription joins is lost (CI once saw a run whose print,
            # sent at once, never came: the server's loss, not a lost request).
            code = "import time\ntime.sleep(5)\nprint('still here')"
            events = await collect(kernel, code)
            reply = events[-1]
            assert isinstance(reply, ExecuteReply), events
            if stdout(events) != "still here\n":
                lost = [e.ename for e in events if isinstance(e, Error)]
                # Said lost, or it ran (reply ok) and only its output fell in that window.
                assert lost == ["ConnectionLost"] or (reply.status == "ok" and not lost), events
            after = await collect(kernel, "print('and after')")
        assert stdout(after) == "and after\n"
    finally:
        await kernel.shutdown()


async def test_an_output_over_100_mb_arrives_whole(kernel: ServerKernel) -> None:
    # tornado's websocket client caps its stream's buffer at 100 MB, whatever the message
    # size limit says: a bigger message closed the connection and the cell never ended.
    code = "import sys\nsys.stdout.write(('z' * 99 + '\\n') * 1_100_000)\nsys.stdout.flush()"
    events = await collect(kernel, code)
    assert len(stdout(events)) == 110_000_000
    assert kernel.status == "idle"
