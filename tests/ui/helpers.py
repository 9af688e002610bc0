"""Notebooks and screen readers shared by the UI tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.command import Command, CommandList, CommandPalette
from textual.pilot import Pilot

from tnb.notebook.model import Cell, Notebook, Output
from tnb.ui.app import TnbApp
from tnb.ui.screens.notebook_screen import NotebookScreen


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


# How long a wait may take before it counts as a hang (a loaded shared machine), not a timing.
HANG_GUARD = 60.0


async def wait_for(
    pilot: Pilot[Any], check: Callable[[], bool], what: str, *, guard: float = HANG_GUARD
) -> None:
    """Let the app run until ``check()`` holds; fail after ``guard`` seconds."""
    deadline = time.monotonic() + guard
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.05)


def palette_highlights(app: App[Any], words: str) -> bool:
    """The command palette's highlighted command holds ``words`` (its search is asynchronous)."""
    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    commands = screen.query_one(CommandList)
    if commands.highlighted is None:
        return False
    option = commands.get_option_at_index(commands.highlighted)
    return isinstance(option, Command) and words.casefold() in str(option.hit.text).casefold()


def picker_highlights(app: App[Any], spec: str) -> bool:
    """The kernel picker's highlighted row is the kernelspec ``spec`` (sources load in workers)."""
    from tnb.ui.screens.kernel_picker import KernelPickerScreen

    screen = app.screen
    if not isinstance(screen, KernelPickerScreen):
        return False
    option = screen.option_list.highlighted_option
    return option is not None and str(option.id).endswith(f":spec:{spec}")


async def kernel_idle(pilot: Pilot[Any], app: TnbApp) -> None:
    """Until the app's kernel is idle; a failed start fails at once, saying why."""

    def idle() -> bool:
        kernels = app.kernels
        if kernels.backend is None and kernels.starting is None and kernels.failure is not None:
            raise AssertionError(f"the kernel did not start: {kernels.failure}")
        return app.kernels.status == "idle"

    await wait_for(pilot, idle, "an idle kernel")


async def cells_done(pilot: Pilot[Any], app: TnbApp) -> None:
    """Until the runner has applied every event (the kernel goes idle before that)."""

    def done() -> bool:
        runner = app.kernels.runner
        return runner is not None and runner.running is None and not runner.queued

    await wait_for(pilot, done, "the cells to finish")


def outputs_text(cell: Cell) -> str:
    """A cell's outputs as text: streams, and the text/plain of the rest."""
    return "".join(o.text or str(o.data.get("text/plain", "")) for o in cell.outputs)
