"""The debugger driven from the command palette of the installed `tnb`, in a real terminal."""

# nbformat ships py.typed but leaves its builders unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tests.e2e.tmux import Tmux, start, wait_until, wait_until_gone
from tests.fixtures.kernelspecs import KernelSpecs

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SOURCE = "def double(x):\n    y = x * 2\n    return y\n\nprint('answer', double(21))"


def palette(session: Tmux, command: str) -> None:
    session.keys("C-p")
    session.wait_for("Search")
    session.keys(command, literal=True)
    session.wait_for(command)
    session.keys("Enter")


def hide(session: Tmux, shown: str) -> None:
    """esc, then wait until ``shown`` is gone (a key sent right after esc would reach tnb as
    alt+key: terminals send esc as the prefix of such keys)."""
    session.keys("Escape")
    wait_until(lambda: shown not in session.screen(), f"{shown!r} to go", timeout=30)


def test_debug_a_cell_from_the_palette(
    tmux_factory: list[Tmux], tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOURCE)]
    nb.metadata["kernelspec"] = {
        "name": kernelspecs.python,
        "display_name": "Python",
        "language": "python",
    }
    path = tmp_path / "debug.ipynb"
    nbformat.write(nb, str(path))
    session = start(tmux_factory, str(path), cwd=tmp_path)
    session.wait_for("raw · idle", timeout=60)
    palette(session, "Toggle Breakpoint")
    session.wait_for("breakpoint on", "[ ]:●  1 def double")
    palette(session, "Debug Cell")
    session.wait_for("stopped at cell 1, line 1 (breakpoint)", timeout=60)
    hide(session, "stopped at")  # the palette drives the rest
    palette(session, "Debugger: Step Over")
    session.wait_for("stopped at cell 1, line 5", timeout=30)
    hide(session, "stopped at")
    palette(session, "Debugger: Step Into")
    session.wait_for("stopped at cell 1, line 2", "double  line 2", "x: int = 21", timeout=30)
    hide(session, "stopped at")
    palette(session, "Debugger: Continue")
    session.wait_for("answer 42", timeout=30)
    palette(session, "Show Variables")
    session.wait_for("1 variables", "double", "function", timeout=30)
    hide(session, "1 variables")
    palette(session, "Remove All Breakpoints")
    session.wait_for("1 breakpoint(s)")
    assert "[1]:●" not in session.screen()  # the gutter mark is gone
    session.keys("q")
    session.wait_for("unsaved")
    session.keys("d")
    wait_until_gone(session)
