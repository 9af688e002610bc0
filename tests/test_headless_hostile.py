"""`tnb run` and `tnb kernels` print a hostile kernel's text and kernelspec names as text only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.hostile import ALL, FORBIDDEN_BYTES
from tests.fixtures.kernelspecs import KernelSpecs
from tnb.headless import _plain
from tnb.notebook.io import dumps_notebook
from tnb.notebook.model import Cell, Notebook


def _leaked(text: str) -> list[bytes]:
    written = text.encode()
    return [sequence for sequence in FORBIDDEN_BYTES if sequence in written]


def test_run_prints_a_hostile_traceback_as_text(tmp_path: Path, kernelspecs: KernelSpecs) -> None:
    (tmp_path / "hostile.txt").write_text(ALL, encoding="utf-8")
    source = "raise ValueError(open('hostile.txt', encoding='utf-8').read() + 'RUN-ERR')"
    spec = {"name": kernelspecs.python, "display_name": "p", "language": "python"}
    path = tmp_path / "n.ipynb"
    path.write_text(
        dumps_notebook(Notebook(cells=[Cell.new("code", source)], metadata={"kernelspec": spec}))
    )
    done = subprocess.run(
        [sys.executable, "-m", "tnb", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1
    assert "RUN-ERR" in done.stderr
    assert _leaked(done.stdout + done.stderr) == []


def test_kernels_prints_a_hostile_kernelspec_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "jupyter" / "kernels" / "evil"
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-c", "pass"], "display_name": f"Evil {ALL}", "language": "x"}
    (folder / "kernel.json").write_text(json.dumps(spec))
    env = os.environ | {"JUPYTER_PATH": str(tmp_path / "jupyter")}
    done = subprocess.run(
        [sys.executable, "-m", "tnb", "kernels"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert "Evil" in done.stdout
    assert _leaked(done.stdout + done.stderr) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_colour_and_nothing_else() -> None:
    shown = _plain(f"\x1b[31mred\x1b[0m {ALL}", _Terminal())
    assert "\x1b[31mred\x1b[0m" in shown and _leaked(shown) == []
    assert _plain("\x1b[31mred\x1b[0m", io.StringIO()) == "red"
