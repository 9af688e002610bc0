"""The debugger in the app against a real ipykernel: breakpoints, the stopped panel, variables."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from tests.fixtures.kernelspecs import KernelSpecs
from tests.ui.helpers import kernel_idle, outputs_text, screen_of, wait_for
from tests.ui.test_execution import SIZE, kernel_args, make_app, notebook
from tests.widgets.test_widgets_ui import cell_text, run_cells
from tnb.ui.app import TnbApp
from tnb.ui.screens.debug_panels import DataViewer, DebugPanel, VariablesScreen

pytestmark = pytest.mark.timeout(180)

FUNCTION = "def double(x):\n    y = x * 2\n    return y\n\nprint(double(21))"


def panel_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, DebugPanel)
    shown = [w.render_line(y).text for w in screen.query(Static) for y in range(w.size.height)]
    return "\n".join([*shown, screen.variables_text()])


async def test_a_breakpoint_stops_steps_and_continues(kernelspecs: KernelSpecs) -> None:
    app = make_app(kernelspecs, FUNCTION)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen = screen_of(app)
        await pilot.press("enter", "down", "f9", "escape")  # line 2 of the cell
        assert screen.view.breakpoints[id(app.notebook.cells[0])] == {2}
        assert "●" in cell_text(app, 0).splitlines()[1]  # the gutter mark on line 2
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DebugPanel), "the stop")
        cell = app.notebook.cells[0]
        assert screen.view.stopped_at == (id(cell), 2)
        await wait_for(pilot, lambda: "x: int = 21" in panel_text(app), "the frame's locals")
        assert "cell 1, line 2" in panel_text(app) and "double" in panel_text(app)
        assert app.kernels.status == "busy"  # the debugger's own requests are not the cell's
        await pilot.press("e", *"x + 1", "enter")
        await wait_for(pilot, lambda: "x + 1 = 22" in panel_text(app), "the evaluation")
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.view.stopped_at == (id(cell), 3), "line 3")
        await wait_for(pilot, lambda: "y: int = 42" in panel_text(app), "y")
        await pilot.press("c")
        await wait_for(pilot, lambda: outputs_text(cell) == "42\n", "the print")
        await wait_for(pilot, lambda: not isinstance(app.screen, DebugPanel), "the panel gone")
        assert screen.view.stopped_at is None


async def test_the_variable_explorer_and_the_data_viewer(kernelspecs: KernelSpecs) -> None:
    app = make_app(
        kernelspecs,
        "import pandas as pd\nsize = 3\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': [4, 5, 6]})",
        "size = 4",
    )
    async with app.run_test(size=SIZE) as pilot:
        await run_cells(pilot, app, 1)
        screen_of(app).action_show_variables()
        await wait_for(pilot, lambda: isinstance(app.screen, VariablesScreen), "the explorer")
        explorer = app.screen
        assert isinstance(explorer, VariablesScreen)
        await wait_for(pilot, lambda: len(explorer.rows) >= 2, "the variables")
        rows = {v.name: v for v in explorer.rows}
        assert rows["df"].size == "(3, 2)" and rows["size"].value == "3"
        # It refreshes after each run.
        app.kernels.run([app.notebook.cells[1]])
        await wait_for(
            pilot, lambda: {v.name: v.value for v in explorer.rows}.get("size") == "4", "4"
        )
        table = explorer.query_one(DataTable)
        table.move_cursor(row=[v.name for v in explorer.rows].index("df"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DataViewer), "the viewer")
        viewer = app.screen
        content = viewer.query_one("#viewer-content", Static)
        # The kernel's HTML table, drawn as a table (box lines), not the value's repr.
        await wait_for(pilot, lambda: not isinstance(content.content, str | Text), "the table")


async def test_a_kernel_without_a_debugger_says_so(kernelspecs: KernelSpecs) -> None:
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel is not installed")
    nb = notebook("echo hi")
    nb.metadata["kernelspec"] = {"name": kernelspecs.bash, "language": "bash"}
    app = TnbApp(nb, kernel_args=kernel_args(kernelspecs.bash), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("D")
        await wait_for(
            pilot,
            lambda: any("no debugger" in str(n.message) for n in app._notifications),
            "the message",
            guard=60,
        )
        assert not isinstance(app.screen, DebugPanel)


async def test_a_restart_ends_the_debug_session(kernelspecs: KernelSpecs) -> None:
    app = make_app(kernelspecs, FUNCTION)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen = screen_of(app)
        await pilot.press("f9", "D")  # a breakpoint on line 1, then debug
        await wait_for(pilot, lambda: isinstance(app.screen, DebugPanel), "the stop")
        screen.post_message(screen.KernelRequested("restart"))  # as "0 0", confirmed
        await wait_for(pilot, lambda: not isinstance(app.screen, DebugPanel), "the panel gone")
        assert screen.view.stopped_at is None
        await kernel_idle(pilot, app)
        debugger = app.kernels.debugger
        assert debugger is not None and not debugger.started and debugger.stopped is None
        await pilot.press("D")  # a new session on the new process
        await wait_for(pilot, lambda: isinstance(app.screen, DebugPanel), "the stop again")
        await pilot.press("c")
        await wait_for(
            pilot, lambda: outputs_text(app.notebook.cells[0]) == "42\n", "the cell's end"
        )


async def test_the_frame_variables_expand_as_a_tree(kernelspecs: KernelSpecs) -> None:
    app = make_app(kernelspecs, "def f():\n    data = {'k': [1, 2]}\n    return data\n\nf()")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("enter", "down", "down", "f9", "escape")
        assert screen_of(app).view.breakpoints[id(app.notebook.cells[0])] == {3}
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DebugPanel), "the stop")
        await wait_for(pilot, lambda: "data: dict" in panel_text(app), "the local")
        assert "'k': list" not in panel_text(app)
        await pilot.press("down", "enter")  # onto the first row (data), and open it
        await wait_for(pilot, lambda: "'k': list = [1, 2]" in panel_text(app), "its child")
        await pilot.press("c")
        await wait_for(pilot, lambda: not isinstance(app.screen, DebugPanel), "the end")
