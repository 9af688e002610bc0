"""Saving in the app changes only what the user did: unedited files come back byte for byte."""

# nbformat ships py.typed but leaves its builders unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.fixtures.kernelspecs import KernelSpecs
from tests.notebook import corpus
from tests.ui.helpers import wait_for
from tnb.notebook.io import load_notebook
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ChoiceScreen

SIZE = (100, 40)
LAST = 5  # corpus.basic()'s last cell: an empty code cell

pytestmark = pytest.mark.timeout(180)


def kernel_args(record_timing: bool = False) -> argparse.Namespace:
    return argparse.Namespace(
        kernel=None, server=None, token=None, ca_bundle=None, existing=None, transport=None,
        env=[], pick=False, record_timing=record_timing,
    )  # fmt: skip


def write_corpus(folder: Path, minor: int, kernel: str) -> tuple[Path, str]:
    """corpus.basic() at nbformat 4.``minor`` as Jupyter writes it, naming ``kernel``: same
    name as the kernel tnb starts, another display name and language_info version."""
    nb = corpus.at_minor(corpus.basic(), minor)
    nb.metadata.kernelspec = dict(corpus.KERNELSPEC, name=kernel)
    text = corpus.writes(nb)
    path = folder / f"v4{minor}.ipynb"
    path.write_bytes(text.encode("utf-8"))
    return path, text


async def started(pilot: Pilot[int], app: TnbApp) -> None:
    await wait_for(pilot, lambda: app.kernels.status == "idle", "an idle kernel")
    await wait_for(pilot, lambda: app.kernel_metadata is not None, "the kernel's metadata")


async def run_last_cell(pilot: Pilot[int], app: TnbApp, source: str) -> None:
    await pilot.press("G", "enter", *source, "escape", "ctrl+r")
    cell = app.notebook.cells[LAST]

    def done() -> bool:
        runner = app.kernels.runner
        return cell.execution_count is not None and runner is not None and runner.running is None

    await wait_for(pilot, done, "the cell to run")


async def save(pilot: Pilot[int], app: TnbApp) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not app.notebook.dirty, "the save")


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
async def test_unedited_save_with_a_running_kernel_is_byte_identical(
    minor: int, tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    path, text = write_corpus(tmp_path, minor, kernelspecs.python)
    app = TnbApp(load_notebook(path), kernel_args=kernel_args(), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert path.read_bytes() == text.encode("utf-8")


def _cells_but_last(d: dict[str, Any]) -> dict[str, Any]:
    return dict(d, cells=d["cells"][:LAST])


@pytest.mark.parametrize("minor", [2, 4, 5])
async def test_an_edited_and_run_cell_is_all_that_changes(
    minor: int, tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    path, text = write_corpus(tmp_path, minor, kernelspecs.python)
    app = TnbApp(load_notebook(path), kernel_args=kernel_args(), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await run_last_cell(pilot, app, "6 * 7")
        await save(pilot, app)
    before, after = json.loads(text), json.loads(path.read_text(encoding="utf-8"))
    assert _cells_but_last(after) == _cells_but_last(before)  # version, metadata, other cells
    cell = after["cells"][LAST]
    assert cell["source"] == ["6 * 7"] and cell["execution_count"] == 1
    assert cell["outputs"][0]["data"]["text/plain"] == ["42"]
    assert cell["metadata"] == {}  # no timing unless asked for
    assert ("id" in cell) == (minor >= 5)


async def test_recording_timing_in_an_older_notebook_asks_to_upgrade_it(
    tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    path, text = write_corpus(tmp_path, 3, kernelspecs.python)
    app = TnbApp(load_notebook(path), kernel_args=kernel_args(), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await app.run_action("toggle_record_timing", app.notebook_screen)
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        assert "4.4" in app.screen.question  # type: ignore[attr-defined]
        assert path.read_text(encoding="utf-8") == text  # asked before anything is written
        await pilot.press("u")
        await run_last_cell(pilot, app, "1")
        await save(pilot, app)
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["nbformat_minor"] == 4
    assert set(after["cells"][LAST]["metadata"]["execution"]) >= {
        "iopub.execute_input",
        "shell.execute_reply",
    }
    assert "id" not in after["cells"][LAST]


async def test_timing_declined_stays_off_and_the_version_stays(
    tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    path, _ = write_corpus(tmp_path, 3, kernelspecs.python)
    app = TnbApp(load_notebook(path), kernel_args=kernel_args(True), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        await pilot.press("c")
        await started(pilot, app)
        await run_last_cell(pilot, app, "1")
        await save(pilot, app)
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["nbformat_minor"] == 3 and after["cells"][LAST]["metadata"] == {}


async def test_upgrade_notebook_format_from_the_palette(tmp_path: Path) -> None:
    path, text = write_corpus(tmp_path, 4, "python3")
    app = TnbApp(load_notebook(path), kernel_args=kernel_args())
    async with app.run_test(size=SIZE) as pilot:
        ids = [cell.id for cell in app.notebook.cells]
        await app.run_action("upgrade_format", app.notebook_screen)
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        assert path.read_text(encoding="utf-8") == text  # asked before anything is written
        await pilot.press("u")
        await save(pilot, app)
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["nbformat_minor"] == 5
    assert [cell["id"] for cell in after["cells"]] == ids
    for cell in after["cells"]:
        del cell["id"]
    assert after == dict(json.loads(text), nbformat_minor=5)


@pytest.mark.parametrize("answer", ["c", "o"])
async def test_saving_over_a_read_only_notebook_asks_first(tmp_path: Path, answer: str) -> None:
    path, text = write_corpus(tmp_path, 5, "python3")
    path.chmod(0o444)
    app = TnbApp(load_notebook(path), kernel_args=kernel_args())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G", "enter", *"edited", "escape", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question")
        assert "read-only (mode 0444" in app.screen.question  # type: ignore[attr-defined]
        assert path.read_text(encoding="utf-8") == text  # asked before anything is written
        await pilot.press(answer)
        await pilot.pause()
        await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceScreen), "the answer")
        assert app.notebook.dirty == (answer == "c")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert (saved["cells"][LAST]["source"] == ["edited"]) == (answer == "o")
    assert path.stat().st_mode & 0o777 == 0o444
