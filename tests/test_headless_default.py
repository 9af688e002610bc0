"""`tnb run` on a notebook that names no kernel: python3, never the kernelspec that sorts first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.kernels.test_raw import _fake_env
from tnb.notebook.io import dumps_notebook, load_notebook
from tnb.notebook.model import Cell, Notebook
from tnb.session.memory import remembered


def test_run_without_a_kernel_name_takes_python3_and_says_so(tmp_path: Path) -> None:
    decoy = tmp_path / "jupyter" / "kernels" / "aaa"
    decoy.mkdir(parents=True)
    spec = {
        "argv": ["/nonexistent/boom", "{connection_file}"],
        "display_name": "Aaa",
        "language": "python",
    }
    (decoy / "kernel.json").write_text(json.dumps(spec))
    path = tmp_path / "n.ipynb"
    nb = Notebook(
        cells=[Cell.new("code", "print(6 * 7)")], metadata={"language_info": {"name": "python"}}
    )
    path.write_text(dumps_notebook(nb), encoding="utf-8")
    paths = [str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    done = subprocess.run(
        [sys.executable, "-m", "tnb", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ | {"JUPYTER_PATH": os.pathsep.join(paths)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "(python3): the default for python" in done.stderr
    saved = load_notebook(path)
    assert "42" in "".join(o.text for o in saved.cells[0].outputs)


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tnb", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_an_environment_run_is_saved_as_python3_and_runs_there_again(tmp_path: Path) -> None:
    env = _fake_env(tmp_path / "project" / ".venv")
    path = tmp_path / "project" / "n.ipynb"
    nb = Notebook(
        cells=[Cell.new("code", "import sys; print(sys.prefix)")],
        metadata={"language_info": {"name": "python"}},
    )
    path.write_text(dumps_notebook(nb), encoding="utf-8")
    reasons = ["the environment beside the notebook", "the environment this notebook last ran on"]
    for reason in reasons:  # the second run reads the python3 the first one saved
        done = _run(path)
        assert done.returncode == 0, done.stderr
        assert reason in done.stderr
        saved = load_notebook(path)
        assert "".join(o.text for o in saved.cells[0].outputs).strip() == str(env)
        spec = saved.metadata["kernelspec"]
        assert spec["name"] == "python3" and spec["language"] == "python"
        assert ".venv" in spec["display_name"]  # says which environment ran it
        assert saved.metadata["language_info"]["name"] == "python"
    # Another kernel named in the file since (another tool chose it): the file wins.
    text = path.read_text(encoding="utf-8").replace('"name": "python3"', '"name": "tnb-python"')
    path.write_text(text, encoding="utf-8")
    assert remembered(path, "tnb-python") is None
