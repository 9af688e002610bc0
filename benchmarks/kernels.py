"""Raw kernels through tnb against bare jupyter_client, in one run: start-to-ready, 1+1, 100k lines.

Run: `.venv/bin/python benchmarks/kernels.py [--starts N] [--rounds N] [--lines N]`.
Prints a table of p50/p95 and tnb/bare ratios; the numbers are for comparing, not asserting.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

# Keep the user's Jupyter runtime dir clean: everything goes to a temporary one.
os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyter_client.manager import AsyncKernelManager

from tnb.kernels.events import ExecuteReply, KernelEvent
from tnb.kernels.protocol import KernelBackend, KernelChoice
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.notebook.model import Cell, Notebook
from tnb.session.runner import Runner

Transport = Literal["ipc", "tcp"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ms(values: list[float]) -> tuple[float, float]:
    return pct(values, 0.5) * 1000, pct(values, 0.95) * 1000


async def python_choice() -> KernelChoice:
    return select_choice(await LocalProvider().list_choices(), wanted="python3")


async def tnb_start(choice: KernelChoice, transport: Transport) -> tuple[float, KernelBackend]:
    t0 = time.perf_counter()
    kernel = await LocalProvider(transport=transport).start(choice)
    return time.perf_counter() - t0, kernel


async def bare_start(transport: Transport) -> tuple[float, AsyncKernelManager, Any]:
    folder = tempfile.mkdtemp(prefix="bare-", dir=os.environ["JUPYTER_RUNTIME_DIR"])
    ip = os.path.join(folder, "k") if transport == "ipc" else "127.0.0.1"
    t0 = time.perf_counter()
    km = AsyncKernelManager(kernel_name="python3", transport=transport, ip=ip)
    await km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return time.perf_counter() - t0, km, kc


async def bare_stop(km: AsyncKernelManager, kc: Any) -> None:
    kc.stop_channels()
    await km.shutdown_kernel(now=False)


async def bench_start(choice: KernelChoice, transport: Transport, n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"tnb": [], "bare": []}
    for _ in range(n):  # interleaved so both see the same machine load
        elapsed, kernel = await tnb_start(choice, transport)
        times["tnb"].append(elapsed)
        await kernel.shutdown()
        elapsed, km, kc = await bare_start(transport)
        times["bare"].append(elapsed)
        await bare_stop(km, kc)
    return times


async def tnb_round_trip(kernel: KernelBackend) -> float:
    t0 = time.perf_counter()
    events: list[KernelEvent] = [event async for event in kernel.execute("1+1")]
    assert isinstance(events[-1], ExecuteReply)
    return time.perf_counter() - t0


async def bare_round_trip(kc: Any) -> float:
    t0 = time.perf_counter()
    await kc.execute_interactive("1+1", output_hook=lambda msg: None, timeout=60)
    return time.perf_counter() - t0


async def timed(fn: Callable[[], Awaitable[float]], rounds: int) -> list[float]:
    for _ in range(10):
        await fn()  # warm up
    return [await fn() for _ in range(rounds)]


async def bench_round_trip(
    choice: KernelChoice, transport: Transport, rounds: int
) -> dict[str, list[float]]:
    _, kernel = await tnb_start(choice, transport)
    _, km, kc = await bare_start(transport)
    try:
        times = {"tnb": [], "bare": []}  # type: dict[str, list[float]]
        for _ in range(4):  # alternate blocks
            times["tnb"] += await timed(lambda: tnb_round_trip(kernel), rounds // 4)
            times["bare"] += await timed(lambda: bare_round_trip(kc), rounds // 4)
        return times
    finally:
        await kernel.shutdown()
        await bare_stop(km, kc)


async def bench_lines(choice: KernelChoice, lines: int) -> dict[str, float]:
    code = f"for i in range({lines}):\n    print(i)"
    _, kernel = await tnb_start(choice, "ipc")
    _, km, kc = await bare_start("ipc")
    try:
        nb = Notebook(cells=[Cell.new("code", code)])
        t0 = time.perf_counter()
        await Runner(kernel, nb).run_all()
        tnb_time = time.perf_counter() - t0
        text = "".join(o.text for o in nb.cells[0].outputs if o.output_type == "stream")
        tnb_ok = text.splitlines() == [str(i) for i in range(lines)]

        chunks: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                chunks.append(msg["content"]["text"])

        t0 = time.perf_counter()
        await kc.execute_interactive(code, output_hook=hook, timeout=600)
        bare_time = time.perf_counter() - t0
        bare_ok = "".join(chunks).splitlines() == [str(i) for i in range(lines)]
    finally:
        await kernel.shutdown()
        await bare_stop(km, kc)
    return {"tnb": tnb_time, "bare": bare_time, "tnb_ok": tnb_ok, "bare_ok": bare_ok}


def row(label: str, times: dict[str, list[float]]) -> str:
    t50, t95 = ms(times["tnb"])
    b50, b95 = ms(times["bare"])
    return (
        f"{label:<28} {t50:>9.1f} {t95:>9.1f} {b50:>9.1f} {b95:>9.1f} "
        f"{t50 / b50:>7.2f} {t95 / b95:>7.2f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    choice = await python_choice()
    print(
        f"{'':<28} {'tnb p50':>9} {'tnb p95':>9} {'bare p50':>9} {'bare p95':>9} "
        f"{'p50 x':>7} {'p95 x':>7}   (ms)"
    )
    transports: tuple[Transport, ...] = ("ipc", "tcp")
    for transport in transports:
        starts = await bench_start(choice, transport, args.starts)
        print(row(f"start-to-ready ({transport})", starts), flush=True)
    for transport in transports:
        trips = await bench_round_trip(choice, transport, args.rounds)
        print(row(f"1+1 round trip ({transport})", trips), flush=True)
    lines = await bench_lines(choice, args.lines)
    print(
        f"{args.lines} printed lines: tnb runner {lines['tnb']:.2f} s "
        f"(complete: {lines['tnb_ok']}), bare execute_interactive {lines['bare']:.2f} s "
        f"(complete: {lines['bare_ok']}), ratio {lines['tnb'] / lines['bare']:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
