"""Output actions in command mode: whole output in the pager, copy via OSC 52, picture viewer."""

from __future__ import annotations

from textual.widgets import TextArea

from tests.screenshots import TOUR
from tests.ui.helpers import sample_notebook, screen_of
from tnb.notebook.io import load_notebook
from tnb.notebook.model import Output
from tnb.ui.app import TnbApp
from tnb.ui.screens.pager import PagerScreen
from tnb.ui.screens.picture import PictureScreen

SIZE = (100, 30)


async def test_huge_output_shows_its_tail_and_opens_whole_in_the_pager() -> None:
    nb = sample_notebook()
    text = "".join(f"line {i}\n" for i in range(5000))
    nb.cells[1].outputs = [Output("stream", name="stdout", text=text)]
    app = TnbApp(nb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        view = screen_of(app).view
        shown = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "line 0\n" not in shown + "\n"  # only the tail is drawn
        await pilot.press("O")
        assert isinstance(app.screen, PagerScreen)
        area = app.screen.query_one(TextArea)
        assert area.text.startswith("line 0\n") and area.text.endswith("line 4999")
        await pilot.press("escape")
        assert not isinstance(app.screen, PagerScreen)


async def test_copy_output_goes_to_the_clipboard_without_escapes() -> None:
    nb = sample_notebook()
    nb.cells[1].outputs = [
        Output("error", ename="ValueError", evalue="x", traceback=["\x1b[31mValueError\x1b[0m: x"])
    ]
    app = TnbApp(nb)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "Y")
        assert app.clipboard == "ValueError: x"
        await pilot.press("k", "Y")  # a markdown cell has no output: nothing copied
        assert app.clipboard == "ValueError: x"


async def test_picture_viewer_opens_for_an_image_output() -> None:
    app = TnbApp(load_notebook(TOUR))
    async with app.run_test(size=(110, 36)) as pilot:
        index = next(
            i
            for i, cell in enumerate(app.notebook.cells)
            if any("image/png" in o.data for o in cell.outputs)
        )
        screen_of(app).view.move_cursor(index)
        await pilot.press("p")
        assert isinstance(app.screen, PictureScreen)
        assert app.screen.image.width > 0
        await pilot.press("escape")
        await pilot.press("k", "p")
        assert not isinstance(app.screen, PictureScreen)
