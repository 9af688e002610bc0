"""Run all in a real terminal: tnb against euporie-notebook, and the bare client's floor.

Run: `.venv/bin/python benchmarks/euporie.py [--cells 100 1000] [--rounds 3] [--euporie PATH]`.
The notebook's first cell writes the kernel's clock to a file and its last cell does too, so the
kernel-side span (first cell start to last cell end) is measured the same way for everyone:
- bare: jupyter_client sends every execute request at once (the floor);
- tnb: the installed `tnb` in tmux, the last cell selected, "Run all cells" from the palette;
  also the moment the last cell's output is on screen;
- euporie: `euporie-notebook --run` in tmux (it runs every cell on load), when it is installed
  (`--euporie`, or `euporie-notebook` on PATH); it does not follow the run, so its last output
  is never on screen by itself and only its span is reported.
Medians of ``--rounds``; ratios within this run only. Never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ui_execution import bare_start

DONE = "ALL" + "DONE"


def sources(n: int, folder: Path) -> list[str]:
    first = f"import time\nopen({str(folder / 't0')!r}, 'w').write(repr(time.time()))"
    last = (
        f"import time\nopen({str(folder / 'tend')!r}, 'w').write(repr(time.time()))\n"
        "print('ALL' + 'DONE')"
    )
    return [first, *(f"{i} * 2" for i in range(1, n - 1)), last]


def write_notebook(n: int, folder: Path) -> Path:
    from tnb.notebook.io import save_notebook
    from tnb.notebook.model import Cell, Notebook

    nb = Notebook(cells=[Cell.new("code", source) for source in sources(n, folder)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "run_all.ipynb"
    save_notebook(nb, path)
    return path


def span(folder: Path) -> float:
    return float((folder / "tend").read_text()) - float((folder / "t0").read_text())


def wait_file(path: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never written")
        time.sleep(0.005)


async def bare(n: int, folder: Path) -> float:
    from benchmarks.kernels import bare_stop

    km, kc = await bare_start()
    try:
        ids = [kc.execute(code) for code in sources(n, folder)]
        while True:
            reply = await kc.get_shell_msg(timeout=300)
            if reply["parent_header"].get("msg_id") == ids[-1]:
                break
        return span(folder)
    finally:
        await bare_stop(km, kc)


class Term:
    """One private tmux server running one command."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.socket = f"tnb-bench-{os.getpid()}-{time.monotonic_ns()}"
        self.tmux(
            "new-session", "-d", "-x", "120", "-y", "40", "-s", "b", "-c", str(cwd),
            " ".join(command),
        )  # fmt: skip

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "b", *(["-l"] if literal else []), *keys)

    def wait(self, text: str, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while text not in self.screen():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} never on screen:\n{self.screen()}")
            time.sleep(0.01)
        return time.time()

    def close(self) -> None:
        self.tmux("kill-server")


def tnb(n: int, folder: Path) -> tuple[float, float]:
    term = Term([str(Path(sys.executable).with_name("tnb")), str(folder / "run_all.ipynb")], folder)
    try:
        term.wait("raw · idle")
        term.keys("G")  # the last cell selected: the view keeps it on screen as cells grow
        term.wait(f"cell {n}/{n}")
        term.keys("C-p")
        term.wait("Search")
        term.keys("Run all cells", literal=True)
        term.wait("Run all cells")
        term.keys("Enter")
        shown = term.wait(DONE, timeout=300)
        wait_file(folder / "tend")
        return span(folder), shown - float((folder / "t0").read_text())
    finally:
        term.close()


def euporie(n: int, folder: Path, program: str) -> float:
    notebook = str(folder / "run_all.ipynb")
    term = Term([program, "--run", notebook, "--kernel-name", "python3"], folder)
    try:
        wait_file(folder / "tend")
        return span(folder)
    finally:
        term.close()


def fresh(n: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tnb-bench-eup-"))
    write_notebook(n, folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--euporie", default=shutil.which("euporie-notebook"))
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: nothing to measure")
        return
    if args.euporie is None:
        print("euporie-notebook is not installed (--euporie PATH): tnb and the floor only")
    print(
        f"{'cells':>6} {'bare span':>10} {'tnb span':>9} {'tnb shown':>10} {'euporie span':>13}"
        f" {'tnb/bare':>9} {'tnb/euporie':>12}"
    )
    for n in args.cells:
        b = statistics.median(asyncio.run(bare(n, fresh(n))) for _ in range(args.rounds))
        runs = [tnb(n, fresh(n)) for _ in range(args.rounds)]
        t_span = statistics.median(r[0] for r in runs)
        t_shown = statistics.median(r[1] for r in runs)
        e = (
            statistics.median(euporie(n, fresh(n), args.euporie) for _ in range(args.rounds))
            if args.euporie
            else float("nan")
        )
        print(
            f"{n:>6} {b:>10.2f} {t_span:>9.2f} {t_shown:>10.2f} {e:>13.2f}"
            f" {t_span / b:>9.2f} {t_span / e:>12.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
