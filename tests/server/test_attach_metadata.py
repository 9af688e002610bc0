"""After attaching to a server session, a server kernel or a running local kernel, the saved
notebook names the real kernelspec and the kernel's language_info (not a kernel id)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from jupyter_client.manager import AsyncKernelManager

from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tests.server.conftest import FAST
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.server.provider import ServerProvider, open_server_provider
from tnb.notebook.model import Cell, Notebook
from tnb.session.runner import apply_kernel_metadata

_TNB = str(Path(sys.executable).with_name("tnb"))
EXPECTED = {"name": "tnb-python", "display_name": "tnb test Python", "language": "python"}


@pytest.fixture
async def server(jupyter_server: JupyterServer) -> AsyncIterator[ServerProvider]:
    provider = await open_server_provider(
        jupyter_server.url, token=jupyter_server.token, options=FAST
    )
    yield provider
    await provider.close()


def _saved_metadata(notebook: Notebook, choice_info: tuple[object, object]) -> dict[str, object]:
    choice, info = choice_info
    apply_kernel_metadata(notebook, choice, info)  # type: ignore[arg-type]
    return notebook.metadata


async def test_reattached_server_session(server: ServerProvider, kernelspecs: KernelSpecs) -> None:
    assert kernelspecs.python == EXPECTED["name"]
    # A session another client (JupyterLab) created for this path.
    path = "tnb/attach-meta.ipynb"
    body = {"path": path, "type": "notebook", "name": "x", "kernel": {"name": kernelspecs.python}}
    session = await server._client.call("api/sessions", method="POST", body=body)
    try:
        fresh = ServerProvider(server._client.clone(), options=FAST)  # no list_choices first
        choice = next(c for c in await server.list_choices() if c.kind == "spec")
        kernel = await fresh.start_for_notebook(choice, path)
        try:
            assert kernel.choice.kind == "session" and not kernel.owned
            nb = Notebook(cells=[Cell.new("code", "1")])
            meta = _saved_metadata(nb, (kernel.choice, kernel.info))
        finally:
            await kernel.shutdown()
            await fresh.close()
    finally:
        await server._client.call(f"api/sessions/{session['id']}", method="DELETE")
    assert meta["kernelspec"] == EXPECTED
    language_info = meta["language_info"]
    assert isinstance(language_info, dict) and language_info["name"] == "python"
    assert "version" in language_info


async def test_attached_running_server_kernel(
    server: ServerProvider, kernelspecs: KernelSpecs
) -> None:
    model = await server._client.call("api/kernels", method="POST", body={"name": "tnb-python"})
    try:
        choices = await server.list_choices()
        running = next(c for c in choices if c.kind == "running" and c.name == model["id"])
        kernel = await server.start(running)
        try:
            nb = Notebook(cells=[Cell.new("code", "1")])
            meta = _saved_metadata(nb, (kernel.choice, kernel.info))
        finally:
            await kernel.shutdown()
    finally:
        await server._client.call(f"api/kernels/{model['id']}", method="DELETE")
    assert meta["kernelspec"] == EXPECTED
    assert model["id"] not in json.dumps(meta)


@pytest.fixture
async def local_kernel(kernelspecs: KernelSpecs, tmp_path: Path) -> AsyncIterator[Path]:
    """A kernel started by someone else (as `jupyter console` would), its connection file."""
    manager = AsyncKernelManager(kernel_name=kernelspecs.python)
    manager.connection_file = str(tmp_path / "kernel-someone.json")
    await manager.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield Path(manager.connection_file)
    finally:
        await manager.shutdown_kernel(now=True)


async def test_existing_local_kernel(local_kernel: Path) -> None:
    backend = await LocalProvider().attach_existing(local_kernel)
    try:
        nb = Notebook(cells=[Cell.new("code", "1")])
        meta = _saved_metadata(nb, (backend.choice, await backend.kernel_info()))
    finally:
        await backend.shutdown()
    assert meta["kernelspec"] == EXPECTED
    assert "kernel-someone" not in json.dumps(meta)


def test_tnb_run_existing_saves_the_kernelspec(local_kernel: Path, tmp_path: Path) -> None:
    path = tmp_path / "existing.ipynb"
    cell = {"cell_type": "code", "id": "c1", "metadata": {}, "source": "print(1)"}
    nb = {
        "cells": [cell | {"outputs": [], "execution_count": None}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    done = subprocess.run(
        [_TNB, "run", str(path), "--existing", str(local_kernel)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    saved = json.loads(path.read_text())["metadata"]
    assert saved["kernelspec"] == EXPECTED
    assert saved["language_info"]["name"] == "python"
