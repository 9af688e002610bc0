"""Open a 1000-cell notebook: first paint, memory and key response, beside a bare Textual app."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.model import Cell, Notebook, Output
from tnb.ui.app import FIRST_PAINT_ENV, TnbApp

CELLS = 1000
RUNS = 5
KEYS = 150
SIZE = (120, 40)

# The bare app: a Static with the same text tnb shows on its first screen, timed the same way.
BARE_APP = """
import os, sys, time
from pathlib import Path
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static(Path(sys.argv[1]).read_text(encoding="utf-8"))
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        Path(os.environ["TNB_FIRST_PAINT_FILE"]).write_text(f"{time.time()}\\n")

Bare().run()
"""


def make_notebook(path: Path) -> Notebook:
    """Markdown every tenth cell; code cells with a stream and a result."""
    cells: list[Cell] = []
    for i in range(CELLS):
        if i % 10 == 0:
            cells.append(Cell.new("markdown", f"## Section {i // 10}\n\nSome *text* about it."))
            continue
        cell = Cell.new("code", f"import math\nvalue = math.sqrt({i})\nprint(value)\nvalue * 2")
        cell.execution_count = i
        cell.outputs = [
            Output("stream", name="stdout", text=f"{i**0.5}\n"),
            Output("execute_result", data={"text/plain": f"{2 * i**0.5}"}, execution_count=i),
        ]
        cells.append(cell)
    notebook = Notebook(cells=cells, metadata={"kernelspec": {"language": "python"}}, path=path)
    save_notebook(notebook)
    return notebook


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_first_paint(argv: list[str], folder: Path) -> tuple[float, float]:
    """Seconds from process start to first paint, and RSS (MB) one second later, in a pty."""
    marker = folder / "painted"
    marker.unlink(missing_ok=True)
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    env = os.environ | {FIRST_PAINT_ENV: str(marker), "TERM": "xterm-256color"}
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    start = time.time()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text().strip():
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{argv} never painted (exit code {process.poll()})")
            time.sleep(0.005)
        painted = float(marker.read_text())
        time.sleep(1.0)
        rss = _rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stop.set()
        reader.join()
        os.close(master)
    return painted - start, rss


class BareScroll(App[None]):
    """A bare Textual app scrolling the same text with `j`: Textual's own cost per key."""

    BINDINGS: ClassVar[list[BindingType]] = [("j", "down"), ("G", "end")]

    def __init__(self, text: str, step: int) -> None:
        super().__init__()
        self.text = text
        self.step = step

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text)

    def action_down(self) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=self.step, animate=False)

    def action_end(self) -> None:
        self.query_one(VerticalScroll).scroll_end(animate=False)


async def time_keys(app: App[Any]) -> tuple[float, float, float]:
    """CPU ms per `j`, wall ms per `j` (median), and wall ms for `G` (first -> last)."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        walls: list[float] = []
        cpu = time.process_time()
        for _ in range(KEYS):
            began = time.perf_counter()
            await pilot.press("j")
            walls.append(time.perf_counter() - began)
        cpu_per_key = (time.process_time() - cpu) / KEYS * 1000
        await pilot.press("g" if isinstance(app, TnbApp) else "home")
        began = time.perf_counter()
        await pilot.press("G")
        jump = (time.perf_counter() - began) * 1000
    return cpu_per_key, statistics.median(walls) * 1000, jump


async def time_direct(app: TnbApp) -> tuple[float, float]:
    """tnb's own work per key without Pilot: the action plus drawing the whole view (ms).

    Median over `j` presses from the first cell, and the single jump to the last cell.
    """
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.notebook_screen
        assert screen is not None
        view = screen.view
        region = view.size.region
        samples: list[float] = []
        for _ in range(KEYS):
            began = time.perf_counter()
            screen.action_cursor_down()
            view.render_lines(region)
            samples.append(time.perf_counter() - began)
            await pilot.pause()
        screen.action_first_cell()
        await pilot.pause()
        began = time.perf_counter()
        screen.action_last_cell()
        view.render_lines(region)
        jump = time.perf_counter() - began
    return statistics.median(samples) * 1000, jump * 1000


def first_screen_text(notebook: Notebook) -> str:
    lines: list[str] = []
    for cell in notebook.cells:
        lines += cell.source.splitlines() + [o.text or "" for o in cell.outputs] + [""]
        if len(lines) > SIZE[1]:
            break
    return "\n".join(lines[: SIZE[1]])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tnb-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "big.ipynb"
        notebook = make_notebook(path)
        size_mb = path.stat().st_size / 1e6
        text_file = folder / "first_screen.txt"
        text_file.write_text(first_screen_text(notebook), encoding="utf-8")
        bare_script = folder / "bare.py"
        bare_script.write_text(BARE_APP, encoding="utf-8")

        tnb_runs = [
            time_first_paint([sys.executable, "-m", "tnb", str(path)], folder) for _ in range(RUNS)
        ]
        bare_runs = [
            time_first_paint([sys.executable, str(bare_script), str(text_file)], folder)
            for _ in range(RUNS)
        ]
        tnb_paint = statistics.median(t for t, _ in tnb_runs)
        bare_paint = statistics.median(t for t, _ in bare_runs)
        tnb_rss = statistics.median(m for _, m in tnb_runs)
        bare_rss = statistics.median(m for _, m in bare_runs)

        big_text = "\n\n".join(
            cell.source + "\n" + "\n".join(o.text for o in cell.outputs) for cell in notebook.cells
        )
        tnb_keys = asyncio.run(time_keys(TnbApp(load_notebook(path))))
        bare_keys = asyncio.run(time_keys(BareScroll(big_text, 8)))
        direct_key, direct_jump = asyncio.run(time_direct(TnbApp(load_notebook(path))))

    tnb_cpu, tnb_wall, tnb_jump = tnb_keys
    bare_cpu, bare_wall, bare_jump = bare_keys
    report = [
        f"notebook: {CELLS} cells with outputs, {size_mb:.1f} MB, terminal {SIZE[0]}x{SIZE[1]}",
        f"first paint   tnb {tnb_paint:.3f} s, bare Textual {bare_paint:.3f} s, "
        f"ratio {tnb_paint / bare_paint:.2f} (median of {RUNS})",
        f"memory (RSS)  tnb {tnb_rss:.0f} MB, bare Textual {bare_rss:.0f} MB, "
        f"ratio {tnb_rss / bare_rss:.2f}",
        f"key j         CPU per key tnb {tnb_cpu:.1f} ms, bare {bare_cpu:.1f} ms, "
        f"ratio {tnb_cpu / bare_cpu:.2f}, tnb's own share {tnb_cpu - bare_cpu:.1f} ms "
        f"({KEYS} presses, Pilot's overhead in both)",
        f"key j         wall median tnb {tnb_wall:.1f} ms, bare {bare_wall:.1f} ms",
        f"first->last   G: tnb {tnb_jump:.0f} ms, bare scroll_end {bare_jump:.0f} ms (wall)",
        f"tnb alone     j: {direct_key:.2f} ms median, G: {direct_jump:.1f} ms "
        "(action + drawing the whole view, no Pilot)",
    ]
    print("\n".join(report))


if __name__ == "__main__":
    main()
