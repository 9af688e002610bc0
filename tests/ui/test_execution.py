"""Running cells from the UI against a real raw kernel (ipykernel): keys, outputs, input, help."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tests.ui.helpers import (
    kernel_idle,
    outputs_text,
    picker_highlights,
    screen_of,
    wait_for,
)
from tnb.notebook.model import Cell, Notebook
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ConfirmScreen
from tnb.ui.screens.stdin_prompt import StdinPromptScreen

SIZE = (100, 40)
# Hang guards only: the machine is shared, kernels may take seconds to start.

pytestmark = pytest.mark.timeout(180)


def notebook(*sources: str, path: Path | None = None) -> Notebook:
    cells = [Cell.new("code", source) for source in sources]
    return Notebook(
        cells=cells,
        metadata={"kernelspec": {"name": "tnb-python", "language": "python"}},
        path=path,
    )


def kernel_args(name: str) -> argparse.Namespace:
    return argparse.Namespace(
        kernel=name, server=None, token=None, ca_bundle=None, existing=None, transport=None,
        env=[], pick=False,
    )  # fmt: skip


def make_app(kernelspecs: KernelSpecs, *sources: str, path: Path | None = None) -> TnbApp:
    return TnbApp(
        notebook(*sources, path=path),
        kernel_args=kernel_args(kernelspecs.python),
        start_kernel=True,
    )


async def test_a_kernel_that_cannot_start_says_why(kernelspecs: KernelSpecs) -> None:
    app = TnbApp(notebook("1"), kernel_args=kernel_args(kernelspecs.exits), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.kernels.failure is not None, "the failure")
        assert "missing frobnicator" in (app.kernels.failure or "")
        assert "exit code 3" in (app.kernels.failure or "")
        await pilot.pause()
        assert "kernel failed" in screen_of(app).query_one("#status").text  # type: ignore[attr-defined]


async def test_first_run_starts_the_notebooks_kernel(kernelspecs: KernelSpecs) -> None:
    app = TnbApp(notebook("21 * 2"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: outputs_text(cell) == "42", "the result")
        assert app.kernels.backend is not None
        assert app.kernels.backend.choice.name == kernelspecs.python


async def test_run_interrupt_and_input_on_a_server_kernel(
    kernelspecs: KernelSpecs, jupyter_server: JupyterServer, tmp_path: Path
) -> None:
    args = kernel_args(kernelspecs.python)
    args.server = jupyter_server.url
    args.token = jupyter_server.token
    nb = notebook(
        "print('on the server'); 6 * 7",
        "answer = input('Q? ')\nanswer * 2",
        "import time; time.sleep(60)",
        path=tmp_path / "remote.ipynb",
    )
    app = TnbApp(nb, kernel_args=args, start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        status = screen_of(app).query_one("#status").text  # type: ignore[attr-defined]
        assert "· server · idle" in status
        await pilot.press("ctrl+e")
        first = nb.cells[0]
        await wait_for(pilot, lambda: "42" in outputs_text(first), "the result")
        assert "on the server" in outputs_text(first) and first.execution_count == 1
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, StdinPromptScreen), "the prompt")
        await pilot.press(*"ab", "enter")
        await wait_for(pilot, lambda: "abab" in outputs_text(nb.cells[1]), "the answer")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.kernels.status == "busy", "the sleep")
        await pilot.press("i", "i")
        last = nb.cells[2]
        await wait_for(
            pilot,
            lambda: any(o.ename == "KeyboardInterrupt" for o in last.outputs),
            "the KeyboardInterrupt",
        )


async def test_change_kernel_in_the_picker_switches_and_records_it(
    kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    from tnb.ui.screens.kernel_picker import KernelPickerScreen

    path = tmp_path / "switch.ipynb"
    app = make_app(kernelspecs, "x = 1", "print('x' in dir())", path=path)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        old = app.kernels.backend
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: app.notebook.cells[0].execution_count == 1, "[1]")
        screen_of(app).action_change_kernel()
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        await pilot.press(*"message interrupt")
        await wait_for(
            pilot, lambda: picker_highlights(app, kernelspecs.python_message), "the filter"
        )
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.kernels.backend is not None and app.kernels.backend is not old,
            "the new kernel",
        )
        await kernel_idle(pilot, app)
        assert old is not None and old.status == "dead"  # we started it, so we stopped it
        await pilot.press("ctrl+r")
        cell = app.notebook.cells[1]
        await wait_for(pilot, lambda: outputs_text(cell) == "False\n", "a fresh namespace")
        await pilot.press("ctrl+s")
        await pilot.pause()
    from tnb.notebook.io import load_notebook

    assert load_notebook(path).metadata["kernelspec"]["name"] == kernelspecs.python_message


async def test_an_interrupt_that_does_not_take_offers_a_restart(
    kernelspecs: KernelSpecs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tnb.ui.kernel_actions

    monkeypatch.setattr(tnb.ui.kernel_actions, "INTERRUPT_PATIENCE", 1.0)
    code = (
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('deaf', flush=True)\ntime.sleep(60)"
    )
    app = make_app(kernelspecs, code)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: "deaf" in outputs_text(cell), "the cell to start")
        await pilot.press("i", "i")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer")
        assert "has not stopped" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_for(pilot, lambda: app.kernels.runner is not None
                       and app.kernels.runner.running is None, "the cell to end")  # fmt: skip
        await kernel_idle(pilot, app)


async def test_an_existing_kernel_is_used_and_left_running(
    kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name=kernelspecs.python)
    km.connection_file = str(tmp_path / "kernel-existing.json")
    await km.start_kernel()
    try:
        args = kernel_args("")
        args.existing = km.connection_file
        app = TnbApp(notebook("40 + 2"), kernel_args=args, start_kernel=True)
        async with app.run_test(size=SIZE) as pilot:
            await kernel_idle(pilot, app)
            await pilot.press("ctrl+r")
            cell = app.notebook.cells[0]
            await wait_for(pilot, lambda: outputs_text(cell) == "42", "the result")
        assert await km.is_alive()  # attached, so not ours to stop
    finally:
        await km.shutdown_kernel(now=True)


async def test_keep_kernel_leaves_it_running_to_reattach(kernelspecs: KernelSpecs) -> None:
    import psutil

    args = kernel_args(kernelspecs.python)
    args.keep_kernel = True
    app = TnbApp(notebook("import os\nos.getpid()"), kernel_args=args, start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: outputs_text(cell).isdigit(), "the kernel's pid")
        await app.kernels.shutdown()
    pid = int(outputs_text(cell))
    try:
        kept = app.kernels.kept_connection_file
        assert kept is not None and kept.exists()
        assert psutil.pid_exists(pid)
        again = kernel_args("")
        again.existing = str(kept)
        second = TnbApp(notebook("os.getpid()"), kernel_args=again, start_kernel=True)
        async with second.run_test(size=SIZE) as pilot:
            await kernel_idle(pilot, second)
            await pilot.press("ctrl+r")
            other = second.notebook.cells[0]
            await wait_for(pilot, lambda: outputs_text(other) == str(pid), "the same kernel")
    finally:
        process = psutil.Process(pid)
        process.kill()
        process.wait(timeout=10)
