"""Notebooks and screen readers shared by the UI tests."""

from __future__ import annotations

from pathlib import Path

from tnb.app import TnbApp
from tnb.notebook.model import Cell, Notebook, Output
from tnb.screens.notebook_screen import NotebookScreen


def sample_notebook(path: Path | None = None, count: int = 6) -> Notebook:
    """Code cells c0..cN with a stdout output each, a markdown cell first."""
    cells = [Cell.new("markdown", "# Title\n\nSome *prose* here.")]
    for i in range(1, count):
        cell = Cell.new("code", f"c{i} = {i}\nprint(c{i})")
        cell.execution_count = i
        cell.outputs = [Output("stream", name="stdout", text=f"out{i}\n")]
        cells.append(cell)
    return Notebook(cells=cells, metadata={"kernelspec": {"language": "python"}}, path=path)


def sources(app: TnbApp) -> list[str]:
    """The cells' sources, in order."""
    return [cell.source for cell in app.notebook.cells]


def screen_of(app: TnbApp) -> NotebookScreen:
    """The notebook screen."""
    screen = app.notebook_screen
    assert screen is not None
    return screen


def view_text(app: TnbApp) -> str:
    """What the cell view shows right now, as plain text."""
    view = screen_of(app).view
    return "\n".join(view.render_line(y).text for y in range(view.size.height))
