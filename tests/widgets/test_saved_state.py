"""Widget state in the file: `tnb run` saves what nbclient does; the app shows it kernel-less."""

# nbformat ships py.typed but leaves its builders unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.fixtures.kernelspecs import KernelSpecs
from tests.test_headless import tnb
from tests.ui.helpers import screen_of, wait_for
from tests.widgets.test_widgets_ui import cell_text
from tnb.notebook.io import load_notebook
from tnb.session.widgets import STATE_MIME
from tnb.ui.app import TnbApp

GUARD = 180.0
SOURCES = [
    "import ipywidgets as w\ns = w.IntSlider(value=4, max=9, description='speed')\ns",
    "out = w.Output()\nwith out:\n    print('captured')\n"
    "w.VBox([w.Label('hello'), w.Checkbox(value=True), out])",
    "s.value = 6",
]


def write(path: Path, kernel: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in SOURCES]
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "test", "language": "python"}
    nbformat.write(nb, str(path))


def shape(state: dict[str, Any]) -> list[tuple[str, str]]:
    """The saved models without their random ids: each as (model name, its state as JSON with
    references replaced by the referenced model's name), sorted."""
    names = {model_id: entry["model_name"] for model_id, entry in state.items()}

    def plain(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("IPY_MODEL_"):
            return f"->{names.get(value.removeprefix('IPY_MODEL_'), '?')}"
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return sorted(
        (entry["model_name"], json.dumps(plain(entry["state"]), sort_keys=True))
        for entry in state.values()
    )


def tnb_run(path: Path) -> None:
    done = tnb("run", str(path))
    assert done.returncode == 0, done.stderr


def test_tnb_run_saves_the_widget_state_nbclient_saves(
    kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    ours, theirs = tmp_path / "tnb.ipynb", tmp_path / "nbclient.ipynb"
    write(ours, kernelspecs.python)
    write(theirs, kernelspecs.python)
    tnb_run(ours)
    nb = nbformat.read(str(theirs), as_version=4)
    NotebookClient(nb, kernel_name=kernelspecs.python, timeout=int(GUARD)).execute()
    saved_ours = json.loads(ours.read_text())["metadata"]["widgets"][STATE_MIME]
    saved_theirs = nb.metadata["widgets"][STATE_MIME]
    assert saved_ours["version_major"] == saved_theirs["version_major"] == 2
    assert shape(saved_ours["state"]) == shape(saved_theirs["state"])
    slider = [e for e in saved_ours["state"].values() if e["model_name"] == "IntSliderModel"]
    assert slider[0]["state"]["value"] == 6


@pytest.fixture
def saved(kernelspecs: KernelSpecs, tmp_path: Path) -> Path:
    path = tmp_path / "saved.ipynb"
    write(path, kernelspecs.python)
    tnb_run(path)
    return path


@pytest.mark.timeout(180)
async def test_reopened_without_a_kernel_shows_the_saved_widgets(saved: Path) -> None:
    path = saved
    app = TnbApp(load_notebook(path), start_kernel=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: bool(screen_of(app).view.cells), "the cells")
        slider = cell_text(app, 0)
        assert "speed" in slider and "●" in slider and " 6" in slider
        box = cell_text(app, 1)
        assert "hello" in box and "☑" in box and "captured" in box
