"""The debug session on real debuggers: ipykernel (debugpy) raw and on a server, xeus-python."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.fixtures.backends import BACKENDS
from tests.fixtures.kernelspecs import KernelSpecs
from tests.fixtures.waiting import until
from tnb.kernels.events import Error, ExecuteReply, KernelEvent, Stream
from tnb.kernels.protocol import KernelBackend
from tnb.session.debugger import DebuggerError, DebugSession, Stop

GUARD = 60.0
FUNCTION = "def double(x):\n    y = x * 2\n    return y\n\nprint(double(21))\n"


@pytest.fixture(params=["raw-ipc", "server", "xeus"])
async def kernel(
    request: pytest.FixtureRequest, kernelspecs: KernelSpecs
) -> AsyncIterator[KernelBackend]:
    backend_name, spec = (
        # xeus-python 0.19 dies on long ipc paths: tcp
        ("raw-tcp", "xpython") if request.param == "xeus" else (request.param, kernelspecs.python)
    )
    async with BACKENDS[backend_name].open(request, spec) as backend:
        yield backend


async def collect(events: AsyncIterator[KernelEvent]) -> list[KernelEvent]:
    return [e async for e in events]


def stdout(events: list[KernelEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Stream))


async def stopped(debug: DebugSession) -> Stop:
    seen: list[Stop] = []
    debug.on_stopped = seen.append
    await until(lambda: seen, GUARD)
    return seen[-1]


async def test_a_breakpoint_stops_with_the_frame_and_its_locals(kernel: KernelBackend) -> None:
    debug = DebugSession(kernel)
    assert debug.available
    await debug.start()
    path = await debug.set_breakpoints(FUNCTION, {2})
    assert debug.cell_file(FUNCTION) == path  # the name computed here is the kernel's
    stops: list[Stop] = []
    debug.on_stopped = stops.append
    run = asyncio.create_task(collect(kernel.execute(FUNCTION)))
    await until(lambda: stops, GUARD)
    stop = stops[-1]
    assert stop.reason == "breakpoint"
    top = stop.frames[0]
    assert (top.name, top.line) == ("double", 2)
    local = {v.name: v.value for v in await debug.frame_variables(top)}
    assert local["x"] == "21" and "y" not in local
    assert await debug.evaluate("x + 1", top) == "22"

    await debug.step("next")
    await until(lambda: len(stops) > 1, GUARD)
    assert stops[-1].frames[0].line == 3
    assert {v.name: v.value for v in await debug.frame_variables(stops[-1].frames[0])}["y"] == "42"
    await debug.step("continue")
    events = await asyncio.wait_for(run, GUARD)
    assert stdout(events) == "42\n" and isinstance(events[-1], ExecuteReply)
    await debug.stop()


async def test_an_uncaught_exception_stops_at_its_line(kernel: KernelBackend) -> None:
    debug = DebugSession(kernel)
    await debug.start()
    stops: list[Stop] = []
    debug.on_stopped = stops.append
    code = "values = [1, 2]\nvalues[5]\n"
    await debug.cell_path(code)  # the kernel names the cell's file as it will run it
    run = asyncio.create_task(collect(kernel.execute(code)))
    await until(lambda: stops, GUARD)
    assert stops[-1].reason == "exception" and stops[-1].frames[0].line == 2
    await debug.step("continue")
    events = await asyncio.wait_for(run, GUARD)
    # xeus-python names it "<class 'IndexError'>"
    assert any(isinstance(e, Error) and "IndexError" in e.ename for e in events), events
    await debug.stop()


async def test_the_variable_explorer_lists_a_dataframe_with_its_shape(
    kernel: KernelBackend,
) -> None:
    setup = (
        "import pandas as pd\ncount = 5\nrows = [[1, 2], [3, 4], [5, 6]]\n"
        "df = pd.DataFrame({'a': [1, 2, 3], 'b': [4, 5, 6]})\n"
    )
    events = await collect(kernel.execute(setup))
    assert isinstance(events[-1], ExecuteReply) and events[-1].status == "ok", events
    debug = DebugSession(kernel)
    rows = {v.name: v for v in await debug.variables()}
    assert rows["count"].type == "int" and rows["count"].value == "5"
    assert rows["df"].type == "DataFrame" and rows["df"].size == "(3, 2)"
    assert rows["rows"].size == "3 items"
    assert "pd" not in rows  # modules are not variables of the user's
    info = kernel.info
    if info is not None and info.implementation == "ipython":
        bundle = await debug.rich("df")
        assert "<table" in bundle.get("text/html", "")
    else:  # xeus-python 0.19 never answers richInspectVariables: said at once, not hung on
        with pytest.raises(DebuggerError, match="did not render"):
            await debug.rich("df")
    await debug.stop()


async def test_bash_has_no_debugger(
    request: pytest.FixtureRequest, kernelspecs: KernelSpecs
) -> None:
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel is not installed")
    async with BACKENDS["raw-ipc"].open(request, kernelspecs.bash) as backend:
        debug = DebugSession(backend)
        with pytest.raises(DebuggerError, match="no debugger"):
            await debug.start()
        assert not debug.available  # from now on the UI does not offer it


async def test_pause_stops_a_running_cell(kernel: KernelBackend) -> None:
    debug = DebugSession(kernel)
    await debug.start()
    code = "import time\nfor i in range(200):\n    time.sleep(0.05)\n"
    path = await debug.cell_path(code)
    stops: list[Stop] = []
    debug.on_stopped = stops.append
    run = asyncio.create_task(collect(kernel.execute(code)))
    await until(lambda: kernel.status == "busy", GUARD)
    in_cell: list[int] = []
    async with asyncio.timeout(GUARD):
        while not in_cell:  # a pause as the cell starts lands in IPython's code: again
            count = len(stops)
            await debug.step("pause")
            await until(lambda count=count: len(stops) > count, GUARD)  # type: ignore[misc]
            assert stops[-1].reason == "pause"
            # line 0: the cell's frame before its first line runs
            in_cell = [f.line for f in stops[-1].frames if f.path == path and f.line > 0]
            if not in_cell:
                await debug.step("continue")
    assert in_cell[0] in (2, 3)
    await debug.step("continue")
    events = await asyncio.wait_for(run, GUARD)
    assert isinstance(events[-1], ExecuteReply) and events[-1].status == "ok"
    await debug.stop()
