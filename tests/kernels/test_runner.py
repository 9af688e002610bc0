"""Runner: cells through a real raw kernel into the notebook model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.fixtures.kernelspecs import KernelSpecs
from tnb.kernels.events import InputRequested, KernelEvent
from tnb.kernels.protocol import KernelBackend
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.notebook.model import Cell, Notebook, Output
from tnb.session.runner import CellResult, Runner, apply_kernel_metadata

GUARD = 120.0


@pytest.fixture
async def backend(kernelspecs: KernelSpecs) -> AsyncIterator[KernelBackend]:
    provider = LocalProvider()
    choice = select_choice(await provider.list_choices(), wanted=kernelspecs.python)
    kernel = await provider.start(choice)
    try:
        yield kernel
    finally:
        await kernel.shutdown()


def notebook(*sources: str, tags: dict[int, list[str]] | None = None) -> Notebook:
    cells = [Cell.new("code", s) for s in sources]
    for index, cell_tags in (tags or {}).items():
        cells[index].metadata["tags"] = cell_tags
    return Notebook(cells=cells)


async def test_run_all_fills_outputs_counts_and_timing(backend: KernelBackend) -> None:
    nb = notebook("print('a')\nprint('b')\n6 * 7", "import sys; print('e', file=sys.stderr)")
    nb.cells.insert(1, Cell.new("markdown", "# not run"))
    changed: list[Cell] = []
    runner = Runner(backend, nb, on_cell_changed=changed.append, record_timing=True)
    run = await asyncio.wait_for(runner.run_all(), GUARD)
    assert run.ok and [r.status for r in run.results] == ["ok", "ok"]
    first, markdown, second = nb.cells
    assert [o.output_type for o in first.outputs] == ["stream", "execute_result"]
    assert first.outputs[0].text == "a\nb\n"
    assert first.outputs[1].data["text/plain"] == "42" and first.outputs[1].execution_count == 1
    assert (first.execution_count, second.execution_count) == (1, 2)
    assert second.outputs[0].name == "stderr" and second.outputs[0].text == "e\n"
    assert markdown.outputs == [] and "execution" not in markdown.metadata
    timing = first.metadata["execution"]
    assert set(timing) == {
        "iopub.status.busy",
        "iopub.execute_input",
        "shell.execute_reply",
        "iopub.status.idle",
    }
    assert all(value.endswith("Z") and "T" in value for value in timing.values())
    assert timing["iopub.status.busy"] <= timing["shell.execute_reply"]
    assert nb.dirty and first in changed and second in changed


async def test_timing_is_off_by_default_and_old_timing_is_left_alone(
    backend: KernelBackend,
) -> None:
    nb = notebook("1", "2")
    old = {"iopub.execute_input": "2020-01-01T00:00:00.000000Z"}
    nb.cells[1].metadata["execution"] = dict(old)
    run = await asyncio.wait_for(Runner(backend, nb).run_all(), GUARD)
    assert run.ok
    assert nb.cells[0].metadata == {} and nb.cells[1].metadata == {"execution": old}


async def test_display_update_reaches_earlier_cell(backend: KernelBackend) -> None:
    nb = notebook(
        "from IPython.display import display\nh = display('first', display_id='dd')",
        "h.update('second')",
    )
    await asyncio.wait_for(Runner(backend, nb).run_all(), GUARD)
    assert [o.data["text/plain"] for o in nb.cells[0].outputs] == ["'second'"]
    assert nb.cells[1].outputs == []


async def test_clear_output_wait_and_carriage_return(backend: KernelBackend) -> None:
    nb = notebook(
        "from IPython.display import clear_output\n"
        "print('old', flush=True)\nclear_output(wait=True)\nprint('new')",
        "for i in range(3):\n    print(f'\\rstep {i}', end='', flush=True)",
    )
    await asyncio.wait_for(Runner(backend, nb).run_all(), GUARD)
    assert [(o.output_type, o.text) for o in nb.cells[0].outputs] == [("stream", "new\n")]
    assert nb.cells[1].outputs[0].text.endswith("step 2")
    assert "step 0" not in nb.cells[1].outputs[0].text


async def test_stops_at_first_error(backend: KernelBackend) -> None:
    nb = notebook("x = 1", "1 / 0", "print('never')")
    run = await asyncio.wait_for(Runner(backend, nb).run_all(), GUARD)
    assert run.failure is not None and run.failure.cell is nb.cells[1]
    assert run.failure.error is not None and run.failure.error.ename == "ZeroDivisionError"
    assert nb.cells[1].outputs[-1].output_type == "error"
    assert nb.cells[2].execution_count is None and nb.cells[2].outputs == []


async def test_allow_errors_keeps_going(backend: KernelBackend) -> None:
    nb = notebook("1 / 0", "print('after')")
    run = await asyncio.wait_for(Runner(backend, nb, allow_errors=True).run_all(), GUARD)
    assert run.failure is None and not run.ok
    assert nb.cells[1].outputs[0].text == "after\n"


async def test_tags_raises_exception_and_skip_execution(backend: KernelBackend) -> None:
    nb = notebook(
        "raise ValueError('expected')",
        "print('skipped')",
        "print('ran')",
        tags={0: ["raises-exception"], 1: ["skip-execution"]},
    )
    kept = Output("stream", name="stdout", text="stored\n")
    nb.cells[1].outputs.append(kept)
    nb.cells[1].execution_count = 9
    run = await asyncio.wait_for(Runner(backend, nb).run_all(), GUARD)
    assert run.ok and run.failure is None
    assert nb.cells[0].outputs[0].ename == "ValueError"
    assert nb.cells[1].outputs == [kept] and nb.cells[1].execution_count == 9
    assert nb.cells[2].outputs[0].text == "ran\n"


async def test_timeout_interrupts_and_stops(backend: KernelBackend) -> None:
    nb = notebook("print('start', flush=True)\nimport time\ntime.sleep(60)", "print('never')")
    run = await asyncio.wait_for(Runner(backend, nb, timeout=2.0).run_all(), GUARD)
    assert run.failure is not None and run.failure.status == "timeout"
    outputs = nb.cells[0].outputs
    assert outputs[0].text == "start\n"
    assert outputs[-1].output_type == "error" and outputs[-1].ename == "KeyboardInterrupt"
    assert nb.cells[1].outputs == []
    # The kernel is free again.
    again = notebook("print('free')")
    await asyncio.wait_for(Runner(backend, again).run_all(), GUARD)
    assert again.cells[0].outputs[0].text == "free\n"


async def test_input_handler_answers(backend: KernelBackend) -> None:
    asked: list[InputRequested] = []

    async def answer(request: InputRequested) -> str:
        asked.append(request)
        return "secret" if request.password else "Ada"

    nb = notebook(
        "import getpass\nname = input('who? ')\npw = getpass.getpass('pw? ')\nprint(name, len(pw))"
    )
    await asyncio.wait_for(Runner(backend, nb, input_handler=answer).run_all(), GUARD)
    assert [(r.prompt, r.password) for r in asked] == [("who? ", False), ("pw? ", True)]
    assert nb.cells[0].outputs[-1].text.endswith("Ada 6\n")


async def test_input_without_handler_fails_fast(backend: KernelBackend) -> None:
    nb = notebook("input('x')")
    run = await asyncio.wait_for(Runner(backend, nb).run_all(), GUARD)
    assert run.failure is not None and run.failure.error is not None
    assert run.failure.error.ename == "StdinNotImplementedError"


async def test_queue_runs_in_order_and_stops_on_error(backend: KernelBackend) -> None:
    nb = notebook("order = []", "order.append(1)", "order.append(2)\nprint(order)")
    started: list[Cell] = []
    finished: list[CellResult] = []
    runner = Runner(backend, nb, on_cell_started=started.append, on_cell_finished=finished.append)
    runner.submit(nb.cells[:2])
    runner.submit([nb.cells[2], nb.cells[1]])  # already queued: not twice
    assert runner.queued
    await asyncio.wait_for(runner.wait_idle(), GUARD)
    assert started == nb.cells and [r.status for r in finished] == ["ok", "ok", "ok"]
    assert nb.cells[2].outputs[0].text == "[1, 2]\n"
    bad = notebook("1 / 0", "print('not run')")
    runner2 = Runner(backend, bad)
    runner2.submit(bad.cells)
    await asyncio.wait_for(runner2.wait_idle(), GUARD)
    assert bad.cells[0].outputs[0].output_type == "error" and not runner2.queued
    # Sent ahead, the second cell is the kernel's: aborted if it held it when the error came,
    # run if it reached it later (seen under load). The notebook shows exactly what ran.
    second = bad.cells[1]
    ran = second.execution_count is not None
    assert [o.text for o in second.outputs] == (["not run\n"] if ran else [])
    await runner2.close()


class SendLog:
    """Wraps a backend's execute to note when each request goes out (its first step)."""

    def __init__(self, backend: KernelBackend) -> None:
        self._execute = backend.execute  # the real one, before it is replaced by ours
        self.log: list[str] = []

    def execute(self, code: str, **kwargs: bool) -> AsyncIterator[KernelEvent]:
        async def sending() -> AsyncIterator[KernelEvent]:
            self.log.append(f"sent {code}")
            async for event in self._execute(code, **kwargs):
                yield event

        return sending()


async def test_queued_cells_are_sent_ahead_and_land_in_their_cells(
    backend: KernelBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pipelined as JupyterLab: every queued request is with the kernel before the first
    cell ends; the kernel runs them in order and each output reaches its own cell."""
    sources = ["import time; time.sleep(0.3); 'first'"] + [
        f"print({i}); {i} * 10" for i in range(1, 30)
    ]
    nb = notebook(*sources)
    sends = SendLog(backend)
    monkeypatch.setattr(backend, "execute", sends.execute)
    runner = Runner(backend, nb, on_cell_finished=lambda r: sends.log.append("finished"))
    runner.submit(nb.cells)
    await asyncio.wait_for(runner.wait_idle(), GUARD)
    assert sends.log[: len(sources)] == [f"sent {s}" for s in sources]
    assert sends.log[len(sources) :] == ["finished"] * len(sources)
    assert [c.execution_count for c in nb.cells] == list(range(1, len(sources) + 1))
    for i, cell in enumerate(nb.cells[1:], start=1):
        assert cell.outputs[0].text == f"{i}\n"
        assert cell.outputs[1].data["text/plain"] == str(i * 10)


async def test_an_error_aborts_the_cells_already_sent(
    backend: KernelBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = notebook("counter = 0", "1 / 0", "counter += 1", "counter += 2")
    sends = SendLog(backend)
    monkeypatch.setattr(backend, "execute", sends.execute)
    dropped: list[Cell] = []
    runner = Runner(backend, nb, on_cells_dropped=dropped.extend)
    runner.submit(nb.cells)
    await asyncio.wait_for(runner.wait_idle(), GUARD)
    assert sends.log == [f"sent {c.source}" for c in nb.cells]
    assert dropped == nb.cells[2:]
    assert [c.execution_count for c in nb.cells[:2]] == [1, 2]
    # They reached the kernel (sent ahead): it aborts those it held when the error came; one
    # that reached it later runs (seen under load). The notebook shows exactly what ran.
    ran = [c for c in nb.cells[2:] if c.execution_count is not None]
    assert all(not c.outputs for c in nb.cells[2:] if c not in ran)
    check = notebook("counter")
    await asyncio.wait_for(Runner(backend, check).run_all(), GUARD)
    expected = sum({"counter += 1": 1, "counter += 2": 2}[c.source] for c in ran)
    assert check.cells[0].outputs[0].data["text/plain"] == str(expected)


async def test_an_interrupt_stops_the_whole_queue(backend: KernelBackend) -> None:
    nb = notebook("import time; time.sleep(30)", "flag = 1")
    started: list[Cell] = []
    runner = Runner(backend, nb, on_cell_started=started.append)
    runner.submit(nb.cells)
    while backend.status != "busy" or not started:  # noqa: ASYNC110 (kernel state, no event)
        await asyncio.sleep(0.02)
    runner.clear_queue()  # as the session does on interrupt
    await backend.interrupt()
    await asyncio.wait_for(runner.wait_idle(), GUARD)
    assert nb.cells[0].outputs[-1].ename == "KeyboardInterrupt"
    check = notebook("'flag' in dir()")
    await asyncio.wait_for(Runner(backend, check).run_all(), GUARD)
    assert check.cells[0].outputs[0].data["text/plain"] == "False"


async def test_kernel_death_stops_the_run(backend: KernelBackend) -> None:
    nb = notebook("import os\nos._exit(3)", "print('never')")
    run = await asyncio.wait_for(Runner(backend, nb, allow_errors=True).run_all(), GUARD)
    assert run.failure is not None and run.failure.status == "died"
    assert run.failure.died is not None and run.failure.died.exit_code == 3
    assert nb.cells[1].outputs == []


async def test_apply_kernel_metadata(backend: KernelBackend) -> None:
    nb = Notebook(cells=[])
    info = await backend.kernel_info()
    apply_kernel_metadata(nb, backend.choice, info)
    assert nb.metadata["kernelspec"]["name"] == backend.choice.name
    assert nb.metadata["kernelspec"]["language"] == "python"
    assert nb.metadata["language_info"]["name"] == "python" and nb.dirty
