"""A dropped server websocket: 'reconnecting (attempt N)…' in the status, then the choices."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fixtures.jupyter_server import JupyterServer
from tests.ui.helpers import wait_for
from tests.ui.test_app_kernels import SIZE, kernel_args
from tnb.kernels.server.provider import ServerOptions, open_server_provider
from tnb.notebook.model import Cell, Notebook
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ChoiceScreen

pytestmark = pytest.mark.timeout(240)


class Forwarder:
    """A TCP forwarder on 127.0.0.1 in front of the server: cut it as a network would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        """Listen (again, on the same port once it has one)."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Stop listening and reset every connection through it."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def forwarder(jupyter_server: JupyterServer) -> AsyncIterator[Forwarder]:
    proxy = Forwarder(jupyter_server.port)
    await proxy.open()
    yield proxy
    await proxy.cut()


async def test_reconnecting_status_then_choices_then_keep_trying(
    jupyter_server: JupyterServer, forwarder: Forwarder, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{forwarder.port}/"
    provider = await open_server_provider(
        url, token=jupyter_server.token, options=ServerOptions(reconnect_timeout=4.0)
    )
    nb = Notebook(cells=[Cell.new("code", "print('after')")], path=tmp_path / "r.ipynb")
    app = TnbApp(nb, kernel_args=kernel_args(), start_kernel=False)
    labels: list[tuple[float, str]] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            choices = await provider.list_choices()
            spec = next(c for c in choices if c.kind == "spec" and c.name == "python3")
            await app.switch_kernel(provider, spec)
            assert app.kernels.status == "idle"
            screen = app.notebook_screen
            assert screen is not None

            def shown(text: str) -> bool:
                label = screen.kernel_label
                labels.append((time.monotonic(), label))
                return text in label

            dropped_at = time.monotonic()
            await forwarder.cut()
            await wait_for(pilot, lambda: shown("reconnecting (attempt "), "reconnecting")
            first = next(label for _t, label in labels if "reconnecting" in label)
            assert "gives up in " in first
            seen_at = next(t for t, label in labels if "reconnecting" in label)
            print(f"reconnecting shown {seen_at - dropped_at:.2f} s after the drop")

            # tnb gives up: the choices, with why.
            await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the choices")
            dialog = app.screen
            assert isinstance(dialog, ChoiceScreen)
            assert "gave up reconnecting" in dialog.question
            assert [c[0] for c in dialog.choices] == ["wait", "restart", "pick"]

            # The network comes back; keep trying reconnects to the same kernel.
            await forwarder.open()
            await pilot.press("w")
            await wait_for(pilot, lambda: app.kernels.status == "idle", "the kernel again")
            await wait_for(pilot, lambda: "reconnecting" not in screen.kernel_label, "status")
            await pilot.press("ctrl+r")
            cell = nb.cells[0]
            await wait_for(pilot, lambda: bool(cell.outputs), "the output")
            assert cell.outputs[0].text == "after\n"
    finally:
        await provider.close()
