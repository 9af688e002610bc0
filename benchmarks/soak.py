"""Soak: many rounds of open, edit, run, save and kernel restarts, raw and server, for leaks.

Run: `.venv/bin/python benchmarks/soak.py [--rounds N] [--lines N] [--restart-every K]`.
Each round reloads the notebook from disk, edits cells through the model's operations, runs
them with `Runner` (tnb.session.runner: printed lines, a display update, an error, a result),
checks every expected output arrived, saves atomically and re-reads the file to check it.
Every K rounds the kernel restarts. The server backend talks to a stock jupyter_server
(default iopub rate limit) on 127.0.0.1. Prints a table per backend: output lost, memory and
fd growth of this process; numbers are for comparing runs, not asserting.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

# Keep the user's Jupyter runtime dir clean: everything goes to a temporary one.
os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from benchmarks.ui_execution import _args
from tests.fixtures.jupyter_server import start_jupyter_server
from tnb.kernels.protocol import KernelBackend
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.kernels.server.provider import open_server_provider
from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.model import Cell, Notebook
from tnb.session.runner import RAISES_TAG, Runner
from tnb.ui.app import TnbApp

MB = 1024 * 1024
ME = psutil.Process()


@dataclass
class Soak:
    """What one backend's soak saw."""

    backend: str
    rounds: int = 0
    cells_run: int = 0
    lines_expected: int = 0
    lines_received: int = 0
    other_expected: int = 0  # display updates, errors, results
    other_received: int = 0
    bad_files: int = 0  # a re-read file that differed from what was saved
    restarts: int = 0
    rss: list[float] = field(default_factory=list)  # MB: start, after warm-up, end
    fds: list[int] = field(default_factory=list)
    peer_rss: list[float] = field(default_factory=list)  # the server process, MB
    fds_after_shutdown: int = -1  # back to the start count when nothing leaks
    digests: int = -1  # signatures kept by the raw backend's jupyter_client Session
    wall: float = 0.0
    problems: list[str] = field(default_factory=list)

    def sample(self, peer: psutil.Process | None) -> None:
        gc.collect()  # so growth means kept objects, not garbage waiting for a cycle
        self.rss.append(ME.memory_info().rss / MB)
        self.fds.append(ME.num_fds())
        if peer is not None:
            self.peer_rss.append(peer.memory_info().rss / MB)

    def count_digests(self, kernel: KernelBackend | None) -> None:
        session = getattr(kernel, "_session", None)
        if session is not None:
            self.digests = len(session.digest_history)

    def note(self, problem: str) -> None:
        if len(self.problems) < 5:  # the first few are enough to go and look
            self.problems.append(problem)


def seed_notebook(path: Path) -> None:
    """The starting file: a title and the four kinds of code cell each round runs."""
    nb = Notebook.new(path)
    nb.cells = [Cell.new("markdown", "# soak"), *(Cell.new("code") for _ in range(4))]
    nb.cells[3].metadata["tags"] = [RAISES_TAG]  # the error is expected: the run goes on
    save_notebook(nb)


def edit(nb: Notebook, n: int, lines: int) -> None:
    """This round's edits, through the model's own operations."""
    nb.set_source(0, f"# soak, round {n}")
    nb.set_source(1, f"for i in range({lines}):\n    print(f'r{n}-{{i}}')")
    nb.set_source(
        2,
        "from IPython.display import display\n"
        f"h = display('before-{n}', display_id=True)\n"
        f"h.update('after-{n}')",
    )
    nb.set_source(3, f"raise ValueError('soak {n}')")
    nb.set_source(4, f"x = globals().get('x', 0) + 1\n({n}, x)")
    # A scratch cell typed, moved, split, merged and deleted: the editing paths users take.
    scratch = nb.insert_cell(len(nb.cells), "code", f"a = {n}\nb = a * 2")
    index = nb.index_of(scratch.id)
    index = nb.move_cells([index], -1)[0]
    nb.split_cell(index, len(f"a = {n}\n"))
    nb.merge_cells([index, index + 1])
    nb.change_type(index, "markdown")
    nb.delete_cells([index])


def check_outputs(nb: Notebook, n: int, lines: int, soak: Soak) -> None:
    """Count what arrived against what the cells print."""
    stdout = "".join(
        o.text for o in nb.cells[1].outputs if o.output_type == "stream" and o.name == "stdout"
    ).splitlines()
    wanted = [f"r{n}-{i}" for i in range(lines)]
    soak.lines_expected += lines
    soak.lines_received += len(set(stdout) & set(wanted))
    if stdout != wanted:
        soak.note(f"round {n}: {len(stdout)}/{lines} lines, in order: {stdout == wanted}")

    checks = {
        "display update": any(
            o.data.get("text/plain") == f"'after-{n}'" for o in nb.cells[2].outputs
        ),
        "error": any(
            o.output_type == "error" and o.ename == "ValueError" for o in nb.cells[3].outputs
        ),
        "result": any(
            o.output_type == "execute_result"
            and str(o.data.get("text/plain", "")).startswith(f"({n},")
            for o in nb.cells[4].outputs
        ),
    }
    soak.other_expected += len(checks)
    soak.other_received += sum(checks.values())
    for what, ok in checks.items():
        if not ok:
            soak.note(f"round {n}: {what} missing")


def check_file(nb: Notebook, path: Path, n: int, soak: Soak) -> None:
    """The saved file reads back to the same sources and outputs."""
    back = load_notebook(path, missing_ok=False)
    same = [c.source for c in back.cells] == [c.source for c in nb.cells] and [
        [(o.output_type, o.text, o.data) for o in c.outputs] for c in back.cells
    ] == [[(o.output_type, o.text, o.data) for o in c.outputs] for c in nb.cells]
    if not same:
        soak.bad_files += 1
        soak.note(f"round {n}: the re-read file differs from the saved notebook")


async def soak_backend(
    name: str,
    start: Callable[[], Awaitable[KernelBackend]],
    rounds: int,
    lines: int,
    restart_every: int,
    peer: psutil.Process | None = None,
) -> Soak:
    """``rounds`` rounds on one kernel from ``start``; the kernel is shut down at the end."""
    soak = Soak(name)
    folder = Path(tempfile.mkdtemp(prefix=f"tnb-soak-{name}-"))
    path = folder / "soak.ipynb"
    seed_notebook(path)
    warm_up = max(1, rounds // 10)
    soak.sample(peer)
    t0 = time.perf_counter()
    kernel = await start()
    try:
        for n in range(rounds):
            nb = load_notebook(path, missing_ok=False)  # "open"
            edit(nb, n, lines)
            runner = Runner(kernel, nb, record_timing=False)
            result = await runner.run_all()
            soak.cells_run += len(result.results)
            if result.failure is not None:
                soak.note(f"round {n}: run stopped at a {result.failure.status} cell")
            check_outputs(nb, n, lines, soak)
            save_notebook(nb)
            check_file(nb, path, n, soak)
            soak.rounds += 1
            if (n + 1) % restart_every == 0 and n + 1 < rounds:
                await kernel.restart()
                soak.restarts += 1
            if n + 1 == warm_up:
                soak.sample(peer)
        soak.sample(peer)  # the end, kernel still up: comparable with after warm-up
        # jupyter_client's Session remembers every signature it has seen (up to 2**16, then
        # culls): a bounded cost that shows as RSS growth on the raw backend.
        soak.count_digests(kernel)
    finally:
        await kernel.shutdown()
    soak.wall = time.perf_counter() - t0
    gc.collect()
    soak.fds_after_shutdown = ME.num_fds()
    shutil.rmtree(folder)
    return soak


async def raw_soak(rounds: int, lines: int, restart_every: int) -> Soak:
    provider = LocalProvider()
    choice = select_choice(await provider.list_choices(), wanted="python3")
    return await soak_backend("raw", lambda: provider.start(choice), rounds, lines, restart_every)


async def server_soak(rounds: int, lines: int, restart_every: int) -> Soak:
    server = start_jupyter_server(
        Path(tempfile.mkdtemp(prefix="tnb-soak-server-")), rate_limit=True
    )  # a stock server: default iopub rate limit and high-water marks
    try:
        provider = await open_server_provider(server.url, token=server.token)
        choice = next(c for c in await provider.list_choices() if c.name == "python3")
        try:
            return await soak_backend(
                "server",
                lambda: provider.start(choice),
                rounds,
                lines,
                restart_every,
                peer=psutil.Process(server.pid),
            )
        finally:
            await provider.close()
    finally:
        server.stop()


async def _wait(check: Callable[[], bool], limit: float) -> bool:
    """Poll ``check`` until true; False after ``limit`` seconds (a hang guard, not a timing)."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def ui_finished(app: TnbApp, cell: Cell, marker: str) -> bool:
    """The app's runner is idle and ``cell`` shows this round's output."""
    runner = app.kernels.runner
    return (
        runner is not None
        and runner.running is None
        and not runner.queued
        and any(marker in o.text for o in cell.outputs)
    )


async def ui_soak(rounds: int, lines: int, restart_every: int) -> Soak:
    """The real TnbApp headless (Pilot): edit, ctrl+r, ctrl+s, restart; raw kernel."""
    soak = Soak("ui (raw)")
    folder = Path(tempfile.mkdtemp(prefix="tnb-soak-ui-"))
    path = folder / "soak.ipynb"
    seed_notebook(path)
    warm_up = max(1, rounds // 10)
    soak.sample(None)
    t0 = time.perf_counter()
    nb = load_notebook(path, missing_ok=False)
    app = TnbApp(nb, kernel_args=_args(), start_kernel=True)
    async with app.run_test(size=(100, 40)) as pilot:
        if not await _wait(lambda: app.kernels.status == "idle", 120):
            soak.note("the kernel never became idle")
            return soak
        screen = app.notebook_screen
        assert screen is not None
        view = screen.view
        for n in range(rounds):
            cell = nb.cells[1]
            nb.set_source(1, f"for i in range({lines}):\n    print(f'u{n}-{{i}}')")
            view.refresh_cell(cell)
            while view.cursor != 1:  # the cursor moves as a user's keys would move it
                app.simulate_key("j" if view.cursor < 1 else "k")
                await pilot.pause()
            app.simulate_key("ctrl+r")
            done = await _wait(partial(ui_finished, app, cell, f"u{n}-"), 60)
            soak.cells_run += 1
            got = "".join(o.text for o in cell.outputs if o.output_type == "stream").splitlines()
            wanted = [f"u{n}-{i}" for i in range(lines)]
            soak.lines_expected += lines
            soak.lines_received += len(set(got) & set(wanted))
            if not done or got != wanted:
                soak.note(f"round {n}: {len(got)}/{lines} lines (finished: {done})")
            app.simulate_key("ctrl+s")
            if not await _wait(lambda: not nb.dirty, 30):
                soak.note(f"round {n}: ctrl+s did not save")
            check_file(nb, path, n, soak)
            soak.rounds += 1
            if (n + 1) % restart_every == 0 and n + 1 < rounds:
                await app._restart()
                soak.restarts += 1
            if n + 1 == warm_up:
                soak.sample(None)
        soak.sample(None)
        soak.count_digests(app.kernels.backend)
    soak.wall = time.perf_counter() - t0
    gc.collect()
    soak.fds_after_shutdown = ME.num_fds()
    shutil.rmtree(folder)
    return soak


def report(soaks: list[Soak]) -> None:
    rows: list[tuple[str, list[str]]] = [
        ("rounds", [str(s.rounds) for s in soaks]),
        ("cells run", [str(s.cells_run) for s in soaks]),
        ("kernel restarts", [str(s.restarts) for s in soaks]),
        ("lines expected", [str(s.lines_expected) for s in soaks]),
        ("lines received", [str(s.lines_received) for s in soaks]),
        ("lines lost", [str(s.lines_expected - s.lines_received) for s in soaks]),
        ("display/error/result lost", [str(s.other_expected - s.other_received) for s in soaks]),
        ("bad re-read files", [str(s.bad_files) for s in soaks]),
        ("RSS start MB", [f"{s.rss[0]:.1f}" for s in soaks]),
        ("RSS after warm-up MB", [f"{s.rss[1]:.1f}" for s in soaks]),
        ("RSS end MB", [f"{s.rss[-1]:.1f}" for s in soaks]),
        ("RSS growth after warm-up MB", [f"{s.rss[-1] - s.rss[1]:+.2f}" for s in soaks]),
        ("  per 100 rounds MB", [f"{per_100(s, s.rss):+.2f}" for s in soaks]),
        ("open fds warm-up/end", [f"{s.fds[1]}/{s.fds[-1]}" for s in soaks]),
        ("open fds start/after shutdown", [f"{s.fds[0]}/{s.fds_after_shutdown}" for s in soaks]),
        ("server RSS warm/end MB", [peer(s) for s in soaks]),
        ("Session digests kept", [str(s.digests) if s.digests >= 0 else "-" for s in soaks]),
        ("wall s", [f"{s.wall:.1f}" for s in soaks]),
        ("ms per round", [f"{1000 * s.wall / max(1, s.rounds):.0f}" for s in soaks]),
    ]
    print(f"{'':30}" + "".join(f"{s.backend:>16}" for s in soaks))
    for label, values in rows:
        print(f"{label:30}" + "".join(f"{v:>16}" for v in values))
    for s in soaks:
        for problem in s.problems:
            print(f"{s.backend}: {problem}")


def per_100(s: Soak, series: list[float]) -> float:
    """Growth after warm-up, per 100 rounds of the measured part."""
    measured = s.rounds - max(1, s.rounds // 10)
    return (series[-1] - series[1]) * 100 / max(1, measured)


def peer(s: Soak) -> str:
    return f"{s.peer_rss[1]:.0f}/{s.peer_rss[-1]:.0f}" if s.peer_rss else "-"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=700, help="rounds per backend")
    parser.add_argument("--lines", type=int, default=200, help="lines printed per round")
    parser.add_argument("--restart-every", type=int, default=50, help="rounds between restarts")
    parser.add_argument("--ui-rounds", type=int, default=150, help="rounds in the app, 0: none")
    parser.add_argument("--backend", choices=("raw", "server", "both"), default="both")
    args = parser.parse_args()
    soaks: list[Soak] = []
    if args.backend in ("raw", "both"):
        soaks.append(await raw_soak(args.rounds, args.lines, args.restart_every))
    if args.backend in ("server", "both"):
        soaks.append(await server_soak(args.rounds, args.lines, args.restart_every))
    if args.ui_rounds > 0:
        soaks.append(await ui_soak(args.ui_rounds, args.lines, max(1, args.restart_every // 5)))
    report(soaks)


if __name__ == "__main__":
    asyncio.run(main())
