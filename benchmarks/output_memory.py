"""Memory for one huge output: tnb's peak RSS over its size, and a bare jupyter_client's.

Run: `.venv/bin/python benchmarks/output_memory.py [--mb 50 200]`.
Each size runs in a fresh process (peak RSS is per process): the real TnbApp headless (Pilot)
runs one cell that writes N MB to stdout in one message and draws it, on a raw kernel ("tnb")
and on a jupyter_server kernel ("server", the server is another process); the bare client only
receives the same message with jupyter_client. Reported: the growth of peak RSS over the
baseline before the run, as a multiple of the output's size. Never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.rss import current_mb, peak_mb


def code(mb: int) -> str:
    return f"import sys\nsys.stdout.write(('y' * 99 + '\\n') * {mb * 10_000})\nsys.stdout.flush()"


async def tnb(mb: int, *, server: bool = False) -> tuple[float, float]:
    from benchmarks.ui_execution import _args
    from tnb.notebook.model import Cell, Notebook
    from tnb.ui.app import TnbApp

    nb = Notebook(cells=[Cell.new("code", code(mb))])
    args = _args()
    if server:
        from tests.fixtures.jupyter_server import start_jupyter_server

        running = start_jupyter_server(Path(tempfile.mkdtemp(prefix="tnb-bench-mem-")))
        args.server, args.token = running.url, running.token
    try:
        return await _tnb_run(mb, nb, TnbApp(nb, kernel_args=args, start_kernel=True))
    finally:
        if server:
            running.stop()


async def _tnb_run(mb: int, nb: Any, app: Any) -> tuple[float, float]:
    from benchmarks.ui_execution import _wait

    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(lambda: app.kernels.status == "idle")
        await pilot.pause()
        base = current_mb()
        screen = app.notebook_screen
        assert screen is not None
        screen.action_run()
        cell = nb.cells[0]
        runner = app.kernels.runner
        assert runner is not None
        await _wait(lambda: bool(cell.outputs) and cell.execution_count is not None)
        await _wait(lambda: runner.running is None)
        await pilot.pause()
        assert sum(len(o.text) for o in cell.outputs) == mb * 1_000_000
        return base, peak_mb()


async def bare(mb: int) -> tuple[float, float]:
    from benchmarks.kernels import bare_stop
    from benchmarks.ui_execution import bare_start

    km, kc = await bare_start()
    try:
        base = current_mb()
        got: list[int] = []

        def hook(msg: dict[str, object]) -> None:
            content = msg.get("content")
            if isinstance(content, dict) and "text" in content:
                got.append(len(str(content["text"])))

        await kc.execute_interactive(code(mb), timeout=600, output_hook=hook)
        assert sum(got) == mb * 1_000_000
        return base, peak_mb()
    finally:
        await bare_stop(km, kc)


def child(kind: str, mb: int) -> None:
    job = bare(mb) if kind == "bare" else tnb(mb, server=kind == "server")
    base, peak = asyncio.run(job)
    print(f"{base:.1f} {peak:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, nargs="*", default=[50, 200])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    print(f"{'output MB':>9} {'client':>7} {'base MB':>8} {'peak MB':>8} {'growth/size':>12}")
    for mb in args.mb:
        for kind in ("bare", "tnb", "server"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(mb)],
                capture_output=True,
                text=True,
                check=True,
            )
            base, peak = (float(x) for x in done.stdout.split()[-2:])
            print(f"{mb:>9} {kind:>7} {base:>8.0f} {peak:>8.0f} {(peak - base) / mb:>12.2f}")


if __name__ == "__main__":
    main()
