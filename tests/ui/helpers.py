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


def showcase_notebook() -> Notebook:
    """A small fixed notebook with every kind of cell, for snapshots and screenshots."""
    intro = Cell.new(
        "markdown",
        "# Analysis\n\nA **markdown** cell, rendered:\n\n- lists\n- `inline code`\n\n"
        "| key | does |\n|---|---|\n| `j` | next cell |",
    )
    code = Cell.new("code", "def mean(xs):\n    return sum(xs) / len(xs)\n\nmean([1, 2, 3, 4])")
    code.execution_count = 1
    code.outputs = [Output("execute_result", data={"text/plain": "2.5"}, execution_count=1)]
    loop = Cell.new("code", 'for i in range(3):\n    print(f"step {i}")')
    loop.execution_count = 2
    loop.outputs = [Output("stream", name="stdout", text="step 0\nstep 1\nstep 2\n")]
    error = Cell.new("code", "mean([])")
    error.execution_count = 3
    error.outputs = [
        Output(
            "error",
            ename="ZeroDivisionError",
            evalue="division by zero",
            traceback=[
                "\x1b[0;31mZeroDivisionError\x1b[0m      Traceback (most recent call last)",
                "\x1b[0;32m----> 1\x1b[0m mean([])",
                "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
            ],
        )
    ]
    raw = Cell.new("raw", "a raw cell: shown as is")
    last = Cell.new("code", "")
    cells = [intro, code, loop, error, raw, last]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # fixed ids keep snapshots stable
    return Notebook(cells=cells, metadata={"kernelspec": {"language": "python"}})
