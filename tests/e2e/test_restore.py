"""Recovery in a real terminal: killed tnb, "later", then a restore answered after half a minute."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.e2e.tmux import Tmux, start, wait_until, wait_until_gone
from tests.fixtures.kernelspecs import KernelSpecs
from tnb.notebook.recovery import RecoveryJournal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

MARKER = "kept-across-a-slow-answer"
# The user leaves the question open this long: six journal ticks (every 5 s) and more.
SLOW_ANSWER = 30.0


def _notebook(kernel: str) -> str:
    cell: dict[str, object] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "c0",
        "metadata": {},
        "outputs": [],
        "source": "print('first')",
    }
    meta = {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}}
    return json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


def test_restore_answered_late_and_later_then_reopen(
    tmux_factory: list[Tmux], tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    path = tmp_path / "slow.ipynb"
    path.write_text(_notebook(kernelspecs.python), encoding="utf-8")
    journal = RecoveryJournal.for_notebook(path).file

    # 1. Edit with a real kernel running, wait for the journal tick, then SIGKILL tnb.
    session = start(tmux_factory, str(path), cwd=tmp_path)
    session.wait_for("idle", timeout=120)
    tnb = psutil.Process(session.pane_pid())
    kernels = [p for p in tnb.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels
    session.keys("b", "Enter")
    session.wait_for("EDIT")
    session.keys(MARKER, literal=True)
    session.wait_for(MARKER)
    session.keys("Escape")
    wait_until(lambda: journal.exists() and MARKER in journal.read_text(), "the journal tick")
    tnb.send_signal(signal.SIGKILL)
    wait_until_gone(session)
    wait_until(
        lambda: not any(k.is_running() and k.status() != "zombie" for k in kernels), "reaping"
    )

    # 2. Reopen and answer "later": the journal stays for the next open.
    later = start(tmux_factory, str(path), cwd=tmp_path)
    later.wait_for("Restore them?", timeout=120)
    later.keys("l")
    later.wait_for("kept for next time")
    later.keys("q")
    wait_until_gone(later)
    assert journal.exists() and MARKER in journal.read_text()
    assert MARKER not in path.read_text()

    # 3. Reopen: the question stays open for half a minute while tnb (and its journal timer)
    # runs; the journal must survive it, and Restore bring the edits back.
    slow = start(tmux_factory, str(path), cwd=tmp_path)
    slow.wait_for("Restore them?", timeout=120)
    asked = time.monotonic()
    while time.monotonic() - asked < SLOW_ANSWER:
        assert journal.exists(), f"the journal went after {time.monotonic() - asked:.0f} s"
        assert "Restore them?" in slow.screen()
        time.sleep(1.0)  # the user thinking: this is the scenario, not a wait for something
    slow.keys("r")
    slow.wait_for(MARKER, "modified")
    slow.keys("C-s")
    # The file, not the status note: a kernel status change may redraw the bar first.
    wait_until(lambda: MARKER in path.read_text(), "the save")
    wait_until(lambda: not journal.exists(), "the journal's removal once saved")
    slow.keys("q")
    wait_until_gone(slow)
