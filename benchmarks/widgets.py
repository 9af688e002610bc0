"""A tqdm.auto loop in the kernel: its own time with tnb drawing the bar vs with a bare client.

Run: `.venv/bin/python benchmarks/widgets.py [--iterations 100000 1000000] [--rounds 3]`.
The kernel times its loop itself (perf_counter around it), so only what the front end costs
the kernel counts: with a bare jupyter_client that only waits for the reply (nobody draws the
widgets), and with the real TnbApp headless (Pilot) keeping the widget models in sync and
drawing the bar. Medians of ``--rounds``; ratios only compare within this run. Never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.kernels import bare_stop
from benchmarks.ui_execution import _args, _wait, bare_start
from tnb.notebook.model import Cell, Notebook
from tnb.session.widgets import VIEW_MIME
from tnb.ui.app import TnbApp

CPU: list[float] = []  # tnb's own CPU seconds during each UI run
LOOP = re.compile(r"LOOP (\d+\.\d+)")


def code(n: int) -> str:
    return (
        "import time\nfrom tqdm.auto import tqdm\nt0 = time.perf_counter()\n"
        f"for i in tqdm(range({n})):\n    pass\n"
        "print(f'LOOP {time.perf_counter() - t0:.6f}')"
    )


async def _loop_time_bare(kc: object, n: int) -> float:
    texts: list[str] = []

    def hook(msg: dict[str, object]) -> None:
        content = msg.get("content")
        if isinstance(content, dict) and "text" in content:
            texts.append(str(content["text"]))

    await kc.execute_interactive(code(n), timeout=600, output_hook=hook)  # type: ignore[attr-defined]
    found = LOOP.search("".join(texts))
    assert found, texts
    return float(found.group(1))


async def ui(n: int) -> float:
    nb = Notebook(cells=[Cell.new("code", code(n))])
    app = TnbApp(nb, kernel_args=_args(), start_kernel=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(lambda: app.kernels.status == "idle")
        cell = nb.cells[0]
        screen = app.notebook_screen
        assert screen is not None
        cpu = time.process_time()
        screen.action_run()
        # Polled slowly: a tight poll here would take CPU from the kernel the bare client
        # leaves alone (two cores), and the benchmark would measure itself.
        while not any("LOOP" in (o.text or "") for o in cell.outputs):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        CPU.append(time.process_time() - cpu)
        await pilot.pause()
        assert any(VIEW_MIME in o.data for o in cell.outputs), "no widget drawn"
        text = "".join(o.text for o in cell.outputs)
        found = LOOP.search(text)
        assert found, text
        return float(found.group(1))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'iterations':>10} {'bare loop s':>12} {'tnb loop s':>11} {'tnb/bare':>9}"
        f" {'tnb CPU s':>10}"
    )
    for n in args.iterations:
        b = statistics.median([await bare_once(n) for _ in range(args.rounds)])
        CPU.clear()
        t = statistics.median([await ui(n) for _ in range(args.rounds)])
        cpu = statistics.median(CPU)
        print(f"{n:>10} {b:>12.3f} {t:>11.3f} {t / b:>9.2f} {cpu:>10.3f}", flush=True)


async def bare_once(n: int) -> float:
    km, kc = await bare_start()
    try:
        return await _loop_time_bare(kc, n)
    finally:
        await bare_stop(km, kc)


if __name__ == "__main__":
    asyncio.run(main())
