"""SVG snapshots of reading: math, HTML, a scrolled output, headings, contents, replace."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from tests.ui.test_reading import reading_notebook
from tnb.ui.app import TnbApp

SnapCompare = Callable[..., bool]


def test_math_html_and_a_scrolled_output(snap_compare: SnapCompare) -> None:
    assert snap_compare(TnbApp(reading_notebook()), terminal_size=(100, 40))


def test_scrolled_output_moved_down(snap_compare: SnapCompare) -> None:
    press = ["j", "j", *["ctrl+down"] * 10]
    assert snap_compare(TnbApp(reading_notebook()), press=press, terminal_size=(100, 34))


def test_collapsed_heading_and_table_of_contents(snap_compare: SnapCompare) -> None:
    assert snap_compare(TnbApp(reading_notebook()), press=["left", "T"], terminal_size=(100, 30))


def test_find_and_replace_panel(snap_compare: SnapCompare) -> None:
    async def type_search(pilot: Pilot[int]) -> None:
        await pilot.press("ctrl+backslash", *"x", "tab", *"value")
        await pilot.pause()

    assert snap_compare(TnbApp(reading_notebook()), run_before=type_search, terminal_size=(100, 30))


def test_display_math_in_80_columns(snap_compare: SnapCompare) -> None:
    from tnb.notebook.model import Cell, Notebook

    cell = Cell.new(
        "markdown",
        "Bayes: $P(A|B) = \\frac{P(B|A)P(A)}{P(B)}$\n\n"
        "$$\\sum_{i=1}^{N} \\frac{(x_i - \\mu)^2}{\\sigma^2} \\qquad "
        "f(x) = \\begin{cases} 1 & x \\geq 0 \\\\ 0 & \\text{otherwise} \\end{cases}$$\n\n"
        "$$\\begin{aligned} \\nabla \\cdot \\mathbf{E} &= \\frac{\\rho}{\\varepsilon_0} \\\\ "
        "\\nabla \\times \\mathbf{B} &= \\mu_0 \\mathbf{J} \\end{aligned}$$",
    )
    cell.id = "math"
    assert snap_compare(TnbApp(Notebook(cells=[cell])), terminal_size=(80, 24))
