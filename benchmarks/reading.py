"""First paint of a notebook full of math and HTML, and of a 50 MB line, beside a plain one."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.open_notebook import CELLS, make_notebook, time_first_paint
from tnb.notebook.io import save_notebook
from tnb.notebook.model import Cell, Notebook, Output
from tnb.ui.render.math import render_math

RUNS = 3
HUGE_LINE = 50_000_000

MARKDOWN = (
    "## Model {i}\n\nThe estimate $\\hat{{\\beta}}_{i} = (X^T X)^{{-1}} X^T y$ minimises\n"
    "$$\\sum_{{j=1}}^{{N}} \\frac{{(y_j - x_j^T \\beta)^2}}{{\\sigma^2}} + "
    "\\lambda \\|\\beta\\|_2^2$$\nwith $$\\Sigma = \\begin{{pmatrix}} \\sigma_1^2 & \\rho \\\\ "
    "\\rho & \\sigma_2^2 \\end{{pmatrix}}$$"
)
HTML = '<div align="center"><h3>Table {i}</h3><p>Fitted on <b>{i}</b> rows</p></div>'
TABLE = (
    "<table><thead><tr><th></th><th>a</th><th>b</th></tr></thead><tbody>"
    "<tr><th>0</th><td>{i}</td><td>1.5</td></tr><tr><th>1</th><td>2</td><td>2.5</td></tr>"
    "</tbody></table>"
)


def make_math_notebook(path: Path) -> Notebook:
    """As many cells as the plain benchmark notebook: math markdown, HTML cells, code cells
    with text/latex and text/html outputs."""
    cells: list[Cell] = []
    for i in range(CELLS):
        if i % 10 == 0:
            cells.append(Cell.new("markdown", MARKDOWN.format(i=i)))
        elif i % 10 == 5:
            cells.append(Cell.new("markdown", HTML.format(i=i)))
        else:
            cell = Cell.new("code", f"sympy.Matrix([[{i}, 1], [0, {i}]])")
            cell.execution_count = i
            matrix = f"\\begin{{matrix}}{i} & 1\\\\0 & {i}\\end{{matrix}}"
            latex = f"$\\displaystyle \\left[{matrix}\\right]$"
            cell.outputs = [
                Output(
                    "execute_result",
                    data={"text/latex": latex, "text/plain": f"Matrix([[{i}, 1], [0, {i}]])"},
                    execution_count=i,
                ),
                Output("display_data", data={"text/html": TABLE.format(i=i), "text/plain": "df"}),
            ]
            cells.append(cell)
    notebook = Notebook(cells=cells, metadata={"kernelspec": {"language": "python"}}, path=path)
    save_notebook(notebook)
    return notebook


def make_huge_line(path: Path) -> None:
    """A heading, a code cell that is one 50 MB line, and a small cell after it."""
    line = ("x = [" + "1, " * (HUGE_LINE // 3))[:HUGE_LINE]
    cells = [Cell.new("markdown", "# Data"), Cell.new("code", line), Cell.new("code", "len(x)")]
    save_notebook(Notebook(cells=cells, path=path))


def paint(path: Path, folder: Path) -> tuple[float, float]:
    runs = [
        time_first_paint([sys.executable, "-m", "tnb", str(path), "--no-kernel"], folder)
        for _ in range(RUNS)
    ]
    return statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tnb-bench-") as tmp:
        folder = Path(tmp)
        plain, fancy, huge = folder / "plain.ipynb", folder / "math.ipynb", folder / "huge.ipynb"
        make_notebook(plain)
        make_math_notebook(fancy)
        make_huge_line(huge)
        huge_mb = huge.stat().st_size / 1e6
        plain_paint, plain_rss = paint(plain, folder)
        fancy_paint, fancy_rss = paint(fancy, folder)
        huge_paint, huge_rss = paint(huge, folder)

    began = time.perf_counter()
    render_math.cache_clear()
    formulas = 0
    for i in range(200):
        render_math(f"\\sum_{{j=1}}^{{{i}}} \\frac{{x_j^2}}{{\\sigma_{i}}}", display=True)
        formulas += 1
    per_formula = (time.perf_counter() - began) / formulas * 1000

    print(
        "\n".join(
            [
                f"first paint, {CELLS} cells (median of {RUNS}, --no-kernel, 120x40):",
                f"  plain notebook           {plain_paint:.3f} s, RSS {plain_rss:.0f} MB",
                f"  math + HTML notebook     {fancy_paint:.3f} s, RSS {fancy_rss:.0f} MB "
                f"(ratio {fancy_paint / plain_paint:.2f} / {fancy_rss / plain_rss:.2f})",
                f"  one {huge_mb:.0f} MB line           {huge_paint:.3f} s, RSS {huge_rss:.0f} MB "
                f"(paint ratio to plain {huge_paint / plain_paint:.2f}, "
                f"RSS / file {huge_rss / huge_mb:.2f})",
                f"display formula laid out: {per_formula:.2f} ms each (uncached)",
            ]
        )
    )


if __name__ == "__main__":
    main()
