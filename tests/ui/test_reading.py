"""Reading and revising with Pilot: headings, contents, output regions, replace, undo, view."""

from __future__ import annotations

from pathlib import Path

from tests.ui.helpers import screen_of, sources, view_text
from tnb.notebook.headings import COLLAPSED_KEY
from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.model import Cell, Notebook, Output
from tnb.ui.app import TnbApp


def reading_notebook(path: Path | None = None) -> Notebook:
    """Math, an HTML-only cell, a 500-line output, two sections."""
    long = Cell.new("code", "for i in range(500):\n    print('row', i)")
    long.execution_count = 1
    long.outputs = [Output("stream", name="stdout", text="".join(f"row {i}\n" for i in range(500)))]
    cells = [
        Cell.new(
            "markdown", "# Algebra\n\n$$A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$$"
        ),
        Cell.new("markdown", '<div align="center"><h2>Notes</h2><p>By <b>me</b></p></div>'),
        long,
        Cell.new("markdown", "# Second"),
        Cell.new("code", "x = 1"),
        Cell.new("code", "y = x + 1"),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    return Notebook(cells=cells, metadata={"kernelspec": {"language": "python"}}, path=path)


async def test_math_and_html_only_markdown_are_drawn() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = view_text(app)
        assert "⎛1  2⎞" in text and "⎝3  4⎠" in text and "\\begin" not in text
        assert "Notes" in text and "By me" in text


async def test_long_output_scrolls_in_its_own_region() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        view = screen_of(app).view
        assert "row 0" in view_text(app) and "row 499" not in view_text(app)
        assert "Second" in view_text(app)  # the next section is not 500 lines down
        await pilot.press("j", "j", "ctrl+down", "ctrl+down")
        region = view.output_region(2)
        assert region is not None and region[2] == 6
        assert "row 6" in view_text(app) and "row 0\n" not in view_text(app)
        await pilot.press("ctrl+up")
        assert view.output_region(2)[2] == 3  # type: ignore[index]


async def test_toggle_output_scrolling_is_saved_as_jupyterlab_does(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    save_notebook(reading_notebook(path))
    before = path.read_bytes()
    app = TnbApp(load_notebook(path))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        await pilot.press("j", "j")
        await screen.run_action("toggle_output_scrolling")
        await pilot.pause()
        assert app.notebook.cells[2].metadata == {"scrolled": False}
        assert screen.view.output_region(2) is None  # drawn whole now
        await screen.run_action("toggle_output_scrolling")
        assert app.notebook.cells[2].metadata == {}
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert path.read_bytes() == before  # toggled back: the file is byte for byte the same


async def test_headings_collapse_expand_and_save_like_jupyterlab(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    save_notebook(reading_notebook(path))
    app = TnbApp(load_notebook(path))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        await pilot.press("left")  # on the "# Algebra" heading
        assert "2 cells hidden" in view_text(app) and "Notes" not in view_text(app)
        await pilot.press("j")  # skips the hidden cells
        assert screen.view.cursor == 3
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_notebook(path).cells[0].metadata == {COLLAPSED_KEY: True}
        await pilot.press("k", "right")
        assert "Notes" in view_text(app)
        await screen.run_action("collapse_all_headings")
        assert screen.view.is_hidden(4) and screen.view.is_hidden(1)
        await screen.run_action("expand_all_headings")
        assert not any(screen.view.is_hidden(i) for i in range(6))


async def test_table_of_contents_jumps_and_reveals() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        await screen.run_action("collapse_all_headings")
        await pilot.press("T")
        toc = screen.query_one("#toc")
        assert toc.display and screen.focused is toc
        await pilot.press("down", "enter")  # "Notes", hidden under "Algebra"
        assert screen.view.cursor == 1 and not screen.view.is_hidden(1)
        assert screen.focused is screen.view


async def test_replace_all_is_one_undo_step_and_redo_works() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+backslash")
        await pilot.press(*"x", "f3", "tab", *"value", "ctrl+a")
        await pilot.pause()
        assert sources(app)[4:] == ["value = 1", "y = value + 1"]
        await pilot.press("escape", "z")
        assert sources(app)[4:] == ["x = 1", "y = x + 1"]
        await pilot.press("Z")
        assert sources(app)[4:] == ["value = 1", "y = value + 1"]


async def test_replace_one_with_a_regex_group() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+backslash", *r"(\w) = 1", "f4", "tab", *r"\1 = 2", "enter")
        await pilot.pause()
        assert sources(app)[4] == "x = 2"


async def test_undo_redo_every_cell_operation_with_z() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        original = sources(app)
        await pilot.press("G", "b", "m", "K", "M", "d", "d", "c", "v", "alt+up", "y")
        changed = sources(app)
        assert changed != original
        for _ in range(8):
            await pilot.press("z")
        assert sources(app) == original
        for _ in range(8):
            await pilot.press("Z")
        assert sources(app) == changed


async def test_a_cells_text_undo_survives_leaving_the_editor() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("G", "enter", "end", *" # one", "escape")
        await pilot.press("k", "enter", "escape", "j")  # another cell edited in between
        await pilot.press("enter", "ctrl+z", "escape")
        assert sources(app)[5] == "y = x + 1"
        await pilot.press("z")  # the notebook's undo: that editing session as one step
        assert sources(app)[5] == "y = x + 1 # one"


async def test_the_selected_cell_stays_in_view() -> None:
    nb = reading_notebook()
    nb.cells[2].metadata["scrolled"] = False  # the whole 500 lines
    app = TnbApp(nb)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = screen_of(app)
        view = screen.view
        await pilot.press("j", "j")
        await pilot.pause()
        view.scroll_to(y=view.cell_top(2) + 450, animate=False, immediate=True)
        await pilot.pause()
        # Its long output replaced by a short one: the cell is still on screen.
        app.notebook.cells[2].outputs = [Output("stream", name="stdout", text="short\n")]
        view.refresh_cell(app.notebook.cells[2])
        await pilot.pause()
        assert "short" in view_text(app) and "print('row', i)" in view_text(app)
        # Cells inserted above it do not push it away.
        await pilot.press("k", "a", "a", "j", "j", "j")
        await pilot.pause()
        assert "short" in view_text(app)
        # The terminal shrinks.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "short" in view_text(app)
        # Collapsing the heading above selects it, in view.
        await pilot.press("left", "left")
        await pilot.pause()
        assert "Algebra" in view_text(app)


async def test_undo_and_redo_say_what_they_did() -> None:
    app = TnbApp(reading_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        status = screen_of(app).query_one("#status")
        await pilot.press("z")
        screen_of(app).set_kernel_label(app.kernels.label())  # as every kernel change does
        assert "nothing to undo" in status.text  # type: ignore[attr-defined]
        await pilot.press("b", "z")
        await pilot.pause()
        screen_of(app).set_kernel_label(app.kernels.label())
        assert "undid insert cell" in status.text  # type: ignore[attr-defined]
