"""Terminal-vanish trials under CPU load: how fast tnb, its watchdog and kernels go, what is left.

Run: `.venv/bin/python benchmarks/terminal_vanish.py [--rounds N] [--busy N] [--source DIR]`.
Each round runs every state (idle, streaming output, start-up, a dialog open, the palette open,
`tnb run` streaming) with each way of killing the terminal (tmux kill-session, kill-server),
while N busy loops load the CPU. `--source DIR` runs the tnb found in DIR instead (e.g. an
export of an older commit: `git archive main | tar -x -C DIR`), to compare before and after.
Times are seconds from the kill until the process is gone; they are figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(tempfile.mkdtemp(prefix="tnb-vanish-"))
# Nothing of the user's: kernels, runtime files and journals go to a temporary folder.
for _var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
    os.environ[_var] = str(HOME / _var.lower())
    Path(os.environ[_var]).mkdir()
os.environ["TNB_STATE_DIR"] = str(HOME / "state")
os.environ["IPYTHONDIR"] = str(HOME / "ipython")
sys.path.insert(0, str(ROOT))

from tests.e2e.vanish import HOWS, STATES, Trial, cpu_load, run_trial  # noqa: E402


def seconds(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} / {max(values):.2f}"


def report(trials: list[Trial]) -> None:
    print(f"{'state':10} {'kill':13} {'n':>3} {'tnb p50 / max':>15} {'all p50 / max':>15} "
          f"{'hung':>4} {'left':>4} {'journal':>7}")  # fmt: skip
    groups = [(s, h) for s in STATES for h in HOWS] + [("all", "all")]
    for state, how in groups:
        group = [t for t in trials if state in ("all", t.state) and how in ("all", t.how)]
        if not group:
            continue
        tnb = [t.tnb_gone for t in group if t.tnb_gone is not None]
        everything = [t.all_gone for t in group if t.all_gone is not None]
        hung = sum(t.tnb_gone is None for t in group)
        left = sum(len(t.leftovers) for t in group)
        edits = [t for t in group if t.journal is not None]
        journal = f"{sum(bool(t.journal) for t in edits)}/{len(edits)}" if edits else "-"
        print(f"{state:10} {how:13} {len(group):3} {seconds(tnb):>15} {seconds(everything):>15} "
              f"{hung:4} {left:4} {journal:>7}")  # fmt: skip
    for trial in trials:
        for leftover in trial.leftovers:
            print(f"left after {trial.state}/{trial.how}: {leftover}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every state x kill")
    parser.add_argument("--busy", type=int, default=2, help="busy loops loading the CPU")
    parser.add_argument("--source", type=Path, help="run the tnb package found in this folder")
    parser.add_argument("--kernel", default="python3", help="kernelspec of the notebooks")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("skipped: tmux is not installed (see .ci/tmux-check)", file=sys.stderr)
        return 0
    env = {"PYTHONPATH": str(args.source.resolve())} if args.source else None
    trials: list[Trial] = []
    number = 0
    with cpu_load(args.busy):
        for _ in range(args.rounds):
            for state in STATES:
                for how in HOWS:
                    number += 1
                    trial = run_trial(state, how, HOME / f"t{number}", args.kernel, env=env)
                    print(f"{number:3} {state:10} {how:13} tnb {trial.tnb_gone} all "
                          f"{trial.all_gone} left {len(trial.leftovers)} journal {trial.journal}",
                          flush=True)  # fmt: skip
                    trials.append(trial)
    print(f"\n{number} trials, {args.busy} busy loops, {os.cpu_count()} CPUs; "
          "seconds from the kill to gone (tnb alone, then tnb + watchdog + kernels)\n")  # fmt: skip
    report(trials)
    shutil.rmtree(HOME, ignore_errors=True)
    return 0 if all(t.ok for t in trials) else 1


if __name__ == "__main__":
    sys.exit(main())
