"""Run to a breakpoint: from sending the cell to the stack on screen, raw kernel vs server.

Run: `.venv/bin/python benchmarks/debugger.py [--rounds 20]`.
Each round sends a cell whose breakpoint is on its second line and times until the debug
session has the stopped frame (the ``stopped`` event, then ``stackTrace``), then continues.
The same ipykernel behind both: launched by tnb over ZeroMQ, and on a stock jupyter_server
(the DAP messages go through its websocket). Medians and p90 in ms; never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.server import pct
from tests.fixtures.jupyter_server import start_jupyter_server
from tnb.kernels.protocol import KernelBackend
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.kernels.server.provider import open_server_provider
from tnb.session.debugger import DebugSession, Stop

CELL = "x = 1\ny = x + 1\nprint(y)\n"


async def to_breakpoint(kernel: KernelBackend, rounds: int) -> list[float]:
    debug = DebugSession(kernel)
    await debug.start()
    await debug.set_breakpoints(CELL, {2})
    stopped = asyncio.Event()

    def on_stopped(stop: Stop) -> None:
        stopped.set()

    debug.on_stopped = on_stopped
    times: list[float] = []
    for _ in range(rounds):
        stopped.clear()
        t0 = time.perf_counter()

        async def run() -> None:
            async for _event in kernel.execute(CELL):
                pass

        task = asyncio.create_task(run())
        await asyncio.wait_for(stopped.wait(), 60)
        times.append(time.perf_counter() - t0)
        await debug.step("continue")
        await asyncio.wait_for(task, 60)
    await debug.stop()
    return times


async def main(rounds: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tnb-bench-debug-"))
    server = start_jupyter_server(workdir)
    try:
        local = LocalProvider()
        raw = await local.start(select_choice(await local.list_choices(), wanted="python3"))
        raw_times = await to_breakpoint(raw, rounds)
        await raw.shutdown()
        provider = await open_server_provider(server.url, token=server.token)
        choices = await provider.list_choices()
        remote = await provider.start(next(c for c in choices if c.name == "python3"))
        server_times = await to_breakpoint(remote, rounds)
        await remote.shutdown()
        await provider.close()
    finally:
        server.stop()
    print(f"{'backend':>8} {'median ms':>10} {'p90 ms':>8}")
    for name, times in (("raw", raw_times), ("server", server_times)):
        ms = [t * 1000 for t in times]
        print(f"{name:>8} {statistics.median(ms):>10.1f} {pct(ms, 0.9):>8.1f}")
    print(
        f"server/raw (median): {statistics.median(server_times) / statistics.median(raw_times):.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(parser.parse_args().rounds))
