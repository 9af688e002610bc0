"""The installed `tnb` in a real terminal (tmux): open the tour; open, add, type, save, quit."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.tmux import TNB, Tmux, start, wait_until, wait_until_gone
from tests.fixtures.kernelspecs import KernelSpecs
from tnb.notebook.io import load_notebook

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_installed_tnb_opens_the_tour(tmux_factory: list[Tmux]) -> None:
    assert TNB.exists()
    session = start(tmux_factory, "examples/tour.ipynb", "--no-kernel", cwd=ROOT)
    screen = session.wait_for("Welcome to tnb", "tour.ipynb", "no kernel")
    assert "COMMAND" in screen
    session.keys("q")
    wait_until_gone(session)


def test_open_add_type_save_quit(tmux_factory: list[Tmux], tmp_path: Path) -> None:
    path = tmp_path / "fresh.ipynb"
    session = start(tmux_factory, str(path), "--no-kernel", cwd=tmp_path)
    session.wait_for("COMMAND")
    session.keys("b")
    session.wait_for("cell 2/2")
    session.keys("Enter")
    session.wait_for("EDIT")
    session.keys("print('typed in tmux')", literal=True)
    session.wait_for("typed in tmux")
    session.keys("Escape")
    session.wait_for("COMMAND")
    session.keys("C-s")
    session.wait_for("saved fresh.ipynb")
    session.keys("q")
    wait_until_gone(session)
    saved = load_notebook(path)
    assert [cell.source for cell in saved.cells] == ["", "print('typed in tmux')"]


def test_quit_with_unsaved_changes_asks_in_a_terminal(
    tmux_factory: list[Tmux], tmp_path: Path
) -> None:
    path = tmp_path / "keep.ipynb"
    session = start(tmux_factory, str(path), "--no-kernel", cwd=tmp_path)
    session.wait_for("COMMAND")
    session.keys("a")
    session.wait_for("modified")
    session.keys("q")
    session.wait_for("unsaved changes")
    session.keys("s")
    wait_until_gone(session)
    assert len(load_notebook(path).cells) == 2


def _normalised(path: Path) -> list[tuple[int | None, list[dict[str, object]]]]:
    """Counts and outputs without what differs run to run (timings, ids, memory addresses)."""
    notebook = load_notebook(path)
    result: list[tuple[int | None, list[dict[str, object]]]] = []
    for cell in notebook.cells:
        outputs: list[dict[str, object]] = []
        for output in cell.outputs:
            outputs.append(
                {
                    "type": output.output_type,
                    "name": output.name,
                    "text": output.text,
                    "data": {k: v for k, v in output.data.items() if k != "image/png"},
                    "ename": output.ename,
                }
            )
        result.append((cell.execution_count, outputs))
    return result


RUN_ALL_NOTEBOOK = """{
 "cells": [
  {"cell_type": "markdown", "id": "m0", "metadata": {}, "source": ["# run me"]},
  {"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {}, "outputs": [],
   "source": ["import sys\\n", "print('out'); print('err', file=sys.stderr)\\n", "6 * 7"]},
  {"cell_type": "code", "execution_count": null, "id": "c2", "metadata": {}, "outputs": [],
   "source": ["from IPython.display import Markdown, display\\n", "display(Markdown('**bold**'))"]},
  {"cell_type": "code", "execution_count": null, "id": "c3", "metadata": {}, "outputs": [],
   "source": ["for i in range(3):\\n", "    print(i, end='\\\\r' if i < 2 else '\\\\n')"]}
 ],
 "metadata": {"kernelspec": {"name": "tnb-python", "display_name": "tnb test Python",
   "language": "python"}},
 "nbformat": 4, "nbformat_minor": 5
}
"""


def test_run_all_save_quit_equals_tnb_run(
    tmux_factory: list[Tmux], tmp_path: Path, kernelspecs: object
) -> None:
    ui_path = tmp_path / "ui.ipynb"
    headless_path = tmp_path / "headless.ipynb"
    ui_path.write_text(RUN_ALL_NOTEBOOK, encoding="utf-8")
    headless_path.write_text(RUN_ALL_NOTEBOOK, encoding="utf-8")
    session = start(tmux_factory, str(ui_path), cwd=tmp_path)
    session.wait_for("raw · idle", timeout=60)
    session.keys("C-p")
    session.wait_for("Search")
    session.keys("Run all cells", literal=True)
    session.wait_for("Run all cells")
    session.keys("Enter")
    session.wait_for("[3]:", "bold", timeout=60)
    session.keys("C-s")
    session.wait_for("saved ui.ipynb")
    session.keys("q")
    wait_until_gone(session)
    done = subprocess.run(
        [str(TNB), "run", str(headless_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    ui, headless = _normalised(ui_path), _normalised(headless_path)
    assert ui == headless
    assert ui[1][0] == 1 and ui[3][1][0]["text"] == "2\n"
    assert load_notebook(ui_path).metadata["kernelspec"]["name"] == "tnb-python"


def test_sighup_keeps_the_edits_and_stops_the_kernel(
    tmux_factory: list[Tmux], tmp_path: Path, kernelspecs: object
) -> None:
    import psutil

    path = tmp_path / "hup.ipynb"
    path.write_text(RUN_ALL_NOTEBOOK, encoding="utf-8")
    session = start(tmux_factory, str(path), cwd=tmp_path)
    session.wait_for("raw · idle", timeout=60)
    tnb_pid = session.pane_pid()
    kernels = [
        p for p in psutil.Process(tnb_pid).children(recursive=True) if "ipykernel" in " ".join(
            p.cmdline())
    ]  # fmt: skip
    assert kernels
    session.keys("j", "b")
    session.wait_for("cell 3/5")
    session.keys("Enter")
    session.wait_for("EDIT")
    session.keys("print('edited before the hangup')", literal=True)
    session.wait_for("edited before the hangup")
    session.kill()  # the terminal goes away: tnb gets SIGHUP
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        psutil.pid_exists(tnb_pid) or any(k.is_running() for k in kernels)
    ):
        time.sleep(0.1)
    assert not psutil.pid_exists(tnb_pid)
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
    assert "edited before the hangup" not in path.read_text()  # only an explicit save writes

    again = start(tmux_factory, str(path), "--no-kernel", cwd=tmp_path)
    again.wait_for("Restore them?")
    again.keys("r")
    again.wait_for("edited before the hangup")
    again.keys("C-s")
    # The file, not the "saved" note: the restore's own note may be drawn over it.
    wait_until(lambda: "edited before the hangup" in path.read_text(), "the save")
    again.keys("q")
    wait_until_gone(again)


def test_new_notebook_pick_a_kernel_with_the_keys_run_save(
    tmux_factory: list[Tmux], tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel could not be installed")
    path = tmp_path / "new.ipynb"
    session = start(tmux_factory, str(path), cwd=tmp_path)
    session.wait_for("Choose a kernel for new.ipynb", "A new notebook", timeout=60)
    session.keys("bash", literal=True)  # typing on the list filters it
    session.wait_for("raw · bash")
    session.keys("Enter")
    session.wait_for("Bash · raw · idle", timeout=60)
    session.keys("Enter")
    session.wait_for("EDIT")
    session.keys("echo picked-$((6 * 7))", literal=True)
    session.wait_for("echo picked-")
    session.keys("Escape")
    session.wait_for("COMMAND")
    session.keys("C-r")
    session.wait_for("picked-42", "[1]:", timeout=60)
    session.keys("C-s")
    session.wait_for("saved new.ipynb")
    session.keys("q")
    wait_until_gone(session)
    saved = load_notebook(path)
    spec = saved.metadata["kernelspec"]
    assert (spec["name"], spec["display_name"], spec["language"]) == ("bash", "Bash", "bash")
    cell = saved.cells[0]
    assert cell.execution_count == 1
    assert "picked-42" in "".join(o.text or "" for o in cell.outputs)


def test_read_and_revise_a_notebook_in_a_terminal(tmux_factory: list[Tmux], tmp_path: Path) -> None:
    """Math, an HTML-only cell, a 500-line output in its region, a heading collapsed and
    saved, find and replace all, undo and redo: in a real terminal."""
    from tests.ui.test_reading import reading_notebook
    from tnb.notebook.headings import COLLAPSED_KEY
    from tnb.notebook.io import save_notebook

    path = tmp_path / "reading.ipynb"
    save_notebook(reading_notebook(path))
    session = start(tmux_factory, str(path), "--no-kernel", cwd=tmp_path)
    screen = session.wait_for("COMMAND", "⎛1  2⎞", "⎝3  4⎠", "Notes", "By me", "row 0")
    assert "row 499" not in screen  # the 500 lines scroll in a region of their own

    def shown_rows() -> list[str]:
        return [line.strip(" ▌│┃▁▂▃▄▅▆▇█") for line in session.screen().splitlines()]

    session.keys("j", "j", "C-Down")
    deadline = time.monotonic() + 30
    while "row 0" in shown_rows() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "row 0" not in shown_rows() and "row 3" in shown_rows()
    session.keys("g", "Left")
    session.wait_for("2 cells hidden")
    session.keys("C-\\")
    session.wait_for("replace")
    session.keys("x", literal=True)
    session.wait_for("4 in sources")  # two are in pmatrix
    session.keys("F3")
    session.wait_for("2 in sources")  # whole words only
    session.keys("Tab")
    session.keys("value", literal=True)
    session.wait_for("replace  value")
    session.keys("C-a")
    session.wait_for("y = value + 1")
    # Alone: a letter right after ESC would read as one escape sequence.
    session.keys("Escape")
    session.wait_for("/ find")
    session.keys("z")
    session.wait_for("y = x + 1")
    session.keys("Z")
    session.wait_for("y = value + 1")
    session.keys("C-s")
    session.wait_for("saved reading.ipynb")
    session.keys("q")
    wait_until_gone(session)
    saved = load_notebook(path)
    assert saved.cells[0].metadata == {COLLAPSED_KEY: True}
    assert [cell.source for cell in saved.cells[4:]] == ["value = 1", "y = value + 1"]
