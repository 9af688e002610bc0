"""Terminal-vanish trials: tnb in tmux, the terminal killed mid-way, what is left and how fast.

Shared by tests/e2e/test_vanish.py (a handful of trials) and benchmarks/terminal_vanish.py
(as many as asked, with figures).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import psutil

from tests.e2e.tmux import Tmux, start
from tnb.notebook.recovery import RecoveryJournal

State = Literal["idle", "streaming", "startup", "dialog", "palette", "run"]
How = Literal["kill-session", "kill-server"]
STATES: tuple[State, ...] = ("idle", "streaming", "startup", "dialog", "palette", "run")
HOWS: tuple[How, ...] = ("kill-session", "kill-server")

MARKER = "typed-before-the-terminal-went"
# Only guards against a hang: a trial that is not over by then counts its leftovers.
GONE_WITHIN = 15.0

_STREAM = (
    "import time\nfor i in range(10**9):\n    print('line', i, flush=True)\n    time.sleep(0.001)"
)


def notebook_json(kernel: str) -> str:
    """One cell that prints forever, in a notebook that names ``kernel``."""
    cell: dict[str, object] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "stream",
        "metadata": {},
        "outputs": [],
        "source": _STREAM,
    }
    meta = {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}}
    return json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


@dataclass
class Trial:
    """What one trial saw. Times are seconds from the kill to the process being gone."""

    state: State
    how: How
    tnb_gone: float | None = None  # None: still running after GONE_WITHIN
    all_gone: float | None = None  # tnb, its watchdog and its kernels
    leftovers: list[str] = field(default_factory=list)
    journal: bool | None = None  # the edit reached the journal (None: no edit in this state)

    @property
    def ok(self) -> bool:
        """Everything gone, and the journal written where there was an edit."""
        return self.all_gone is not None and not self.leftovers and self.journal is not False


@contextmanager
def cpu_load(loops: int = 2) -> Iterator[list[int]]:
    """``loops`` busy Python processes for the duration (their pids); stopped by pid after."""
    busy = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(loops)]
    try:
        yield [p.pid for p in busy]
    finally:
        for process in busy:
            process.kill()
            process.wait()


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _ours(runtime: Path, folder: Path) -> list[psutil.Process]:
    """Processes of this trial: started in its folder (tnb, kernels) or its watchdog."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        try:
            cwd = process.info["cwd"] or ""
            cmdline = process.info["cmdline"] or []
        except psutil.Error:
            continue
        mine = cwd == str(folder) or any(str(runtime) in arg for arg in cmdline)
        if mine and not _gone(process):
            found.append(process)
    return found


def _prepare(session: Tmux, state: State) -> None:
    """Drive tnb to ``state``: an edit (journalled on the way out), then what the state names."""
    if state == "startup":
        return
    session.wait_for("idle", timeout=120)  # the kernel is ready
    session.keys("b")
    session.wait_for("cell 2/2")
    session.keys("Enter")
    session.wait_for("EDIT")
    session.keys(MARKER, literal=True)
    session.wait_for(MARKER)
    session.keys("Escape")
    session.wait_for("COMMAND")
    if state == "streaming":
        session.keys("k")
        session.wait_for("cell 1/2")
        session.keys("C-r")
        session.wait_for("busy", "line 3", timeout=60)
    elif state == "dialog":
        session.keys("q")
        session.wait_for("unsaved changes")
    elif state == "palette":
        session.keys("C-p")
        session.wait_for("Search")


def run_trial(
    state: State,
    how: How,
    folder: Path,
    kernel: str,
    sessions: list[Tmux] | None = None,
    env: dict[str, str] | None = None,
) -> Trial:
    """One trial in a fresh ``folder`` (``env`` added to tnb's); leftovers reported, then killed."""
    folder.mkdir(parents=True, exist_ok=True)
    runtime = Path(tempfile.mkdtemp(prefix="rt-", dir=folder.parent))
    path = folder / "vanish.ipynb"
    path.write_text(notebook_json(kernel), encoding="utf-8")
    args = ["run", str(path)] if state == "run" else [str(path)]
    session = start(
        sessions if sessions is not None else [],
        *args,
        cwd=folder,
        env={"JUPYTER_RUNTIME_DIR": str(runtime)} | (env or {}),
    )
    trial = Trial(state, how)
    try:
        tnb = psutil.Process(session.pane_pid())
        if state == "run":
            # tnb run draws nothing: it is streaming once its kernel runs (a child in the folder).
            deadline = time.monotonic() + 120
            while len(_ours(runtime, folder)) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            _prepare(session, state)
        start_time = time.monotonic()
        if how == "kill-server":
            session.kill()
        else:
            session.kill_session()
        deadline = start_time + GONE_WITHIN
        while time.monotonic() < deadline:
            now = time.monotonic() - start_time
            if trial.tnb_gone is None and _gone(tnb):
                trial.tnb_gone = now
            if trial.tnb_gone is not None and not _ours(runtime, folder):
                trial.all_gone = now
                break
            time.sleep(0.02)
    finally:
        session.kill()
        for process in _ours(runtime, folder):
            trial.leftovers.append(" ".join(process.cmdline())[:120])
            process.kill()
    if state not in ("startup", "run"):
        journal = RecoveryJournal.for_notebook(path).file
        trial.journal = journal.exists() and MARKER in journal.read_text(encoding="utf-8")
    return trial
