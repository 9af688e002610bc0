"""Output-heavy cells in the UI vs `tnb run`'s Runner vs bare jupyter_client, in one run.

Run: `.venv/bin/python benchmarks/ui_execution.py [--lines N] [--prints N] [--rounds N]`.
The UI is the real TnbApp driven headless by Pilot (it renders every frame as in a terminal).
Also: how long a key takes to be handled while output streams in, and keypress-to-output
latency of `1+1`. Numbers are for comparing, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zmq
from jupyter_client.manager import AsyncKernelManager

from benchmarks.kernels import bare_stop, pct, python_choice, tnb_start
from tnb.notebook.model import Cell, Notebook
from tnb.session.runner import Runner
from tnb.ui.app import TnbApp


def _lines_ok(text: str, n: int) -> int:
    """How many of the expected lines 0..n-1 arrived."""
    got = set(text.split("\n"))
    return sum(1 for i in range(n) if str(i) in got)


async def bare_start() -> tuple[AsyncKernelManager, Any]:
    """jupyter_client as documented, plus an unlimited iopub HWM: with zmq's default (1000)
    a print loop loses messages, the idle status among them, and execute_interactive hangs."""
    import subprocess

    folder = tempfile.mkdtemp(prefix="bare-", dir=os.environ["JUPYTER_RUNTIME_DIR"])
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(folder, "k"))
    await km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.context.setsockopt(zmq.RCVHWM, 0)  # the default for sockets made from now on
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


async def bare(code: str, n: int) -> tuple[float, int]:
    km, kc = await bare_start()
    chunks: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            chunks.append(msg["content"]["text"])

    try:
        t0 = time.perf_counter()
        await kc.execute_interactive(code, output_hook=hook, timeout=300)
        return time.perf_counter() - t0, _lines_ok("".join(chunks), n)
    finally:
        await bare_stop(km, kc)


async def headless(code: str, n: int) -> tuple[float, int]:
    choice = await python_choice()
    _, kernel = await tnb_start(choice, "ipc")
    try:
        nb = Notebook(cells=[Cell.new("code", code)])
        t0 = time.perf_counter()
        await Runner(kernel, nb).run_all()
        elapsed = time.perf_counter() - t0
        text = "".join(o.text for o in nb.cells[0].outputs if o.output_type == "stream")
        return elapsed, _lines_ok(text, n)
    finally:
        await kernel.shutdown()


def _args() -> argparse.Namespace:
    return argparse.Namespace(
        kernel="python3", server=None, token=None, ca_bundle=None, existing=None,
        transport="ipc", env=[], pick=False,
    )  # fmt: skip


async def _wait(check: Any, limit: float = 600.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step hung")
        await asyncio.sleep(0.001)


async def ui(code: str, n: int) -> tuple[float, int, float, float]:
    """Elapsed, lines received, p50 and max key handling time (ms) while output streams."""
    nb = Notebook(cells=[Cell.new("code", code), Cell.new("code", "")])
    app = TnbApp(nb, kernel_args=_args(), start_kernel=True)
    async with app.run_test(size=(120, 40)):
        await _wait(lambda: app.kernels.status == "idle")
        runner = app.kernels.runner
        assert runner is not None
        screen = app.notebook_screen
        assert screen is not None
        t0 = time.perf_counter()
        app.simulate_key("ctrl+r")
        key_times: list[float] = []
        while runner.running is not None or runner.queued or not nb.cells[0].outputs:
            # A key while output streams in: how long until the cursor has moved.
            target = 1 - screen.view.cursor
            k0 = time.perf_counter()
            app.simulate_key("j" if target == 1 else "k")
            await _wait(lambda: screen.view.cursor == target)  # noqa: B023
            key_times.append(time.perf_counter() - k0)
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - t0
        text = "".join(o.text for o in nb.cells[0].outputs if o.output_type == "stream")
        received = _lines_ok(text, n)
    keys = sorted(key_times) or [0.0]
    return elapsed, received, pct(keys, 0.5) * 1000, keys[-1] * 1000


async def ui_latency(rounds: int) -> list[float]:
    """Key press to the output drawn in the view (the model has it and a frame was painted)."""
    nb = Notebook(cells=[Cell.new("code", "1+1")])
    app = TnbApp(nb, kernel_args=_args(), start_kernel=True)
    times: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await _wait(lambda: app.kernels.status == "idle")
        screen = app.notebook_screen
        assert screen is not None
        view = screen.view
        for i in range(rounds + 5):
            nb.cells[0].outputs.clear()
            view.refresh_cell(nb.cells[0])
            await pilot.pause()
            t0 = time.perf_counter()
            # As a terminal delivers it (Pilot.press adds its own ~80 ms of settling).
            app.simulate_key("ctrl+r")
            await _wait(lambda: bool(nb.cells[0].outputs))
            # The frame that shows it: the view renders the cell again before painting.
            await _wait(lambda: any("2" in view.render_line(y).text for y in range(3)))
            if i >= 5:
                times.append(time.perf_counter() - t0)
            await _wait(lambda: getattr(app.kernels.runner, "running", 0) is None)
    return times


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--prints", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    cases = [
        (f"{args.lines} printed lines", f"for i in range({args.lines}):\n    print(i)", args.lines),
        (
            f"{args.prints} flushed prints",
            f"for i in range({args.prints}):\n    print(i, flush=True)",
            args.prints,
        ),
    ]
    print(f"{'case':<24} {'bare s':>7} {'run s':>7} {'UI s':>7} {'UI/bare':>8} {'run/bare':>9}"
          f"  lines bare/run/UI   key p50/max ms")  # fmt: skip
    for label, code, n in cases:
        b, b_ok = await bare(code, n)
        h, h_ok = await headless(code, n)
        u, u_ok, k50, kmax = await ui(code, n)
        print(
            f"{label:<24} {b:>7.2f} {h:>7.2f} {u:>7.2f} {u / b:>8.2f} {h / b:>9.2f}"
            f"  {b_ok}/{h_ok}/{u_ok}   {k50:.1f}/{kmax:.1f}",
            flush=True,
        )
    latency = await ui_latency(args.rounds)
    print(
        f"UI keypress-to-output `1+1`: p50 {pct(latency, 0.5) * 1000:.1f} ms, "
        f"p95 {pct(latency, 0.95) * 1000:.1f} ms over {len(latency)} rounds"
    )
    print(f"peak RSS of this process: {_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
