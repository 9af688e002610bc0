"""Pathological sizes: a cell whose source is one enormous line is drawn a row at a time."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style

from tests.ui.helpers import screen_of, view_text
from tnb.notebook.model import Cell, Notebook
from tnb.ui.app import TnbApp
from tnb.ui.widgets.cell_lines import CellStyles, render_cell
from tnb.ui.widgets.long_source import LongSourceRows

STYLES = CellStyles(Style(), Style(), Style(), Style(), dark=True, theme="t")


def test_rows_are_counted_by_arithmetic_and_made_on_demand() -> None:
    source = "a" * 250 + "\nshort\n" + "b" * 100
    cell = Cell.new("code", source * 400)  # over the lazy threshold
    rendered = render_cell(cell, language="python", width=108, console=Console(), styles=STYLES)
    rows = rendered.strips
    assert isinstance(rows, LongSourceRows)
    body = 108 - 1 - 7 - 1
    first_line_rows = -(-250 // body)
    assert rendered.source_height == rows.source_rows
    assert rows[0].text.strip().startswith("[ ]: " + "a" * 10)
    assert rows[first_line_rows].text.strip().startswith("short")
    assert len(rows._made) == 2  # only what was asked for was drawn
    assert rows[len(rows) - 1].text.strip() == ""  # the cell's closing blank line


async def test_a_five_megabyte_line_paints_and_refuses_the_editor_kindly() -> None:
    line = "x = [" + "1, " * 1_700_000
    nb = Notebook(cells=[Cell.new("markdown", "# Big"), Cell.new("code", line + "]")])
    app = TnbApp(nb)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "x = [1, 1, 1" in view_text(app)
        screen = screen_of(app)
        await pilot.press("j", "enter")
        await pilot.pause()
        assert screen.mode == "command"
        assert nb.cells[1].source == line + "]"  # nothing lost, nothing changed
        screen.view.scroll_end(animate=False, immediate=True)  # the end of a 60 000-row cell
        await pilot.pause()
        rows = [line.strip(" ▌") for line in view_text(app).splitlines() if line.strip(" ▌")]
        assert rows[-1].endswith("]") and "x = [" not in view_text(app)
