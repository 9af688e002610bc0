"""The app with --server on a JupyterHub whose server is stopped: offer, start, progress, run."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.fixtures.jupyterhub import JupyterHubService
from tests.fixtures.kernelspecs import KernelSpecs
from tests.ui.helpers import wait_for
from tests.ui.test_app_kernels import SIZE
from tnb.notebook.model import Cell, Notebook
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ConfirmScreen

pytestmark = pytest.mark.timeout(240)


async def test_stopped_hub_server_is_offered_started_and_runs(
    jupyterhub: JupyterHubService, kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    spec = {"name": kernelspecs.python, "display_name": "Python", "language": "python"}
    nb = Notebook(
        cells=[Cell.new("code", "print('via the hub')")],
        metadata={"kernelspec": spec},
        path=tmp_path / "hub.ipynb",
    )
    args = argparse.Namespace(
        kernel=None, server=jupyterhub.server_url("app"), token=jupyterhub.user_token,
        ca_bundle=None, existing=None, transport=None, env=[], pick=False,
    )  # fmt: skip
    labels: list[str] = []
    app = TnbApp(nb, kernel_args=args, start_kernel=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer")
            screen = app.screen
            assert isinstance(screen, ConfirmScreen)
            assert "alice/app" in screen.question and "Start it?" in screen.question
            await pilot.press("y")

            def ready() -> bool:
                labels.append(app.kernels.label())
                return app.kernels.backend is not None and app.kernels.status == "idle"

            await wait_for(pilot, ready, "the kernel on the started server")
            assert any(label.startswith("hub server") for label in labels), labels
            await pilot.press("ctrl+r")
            cell = nb.cells[0]
            await wait_for(pilot, lambda: bool(cell.outputs), "the output")
            assert cell.outputs[0].text == "via the hub\n"
    finally:
        jupyterhub.stop_server("app")
