"""No tnb outlives its terminal: tmux killed under CPU load, whatever tnb was doing.

A handful of trials; benchmarks/terminal_vanish.py runs many and reports the exit times.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import Tmux
from tests.e2e.vanish import How, State, cpu_load, run_trial
from tests.fixtures.kernelspecs import KernelSpecs

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture(scope="module")
def loaded() -> Iterator[list[int]]:
    """Two busy loops for the whole module: the hang showed only on a loaded machine."""
    with cpu_load(2) as pids:
        yield pids


@pytest.mark.parametrize(
    ("state", "how"),
    [
        ("streaming", "kill-session"),
        ("streaming", "kill-server"),
        ("idle", "kill-server"),
        ("startup", "kill-session"),
        ("dialog", "kill-session"),
        ("palette", "kill-server"),
        ("run", "kill-session"),
    ],
)
def test_tnb_its_watchdog_and_kernels_go_with_the_terminal(
    loaded: list[int],
    kernelspecs: KernelSpecs,
    tmux_factory: list[Tmux],
    tmp_path: Path,
    state: State,
    how: How,
) -> None:
    trial = run_trial(state, how, tmp_path / "trial", kernelspecs.python, tmux_factory)
    assert trial.tnb_gone is not None, f"tnb still ran after the terminal went: {trial}"
    assert trial.all_gone is not None and not trial.leftovers, trial
    if state not in ("startup", "run"):
        assert trial.journal, "the edit made before the terminal went is not in the journal"
