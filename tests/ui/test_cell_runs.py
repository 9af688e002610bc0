"""Running cells from the UI on the fake kernel: queueing, run all, interrupt, restart, death,
input, completion and help; fast and deterministic. What needs a real kernel process (start
failures, attach, keep, servers, an interrupt a kernel ignores) is in test_execution.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, TextArea

from tests.fixtures.fake_kernel import FakeProvider
from tests.ui.helpers import (
    cells_done,
    kernel_idle,
    outputs_text,
    picker_highlights,
    screen_of,
    view_text,
    wait_for,
)
from tnb.notebook.model import Cell, Notebook
from tnb.session.launch import LaunchOptions
from tnb.ui.app import TnbApp
from tnb.ui.screens.completion import CompletionScreen
from tnb.ui.screens.dialogs import ConfirmScreen
from tnb.ui.screens.pager import PagerScreen
from tnb.ui.screens.stdin_prompt import StdinPromptScreen

SIZE = (100, 40)
SPEC, DISPLAY = "tnb-python", "tnb test Python"

pytestmark = pytest.mark.timeout(120)  # hang guard only


def notebook(*sources: str, path: Path | None = None) -> Notebook:
    cells = [Cell.new("code", source) for source in sources]
    return Notebook(
        cells=cells, metadata={"kernelspec": {"name": SPEC, "language": "python"}}, path=path
    )


def make_app(*sources: str, kernels: FakeProvider | None = None) -> TnbApp:
    """An app on ``sources`` whose kernel (the notebook's, started at once) is a fake."""
    return TnbApp(
        notebook(*sources),
        kernel_args=LaunchOptions(),
        start_kernel=True,
        local_kernels=kernels or FakeProvider(SPEC, DISPLAY),
    )


async def test_run_a_cell_shows_its_count_and_output() -> None:
    app = make_app("print('hello from the kernel')\n6 * 7")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        status = screen_of(app).query_one("#status").text  # type: ignore[attr-defined]
        assert "tnb test Python · raw · idle" in status
        await pilot.press("ctrl+r")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: cell.execution_count == 1, "[1]")
        await wait_for(pilot, lambda: "42" in outputs_text(cell), "the result")
        await pilot.pause()
        shown = view_text(app)
        assert "[1]:" in shown
        assert "hello from the kernel" in shown and "42" in shown
        assert app.kernel_metadata is not None
        assert app.kernel_metadata["kernelspec"]["name"] == SPEC


async def test_run_all_runs_in_order_and_stops_at_an_error() -> None:
    app = make_app("x = 1", "x += 1\nx", "raise ValueError('stop')", "x = 100")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen_of(app).action_run_all()
        cells = app.notebook.cells
        await wait_for(pilot, lambda: bool(cells[2].outputs), "the error")
        await kernel_idle(pilot, app)
        marks = app.kernels.run_mark
        await wait_for(pilot, lambda: not any(map(marks, cells)), "the [*] marks to clear")
        assert [c.execution_count for c in cells[:3]] == [1, 2, 3]
        assert outputs_text(cells[1]) == "2"
        assert cells[2].outputs[0].output_type == "error"
        assert cells[3].execution_count is None  # stop on error, as Jupyter
        # The view redraws on its next refresh after the marks clear.
        await wait_for(pilot, lambda: "[*]" not in view_text(app), "the view without [*]")


async def test_queued_cells_show_a_star() -> None:
    app = make_app("import time; time.sleep(1.5)", "1")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen_of(app).action_run_all()
        await pilot.pause()
        assert "[*]:" in view_text(app)
        await wait_for(pilot, lambda: app.notebook.cells[1].execution_count == 2, "[2]")
        await wait_for(pilot, lambda: "[*]:" not in view_text(app), "the [*] to go")
        assert "[2]:" in view_text(app)


async def test_interrupt_a_sleeping_cell() -> None:
    app = make_app("import time\nprint('start', flush=True)\ntime.sleep(60)", "1")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen_of(app).action_run_all()
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: "start" in outputs_text(cell), "the cell to start")
        await pilot.press("i", "i")
        await wait_for(
            pilot,
            lambda: any(o.ename == "KeyboardInterrupt" for o in cell.outputs),
            "the KeyboardInterrupt",
        )
        await kernel_idle(pilot, app)
        assert app.notebook.cells[1].execution_count is None  # the queue was dropped


async def test_restart_forgets_state() -> None:
    kernels = FakeProvider(SPEC, DISPLAY)
    app = make_app("y = 5", "print(y)", kernels=kernels)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.notebook.cells[0].execution_count == 1, "[1]")
        await pilot.press("0", "0")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: kernels.started[0].restarts == 1, "the restart")
        await kernel_idle(pilot, app)
        await pilot.press("j", "ctrl+r")
        cell = app.notebook.cells[1]
        await wait_for(pilot, lambda: bool(cell.outputs), "the NameError")
        assert cell.outputs[0].ename == "NameError"
        assert cell.execution_count == 1  # a new kernel counts from 1


async def test_input_is_answered_inline() -> None:
    app = make_app("name = input('Your name? ')\nprint('hi', name)")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, StdinPromptScreen), "the prompt")
        assert "Your name?" in str(app.screen.query_one("#stdin-prompt").render())
        assert not app.screen.query_one(Input).password
        await pilot.press(*"Ada", "enter")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: "hi Ada" in outputs_text(cell), "the answer echoed")


async def test_getpass_is_masked() -> None:
    app = make_app("import getpass\nsecret = getpass.getpass('pw: ')\nlen(secret)")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, StdinPromptScreen), "the prompt")
        assert app.screen.query_one(Input).password
        await pilot.press(*"hunter2", "enter")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: "7" in outputs_text(cell), "the length")
        assert "hunter2" not in view_text(app)


async def test_tab_completion_offers_os() -> None:
    app = make_app("")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("enter", *"import o", "tab")
        await wait_for(pilot, lambda: isinstance(app.screen, CompletionScreen), "the popup")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "os" in shown
        await pilot.press(*["down"] * shown.index("os"), "enter")
        await pilot.pause()
        assert app.notebook.cells[0].source == "import os"


async def test_shift_tab_shows_the_docstring() -> None:
    app = make_app("")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("enter", *"len", "shift+tab")
        await wait_for(pilot, lambda: isinstance(app.screen, PagerScreen), "the help")
        text = app.screen.query_one(TextArea).text
        assert "Return the number of items in a container" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, PagerScreen)


async def test_a_dying_kernel_says_why_and_offers_restart() -> None:
    kernels = FakeProvider(SPEC, DISPLAY)
    app = make_app("import time; time.sleep(60)", "1 + 1", kernels=kernels)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.kernels.status == "busy", "the sleep")
        kernels.started[-1].die("the kernel died unexpectedly", exit_code=3)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the restart offer")
        question = str(app.screen.question)  # type: ignore[attr-defined]
        assert "died" in question and "exit code 3" in question
        await pilot.press("y")
        await kernel_idle(pilot, app)
        await pilot.press("j", "ctrl+r")
        cell = app.notebook.cells[1]
        await wait_for(pilot, lambda: outputs_text(cell) == "2", "a run after the restart")
        assert app.notebook.cells[0].source == "import time; time.sleep(60)"


async def test_many_prints_stream_in_and_keys_stay_live() -> None:
    code = "for i in range(20000):\n    print(i, flush=True)"
    app = make_app(code, "")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        cell = app.notebook.cells[0]
        await wait_for(pilot, lambda: bool(cell.outputs), "the first lines")
        await pilot.press("j")  # keys work while output streams in
        assert screen_of(app).view.cursor == 1
        cell = app.notebook.cells[0]
        await cells_done(pilot, app)
        text = outputs_text(cell)
        # Exact delivery is the kernel layer's contract (ipykernel's PUB socket drops past
        # 1000 unsent messages when the machine is loaded); the UI must show the end.
        assert text.endswith("19999\n") and text.count("\n") > 10000
        await pilot.pause()
        assert "19999" in view_text(app)


async def test_a_new_notebook_opens_the_picker_first(tmp_path: Path) -> None:
    from tnb.ui.screens.kernel_picker import KernelPickerScreen

    nb = Notebook(cells=[Cell.new("code", "3 * 3")], path=tmp_path / "new.ipynb")
    app = TnbApp(
        nb,
        kernel_args=LaunchOptions(),
        start_kernel=True,
        local_kernels=FakeProvider(SPEC, DISPLAY),
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        await pilot.press(*SPEC)
        await wait_for(pilot, lambda: picker_highlights(app, SPEC), "the filter")
        await pilot.press("enter")
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: outputs_text(nb.cells[0]) == "9", "the result")
        assert app.kernel_metadata is not None
        assert app.kernel_metadata["kernelspec"]["name"] == SPEC


async def test_restart_and_run_all_and_run_above_below() -> None:
    app = make_app("a = 1", "b = a + 1\nb", "b * 10")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        cells = app.notebook.cells
        screen = screen_of(app)
        screen.view.move_cursor(2)
        screen.action_run_above()
        await wait_for(pilot, lambda: outputs_text(cells[1]) == "2", "the cells above")
        assert cells[2].execution_count is None
        screen.action_run_below()
        await wait_for(pilot, lambda: outputs_text(cells[2]) == "20", "the cell below")
        assert cells[2].execution_count == 3
        screen.view.move_cursor(0)
        screen.action_run()
        await wait_for(pilot, lambda: cells[0].execution_count == 4, "[4]")
        screen.action_restart_and_run_all()
        await wait_for(pilot, lambda: cells[0].execution_count == 1, "a count from a new kernel")
        await wait_for(pilot, lambda: cells[2].execution_count == 3 and cells[0]
                       .execution_count == 1 and outputs_text(cells[2]) == "20"
                       and app.kernels.runner is not None and app.kernels.runner.running
                       is None and not app.kernels.runner.queued, "the rerun")  # fmt: skip
        assert [c.execution_count for c in cells] == [1, 2, 3]


async def test_after_run_all_the_last_cell_is_one_key_away() -> None:
    """Outputs that arrived out of view move the cells below them: G must land on the last
    cell the first time (it stopped one cell short, every time, on 100 cells)."""
    app = make_app(*[f"{i} * 2" for i in range(100)])
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen_of(app).action_run_all()
        cells = app.notebook.cells
        await wait_for(pilot, lambda: bool(cells[-1].outputs), "the last output")
        await cells_done(pilot, app)
        await pilot.press("G")
        await pilot.pause()
        assert screen_of(app).view.cursor == 99
        shown = view_text(app)
        assert "[100]: 99 * 2" in shown and "198" in shown


async def test_the_selected_cell_stays_on_screen_while_cells_above_grow() -> None:
    """Scroll anchoring through a run: outputs arriving above the selected (last) cell must not
    push it off screen (it ended 6 cells up, 33 with re-measured heights)."""
    app = make_app(*[f"{i} * 2" for i in range(100)])
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        screen = screen_of(app)
        screen.view.move_cursor(99)
        await pilot.pause()
        screen.action_run_all()
        cells = app.notebook.cells
        await wait_for(pilot, lambda: bool(cells[-1].outputs), "the last output")
        await cells_done(pilot, app)

        def whole_on_screen() -> bool:
            shown = view_text(app)
            return "[100]: 99 * 2" in shown and "198" in shown

        # The frame after the last output (view_text reads lines, it does not paint).
        await wait_for(pilot, whole_on_screen, "the selected cell, whole, on screen")


async def test_restarting_while_a_cell_runs_asks_nothing_more() -> None:
    """The restart the user asked for ends the running cell: not a death to offer a restart for."""
    app = make_app("import time\ntime.sleep(30)", "1")
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.kernels.status == "busy", "the sleep")
        screen = screen_of(app)
        screen.post_message(screen.KernelRequested("restart"))  # as "0 0", confirmed
        await wait_for(pilot, lambda: app.kernels.runner is not None, "the runner")
        await wait_for(
            pilot,
            lambda: app.kernels.status == "idle" and app.kernels.running_cell is None,
            "the restarted kernel",
        )
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen), app.screen
        assert app.kernels.failure is None
