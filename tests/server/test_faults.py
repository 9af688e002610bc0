"""Faults: the server killed mid-run, the websocket dropped, the kernel deleted, a stuck start."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from pathlib import Path

import pytest

from tests.fixtures.jupyter_server import JupyterServer, JupyterServerFactory
from tests.server.conftest import FAST, collect, python_choice, stdout
from tnb.kernels.events import ExecuteReply, KernelDied, KernelEvent, Stream
from tnb.kernels.protocol import KernelChoice, KernelStartError
from tnb.kernels.server.provider import (
    KernelGoneError,
    ServerKernel,
    ServerOptions,
    ServerProvider,
    open_server_provider,
)
from tnb.kernels.server.rest import ServerClient
from tnb.kernels.server.url import parse_server_url

pytestmark = pytest.mark.timeout(180)

COUNT_SLOWLY = "import time\nfor i in range(40):\n    print(i, flush=True)\n    time.sleep(0.05)\n"


async def test_server_killed_mid_execution(jupyter_server_factory: JupyterServerFactory) -> None:
    server = jupyter_server_factory()
    provider = await open_server_provider(server.url, token=server.token, options=FAST)
    kernel = await provider.start(await python_choice(provider))
    events: list[KernelEvent] = []
    async with asyncio.timeout(60):  # hang guard: reconnect_timeout is 3 s
        async for event in kernel.execute(
            "import time\nprint('started', flush=True)\ntime.sleep(60)"
        ):
            events.append(event)
            if isinstance(event, Stream) and event.text == "started\n":
                server.kill()
    assert stdout(events) == "started\n"  # what arrived before is kept
    died = events[-1]
    assert isinstance(died, KernelDied)
    assert "stopped answering" in died.reason or "lost the connection" in died.reason
    assert kernel.status == "dead"
    after = await collect(kernel, "1")
    assert len(after) == 1 and isinstance(after[0], KernelDied)
    async with asyncio.timeout(60):
        await kernel.shutdown()  # the server is gone: must not hang or raise
        await provider.close()


async def test_websocket_dropped_reattaches_and_output_continues(kernel: ServerKernel) -> None:
    events: list[KernelEvent] = []
    dropped = False
    async with asyncio.timeout(60):
        async for event in kernel.execute(COUNT_SLOWLY):
            events.append(event)
            if not dropped and isinstance(event, Stream) and "5\n" in event.text:
                # As a network drop would: the socket dies under the websocket.
                sock = kernel._sock
                assert sock is not None
                sock.shutdown(socket.SHUT_RDWR)
                dropped = True
    assert dropped
    assert kernel.reconnects == 1
    assert stdout(events) == "".join(f"{i}\n" for i in range(40))
    assert isinstance(events[-1], ExecuteReply)
    assert events[-1].status == "ok"
    follow_up = await collect(kernel, "print(i)")
    assert stdout(follow_up) == "39\n"


async def test_websocket_closed_by_server_replaces_session(
    kernel: ServerKernel, jupyter_server: JupyterServer
) -> None:
    # A second connection with our session id makes the server close ours as stale.
    from tornado.websocket import websocket_connect

    client = ServerClient(parse_server_url(jupyter_server.url), jupyter_server.token)
    request = client.http_request(kernel._ws_url())
    intruder = await websocket_connect(request)
    intruder.close()
    async with asyncio.timeout(60):
        # A request written in the instant between the server closing the socket and us
        # noticing is lost (as in any Jupyter client): wait for the re-attach first.
        while kernel.reconnects < 1:  # noqa: ASYNC110 (a counter, no event to wait on)
            await asyncio.sleep(0.05)
        events = await collect(kernel, "print('still here')")
    assert stdout(events) == "still here\n", events


async def test_kernel_deleted_by_another_client(
    kernel: ServerKernel, jupyter_server: JupyterServer
) -> None:
    other = ServerClient(parse_server_url(jupyter_server.url), jupyter_server.token)
    events: list[KernelEvent] = []
    async with asyncio.timeout(60):
        async for event in kernel.execute(
            "import time\nprint('running', flush=True)\ntime.sleep(60)"
        ):
            events.append(event)
            if isinstance(event, Stream):
                await other.call(f"api/kernels/{kernel.kernel_id}", method="DELETE")
    other.close()
    assert stdout(events) == "running\n"
    last = events[-1]
    if isinstance(last, ExecuteReply):
        # The kernel may answer the execution (aborted by the server's shutdown_request)
        # before it goes away: the cell ended, and the deletion must still be noticed.
        assert last.status in ("error", "aborted"), last
        async with asyncio.timeout(30):
            while kernel.status != "dead":  # noqa: ASYNC110 (a status, no event to wait on)
                await asyncio.sleep(0.05)
    else:
        assert isinstance(last, KernelDied), last
        assert "no longer exists" in last.reason
    assert kernel.status == "dead"
    # Said by the backend itself, as a raw kernel says it: the UI shows why, not "it died".
    assert kernel.died is not None and "no longer exists" in kernel.died.reason
    with pytest.raises(KernelGoneError):
        await kernel.complete("x", 1)
    with pytest.raises(KernelGoneError):
        await kernel.interrupt()


async def test_kernel_deleted_while_idle_is_noticed(
    kernel: ServerKernel, jupyter_server: JupyterServer
) -> None:
    other = ServerClient(parse_server_url(jupyter_server.url), jupyter_server.token)
    await other.call(f"api/kernels/{kernel.kernel_id}", method="DELETE")
    other.close()
    async with asyncio.timeout(60):
        events = await collect(kernel, "1 + 1")
    assert isinstance(events[-1], KernelDied)
    assert "no longer exists" in events[-1].reason
    assert kernel.died == events[-1]


def _write_spec(folder: Path, name: str, argv: list[str]) -> None:
    spec_dir = folder / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": name, "language": "python"})
    )


async def test_kernel_stuck_starting_ends_in_clear_error(
    jupyter_server_factory: JupyterServerFactory, tmp_path: Path
) -> None:
    specs = tmp_path / "specs"
    # Starts, never answers anything.
    _write_spec(
        specs, "mute", [sys.executable, "-c", "import time; time.sleep(600)", "{connection_file}"]
    )
    server = jupyter_server_factory(env={"JUPYTER_PATH": str(specs)})
    options = ServerOptions(start_timeout=4.0, reconnect_timeout=3.0)
    provider = await open_server_provider(server.url, token=server.token, options=options)
    try:
        choice = next(c for c in await provider.list_choices() if c.name == "mute")
        async with asyncio.timeout(60):
            with pytest.raises(KernelStartError, match=r"starting|kernel_info"):
                await provider.start(choice)
        # We started it, so the failed start deleted it.
        assert not [c for c in await provider.list_choices() if c.kind == "running"]
    finally:
        await provider.close()


async def test_kernel_dying_at_start(
    jupyter_server_factory: JupyterServerFactory, tmp_path: Path
) -> None:
    specs = tmp_path / "specs"
    _write_spec(specs, "broken", [sys.executable, "-c", "import sys; sys.exit('no way')"])
    server = jupyter_server_factory(env={"JUPYTER_PATH": str(specs)})
    # The server restarts a dying kernel for ~18 s before it drops it; we notice that.
    options = ServerOptions(start_timeout=90.0, reconnect_timeout=3.0)
    provider = await open_server_provider(server.url, token=server.token, options=options)
    try:
        choice = next(c for c in await provider.list_choices() if c.name == "broken")
        async with asyncio.timeout(120):
            with pytest.raises(KernelStartError, match="died while starting"):
                await provider.start(choice)
    finally:
        await provider.close()


async def test_restart_of_a_deleted_kernel(
    provider: ServerProvider, jupyter_server: JupyterServer
) -> None:
    kernel = await provider.start(await python_choice(provider))
    other = ServerClient(parse_server_url(jupyter_server.url), jupyter_server.token)
    await other.call(f"api/kernels/{kernel.kernel_id}", method="DELETE")
    other.close()
    with pytest.raises(KernelGoneError):
        await kernel.restart()
    await kernel.shutdown()


def test_choice_type() -> None:
    assert KernelChoice.__name__ == "KernelChoice"


async def test_kernel_crash_is_reported_and_the_server_restarts_it(kernel: ServerKernel) -> None:
    async with asyncio.timeout(60):
        events = await collect(kernel, "print('bye', flush=True)\nimport os\nos._exit(3)")
    died = events[-1]
    assert isinstance(died, KernelDied)
    assert "restarting" in died.reason
    async with asyncio.timeout(90):
        while True:  # the server's restarter brings a fresh process up
            after = await collect(kernel, "print('back')")
            if stdout(after) == "back\n":
                break
            await asyncio.sleep(0.5)
    assert kernel.status == "idle"


# Its first process answers the server's kernel_info (so the websocket handshake completes)
# and dies at the next one, ours; the server restarts it on new ports. Seen in CI under load:
# the first process had connected to ports another worker's kernel took meanwhile.
_DIES_ONCE = """\
import os, sys
from ipykernel import kernelapp, kernelbase
marker = sys.argv[2] + ".died-once"
if not os.path.exists(marker):
    answer = kernelbase.Kernel.kernel_info_request
    async def kernel_info_request(self, *args):
        if os.path.exists(marker):
            os._exit(1)
        open(marker, "w").close()
        await answer(self, *args)
    kernelbase.Kernel.kernel_info_request = kernel_info_request
kernelapp.launch_new_instance(argv=["-f", sys.argv[2]])
"""


async def test_kernel_restarted_by_the_server_while_starting_is_waited_for(
    jupyter_server_factory: JupyterServerFactory, tmp_path: Path
) -> None:
    specs = tmp_path / "specs"
    script = tmp_path / "dies_once.py"
    script.write_text(_DIES_ONCE)
    _write_spec(specs, "dies-once", [sys.executable, str(script), "-f", "{connection_file}"])
    server = jupyter_server_factory(env={"JUPYTER_PATH": str(specs)})
    options = ServerOptions(start_timeout=90.0, reconnect_timeout=30.0)
    provider = await open_server_provider(server.url, token=server.token, options=options)
    try:
        choice = next(c for c in await provider.list_choices() if c.name == "dies-once")
        async with asyncio.timeout(120):
            kernel = await provider.start(choice)
            try:
                assert stdout(await collect(kernel, "print('up')")) == "up\n"
            finally:
                await kernel.shutdown()
        assert list(server.runtime_dir.glob("*.died-once")), "the first process never answered"
    finally:
        await provider.close()
