"""The viewer: cells drawn, highlighted, rendered; scrolling; quitting; broken files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from textual import events

from tests.ui.helpers import sample_notebook, screen_of, view_text
from tnb.notebook.io import load_notebook
from tnb.notebook.model import Cell, Notebook, Output
from tnb.ui.app import TnbApp
from tnb.ui.run import run_app
from tnb.ui.widgets import notebook_view

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour.ipynb"


async def test_viewer_shows_code_markdown_outputs_and_prompts() -> None:
    nb = sample_notebook()
    error = Cell.new("code", "1/0")
    error.execution_count = 9
    error.outputs = [
        Output("error", ename="ZeroDivisionError", evalue="division by zero",
               traceback=["\x1b[31mZeroDivisionError\x1b[0m: division by zero"]),
    ]  # fmt: skip
    nb.cells.insert(2, error)
    app = TnbApp(nb)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = view_text(app)
    assert "Title" in text and "# Title" not in text  # markdown rendered, not raw
    assert "Some prose here." in text
    assert "[1]: c1 = 1" in text
    assert "out1" in text
    assert "[9]: 1/0" in text
    assert "ZeroDivisionError: division by zero" in text and "\x1b" not in text


async def test_code_is_highlighted_in_the_notebook_language() -> None:
    nb = Notebook(cells=[Cell.new("code", "def f():\n    return 1")])
    app = TnbApp(nb)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        strip = screen_of(app).view.render_line(0)
    styles = {segment.style for segment in strip if segment.text.strip() == "def"}
    plain = {segment.style for segment in strip if segment.text.strip() == "f"}
    assert styles and plain and styles != plain  # the keyword is coloured apart from the name


async def test_tour_opens_and_scrolls_with_keys_and_mouse() -> None:
    app = TnbApp(load_notebook(TOUR))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Welcome to tnb" in view_text(app)
        view = screen_of(app).view
        await pilot.press("G")
        assert view.cursor == len(app.notebook.cells) - 1
        assert view.scroll_offset.y > 0
        await pilot.press("g")
        assert view.scroll_offset.y == 0
        for _ in range(3):
            view.post_message(events.MouseScrollDown(view, 10, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_offset.y > 0  # the wheel scrolls


async def test_mouse_click_selects_a_cell() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        view = screen_of(app).view
        top = view.cell_top(3)
        await pilot.click(view, offset=(12, top))
        assert view.cursor == 3


async def test_only_cells_near_the_viewport_are_rendered() -> None:
    cells = []
    for i in range(1000):
        cell = Cell.new("code", f"x = {i}\nprint(x)")
        cell.outputs = [Output("stream", name="stdout", text=f"{i}\n")]
        cells.append(cell)
    app = TnbApp(Notebook(cells=cells))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        view = screen_of(app).view
        assert view.rendered_count < 30
        await pilot.press("G")
        assert view.cursor == 999
        assert "print(x)" in view_text(app)
        assert view.rendered_count < 60


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit_keys_exit_a_clean_notebook(key: str) -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test() as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert not app.is_running


def test_broken_file_exits_nonzero_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"cells": [', encoding="utf-8")
    args = argparse.Namespace(notebook=bad)
    assert run_app(args) == 1
    err = capsys.readouterr().err
    assert "bad.ipynb" in err and "Traceback" not in err
    assert bad.read_text(encoding="utf-8") == '{"cells": ['


def test_tour_is_a_valid_notebook_with_several_output_kinds() -> None:
    data = json.loads(TOUR.read_text(encoding="utf-8"))
    kinds = {
        mime
        for cell in data["cells"]
        for output in cell.get("outputs", [])
        for mime in [output["output_type"], *output.get("data", {})]
    }
    assert {"stream", "error", "execute_result", "text/html", "text/markdown", "image/png"} <= kinds


async def test_refresh_cell_shows_new_outputs_and_running_prompt() -> None:
    nb = sample_notebook()
    app = TnbApp(nb)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        view = screen_of(app).view
        cell = nb.cells[1]
        running: set[int] = {id(cell)}
        view.run_mark = lambda shown: "*" if id(shown) in running else None
        view.runs_changed([cell])
        await pilot.pause()
        assert "[*]: c1 = 1" in view_text(app)
        cell.outputs[0].text += "more output\n"  # changed in place, as a stream grows
        cell.execution_count = 12
        running.clear()
        view.runs_changed([cell])
        await pilot.pause()
        text = view_text(app)
        assert "[12]: c1 = 1" in text and "more output" in text


async def test_upgrade_notes_are_shown_on_open() -> None:
    nb = sample_notebook()
    nb.upgrade_notes = ["saved as nbformat 4.5: cells get ids"]
    app = TnbApp(nb)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert any("cells get ids" in n.message for n in app._notifications)


async def test_rendered_cells_are_bounded_and_heights_stay_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(notebook_view, "MAX_RENDERED", 12)
    cells = []
    for i in range(200):
        cell = Cell.new("code", f"x = {i}\n" + "y = x\n" * (i % 4))
        cell.outputs = [Output("stream", name="stdout", text=f"line\n{i}\n")]
        cells.append(cell)
    app = TnbApp(Notebook(cells=cells))
    async with app.run_test(size=(80, 24)) as pilot:
        view = screen_of(app).view
        for _ in range(8):
            await pilot.press("pagedown")
        heights = [view.cell_height(i) for i in range(40)]
        await pilot.press("G", "g")
        assert view.rendered_count <= 12
        # Cells drawn once and then forgotten keep their real height.
        assert [view.cell_height(i) for i in range(40)] == heights
        assert "x = 0" in view_text(app)


async def test_resize_rewraps_cells_and_keeps_the_editor_on_its_cell() -> None:
    long_line = "total = " + " + ".join(str(n) for n in range(40))
    nb = Notebook(cells=[Cell.new("markdown", "intro"), Cell.new("code", long_line)])
    app = TnbApp(nb)
    async with app.run_test(size=(120, 30)) as pilot:
        view = screen_of(app).view
        await pilot.pause()
        wide = view.cell_height(1)
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        assert view.cell_height(1) > wide
        await pilot.press("j", "enter")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        editor = screen_of(app).editor
        source = view.source_region(1)
        assert editor.region.y - view.region.y == source.y
        assert editor.region.width == source.width
