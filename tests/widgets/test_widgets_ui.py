"""Widgets in the app against a real ipykernel: drawn live, changed from the widget panel."""

from __future__ import annotations

import pytest

from tests.fixtures.kernelspecs import KernelSpecs
from tests.ui.helpers import cells_done, kernel_idle, screen_of, wait_for
from tests.ui.test_execution import SIZE, make_app
from tnb.ui.app import TnbApp
from tnb.ui.screens.widget_panel import WidgetPanel

pytestmark = pytest.mark.timeout(180)


def cell_text(app: TnbApp, index: int) -> str:
    """What the view draws for cell ``index`` (rendered to plain text)."""
    view = screen_of(app).view
    view._render_cell(index, view._content_width())
    return "\n".join(strip.text for strip in view._cache[id(app.notebook.cells[index])].strips)


async def run_cells(pilot: object, app: TnbApp, count: int) -> None:
    await kernel_idle(pilot, app)  # type: ignore[arg-type]
    for _ in range(count):
        await pilot.press("ctrl+e")  # type: ignore[attr-defined]
    await wait_for(
        pilot,  # type: ignore[arg-type]
        lambda: all(c.execution_count for c in app.notebook.cells[:count]),
        "the cells to run",
    )
    await cells_done(pilot, app)  # type: ignore[arg-type]


async def test_tqdm_is_a_bar_at_100_percent(kernelspecs: KernelSpecs) -> None:
    app = make_app(kernelspecs, "from tqdm.auto import tqdm\nfor i in tqdm(range(500)):\n    pass")
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        await wait_for(pilot, lambda: "100%" in cell_text(app, 0), "100%")
        drawn = cell_text(app, 0)
        assert "█" * 20 in drawn and "500/500" in drawn
        assert "HBox(children" not in drawn and "FloatProgress(" not in drawn


async def test_a_slider_from_the_kernel_and_from_the_keys(kernelspecs: KernelSpecs) -> None:
    app = make_app(
        kernelspecs,
        "import ipywidgets as w\nseen = []\n"
        "s = w.IntSlider(value=3, min=0, max=10, description='level')\n"
        "s.observe(lambda c: seen.append(c['new']), 'value')\ns",
        "s.value = 8",
        "print(s.value, seen)",
    )
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 2)
        await wait_for(
            pilot, lambda: "level" in cell_text(app, 0) and " 8" in cell_text(app, 0), "8"
        )
        await pilot.press("k", "k", "w")
        await wait_for(pilot, lambda: isinstance(app.screen, WidgetPanel), "the panel")
        await pilot.press("right", "right")
        await wait_for(pilot, lambda: " 10" in cell_text(app, 0), "10 on screen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WidgetPanel), "the panel gone")
        await pilot.press("j", "j", "ctrl+r")
        await wait_for(pilot, lambda: "10 [8, 9, 10]" in cell_text(app, 2), "the kernel's value")


async def test_a_button_prints_into_an_output_widget(kernelspecs: KernelSpecs) -> None:
    app = make_app(
        kernelspecs,
        "import ipywidgets as w\nout = w.Output()\nb = w.Button(description='go')\n"
        "def clicked(_):\n    with out:\n        print('clicked!')\n"
        "b.on_click(clicked)\nw.VBox([w.HBox([b, w.Checkbox(description='on')]), out])",
    )
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        await pilot.press("k", "w")
        await wait_for(pilot, lambda: isinstance(app.screen, WidgetPanel), "the panel")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "clicked!" in cell_text(app, 0), "the click's print")
        await pilot.press("tab", "space")
        await wait_for(pilot, lambda: "☑ on" in cell_text(app, 0), "the checkbox")


async def test_no_widgets_says_so(kernelspecs: KernelSpecs) -> None:
    app = make_app(kernelspecs, "1 + 1")
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        await pilot.press("k", "w")
        await pilot.pause()
        assert not isinstance(app.screen, WidgetPanel)
        assert "no widgets in this cell" in screen_of(app).query_one("#status").text  # type: ignore[attr-defined]


async def test_typing_into_a_number_field(kernelspecs: KernelSpecs) -> None:
    app = make_app(
        kernelspecs,
        "import ipywidgets as w\nt = w.IntText(value=1, description='count')\nt",
        "print(t.value * 2)",
    )
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        await pilot.press("k", "w")
        await wait_for(pilot, lambda: isinstance(app.screen, WidgetPanel), "the panel")
        panel = app.screen
        assert isinstance(panel, WidgetPanel)
        await pilot.press("enter", "backspace", *"4x", "enter")
        await wait_for(pilot, lambda: "not a whole number" in panel.note, "the complaint")
        await pilot.press("enter", "backspace", "backspace", *"42", "enter")
        await wait_for(pilot, lambda: "[ 42 ]" in cell_text(app, 0), "42 on screen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WidgetPanel), "the panel gone")
        await pilot.press("j", "ctrl+r")
        await wait_for(pilot, lambda: "84" in cell_text(app, 1), "the kernel's value")


async def test_clicking_a_widget_opens_the_panel(kernelspecs: KernelSpecs) -> None:
    app = make_app(kernelspecs, "import ipywidgets as w\nw.Checkbox(description='tick')", "2")
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        view = screen_of(app).view
        await wait_for(pilot, lambda: "tick" in cell_text(app, 0), "the checkbox")
        output_row = view._tops[0] + view._cache[id(app.notebook.cells[0])].output_top
        await pilot.click("#cells", offset=(12, output_row - view.scroll_offset.y))
        await wait_for(pilot, lambda: isinstance(app.screen, WidgetPanel), "the panel")
        await pilot.press("space")
        await wait_for(pilot, lambda: "☑ tick" in cell_text(app, 0), "ticked")
        await pilot.press("escape")
        await pilot.click("#cells", offset=(12, view._tops[0] - view.scroll_offset.y))
        await pilot.pause()
        assert not isinstance(app.screen, WidgetPanel)  # a click on the source only selects


async def test_switching_tabs_shows_the_other_page(kernelspecs: KernelSpecs) -> None:
    app = make_app(
        kernelspecs,
        "import ipywidgets as w\n"
        "one, two = w.Label('first ' + 'page'), w.Checkbox(description='2nd ' + 'page')\n"
        "t = w.Tab(children=[one, two])\nt",
        "print(t.selected_index)",
    )
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        await wait_for(pilot, lambda: "first page" in cell_text(app, 0), "the first page")
        await pilot.press("k", "w")
        await wait_for(pilot, lambda: isinstance(app.screen, WidgetPanel), "the panel")
        await pilot.press("right")
        await wait_for(pilot, lambda: "☐ 2nd page" in cell_text(app, 0), "the second page")
        assert "first page" not in cell_text(app, 0)
        await pilot.press("tab", "space")  # the checkbox on the page now shown
        await wait_for(pilot, lambda: "☑ 2nd page" in cell_text(app, 0), "ticked")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WidgetPanel), "the panel gone")
        await pilot.press("j", "ctrl+r")
        await wait_for(pilot, lambda: "1" in cell_text(app, 1).split(), "the kernel's index")
