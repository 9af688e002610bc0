"""Run all of many trivial cells: tnb's pipelined runner and UI vs bare jupyter_client, one run.

Run: `.venv/bin/python benchmarks/run_all.py [--cells 100 1000] [--rounds 3]`.
The floor is jupyter_client sending every execute request at once and waiting for the last
reply. tnb is measured three ways: the runner cell by cell (as `tnb run`, and as the UI ran
before pipelining), the runner pipelined (the UI's run all), and the real TnbApp headless
(Pilot) from "run all" to the last cell's output drawn. Medians of ``--rounds``; ratios only
compare within this run (machines here are noisy). Numbers are never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.kernels import bare_stop, python_choice, tnb_start
from benchmarks.ui_execution import _args, _wait, bare_start
from tnb.notebook.model import Cell, Notebook
from tnb.session.runner import Runner
from tnb.ui.app import TnbApp


def sources(n: int) -> list[str]:
    return [f"{i} * 2" for i in range(n)]


async def bare(n: int) -> float:
    """Every request at once, then until the last reply: what the kernel itself needs."""
    km, kc = await bare_start()
    try:
        t0 = time.perf_counter()
        ids = [kc.execute(code) for code in sources(n)]
        last = ids[-1]
        while True:
            reply = await kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == last:
                break
        return time.perf_counter() - t0
    finally:
        await bare_stop(km, kc)


async def runner(n: int, *, pipelined: bool) -> float:
    choice = await python_choice()
    _, kernel = await tnb_start(choice, "ipc")
    try:
        nb = Notebook(cells=[Cell.new("code", code) for code in sources(n)])
        run = Runner(kernel, nb)
        t0 = time.perf_counter()
        if pipelined:
            run.submit(nb.cells)
            await run.wait_idle()
        else:
            await run.run_all()
        elapsed = time.perf_counter() - t0
        assert nb.cells[-1].outputs[0].data["text/plain"] == str((n - 1) * 2)
        return elapsed
    finally:
        await kernel.shutdown()


async def ui(n: int) -> tuple[float, float]:
    """(kernel's last reply in the model, last output drawn) after run all, in seconds."""
    nb = Notebook(cells=[Cell.new("code", code) for code in sources(n)])
    app = TnbApp(nb, kernel_args=_args(), start_kernel=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(lambda: app.kernels.status == "idle")
        screen = app.notebook_screen
        assert screen is not None
        view, last = screen.view, nb.cells[-1]
        view.move_cursor(n - 1)  # the last cell on screen while the run goes on
        await pilot.pause()

        def drawn(text: str) -> bool:
            return any(text in view.render_line(y).text.split() for y in range(view.size.height))

        t0 = time.perf_counter()
        screen.action_run_all()
        await _wait(lambda: bool(last.outputs))
        done = time.perf_counter() - t0
        want = str((n - 1) * 2)
        await _wait(lambda: drawn(want))
        return done, time.perf_counter() - t0


async def median(rounds: int, measure: Callable[[], Awaitable[Any]]) -> Any:
    results = [await measure() for _ in range(rounds)]
    if isinstance(results[0], tuple):
        return tuple(statistics.median(r[i] for r in results) for i in range(len(results[0])))
    return statistics.median(results)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'cells':>6} {'bare s':>7} {'seq s':>7} {'pipe s':>7} {'UI done':>8} {'UI shown':>9}"
        f" {'seq/bare':>9} {'pipe/bare':>10} {'UI/bare':>8} {'shown/done':>11}"
    )
    for n in args.cells:
        b = await median(args.rounds, partial(bare, n))
        seq = await median(args.rounds, partial(runner, n, pipelined=False))
        pipe = await median(args.rounds, partial(runner, n, pipelined=True))
        done, shown = await median(args.rounds, partial(ui, n))
        print(
            f"{n:>6} {b:>7.2f} {seq:>7.2f} {pipe:>7.2f} {done:>8.2f} {shown:>9.2f}"
            f" {seq / b:>9.2f} {pipe / b:>10.2f} {shown / b:>8.2f} {shown / done:>11.2f}",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
