"""`tnb run` and `tnb kernels` end to end: the real command in a subprocess, real kernels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tnb.notebook.outputs import append_stream_text

DATA = Path(__file__).parent / "kernels" / "data"
GUARD = 180.0


def tnb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tnb", *args],
        capture_output=True,
        text=True,
        timeout=GUARD,
        cwd=cwd,
        check=False,
    )


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def normalise(cells: list[dict[str, Any]]) -> list[Any]:
    """Outputs per cell, with streams merged as a terminal shows them, counts and timings
    dropped, and errors reduced to name and value (tracebacks carry paths and colours)."""
    result: list[Any] = []
    for cell in cells:
        outputs: list[Any] = []
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "stream":
                last = outputs[-1] if outputs else None
                if last and last[0] == "stream" and last[1] == out["name"]:
                    last[2] = append_stream_text(last[2], _text(out["text"]))
                else:
                    outputs.append(
                        ["stream", out["name"], append_stream_text("", _text(out["text"]))]
                    )
            elif kind == "error":
                outputs.append(["error", out["ename"], out["evalue"]])
            else:
                data = {
                    k: _text(v) if not isinstance(v, dict) else v for k, v in out["data"].items()
                }
                outputs.append([kind, data, out.get("metadata", {})])
        result.append([cell["cell_type"], _text(cell["source"]), outputs])
    return result


def stripped_copy(name: str, folder: Path) -> Path:
    """The reference notebook without the outputs tnb must produce (skipped cells keep theirs)."""
    nb = json.loads((DATA / f"{name}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "skip-execution" not in cell["metadata"].get("tags", []):
            cell["outputs"] = []
            cell["execution_count"] = None
    target = folder / f"{name}.ipynb"
    target.write_text(json.dumps(nb))
    return target


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.mark.usefixtures("kernelspecs")
def test_run_reproduces_reference_outputs(tmp_path: Path) -> None:
    source = stripped_copy("outputs", tmp_path)
    out = tmp_path / "out.ipynb"
    done = tnb("run", str(source), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "saved" in done.stderr
    produced = load(out)
    reference = load(DATA / "outputs.ipynb")
    assert normalise(produced["cells"]) == normalise(reference["cells"])
    # The display updated from a later cell, as in Jupyter.
    assert "updated from a later cell" in json.dumps(produced["cells"][6]["outputs"])
    counts = [c.get("execution_count") for c in produced["cells"] if c["cell_type"] == "code"]
    assert counts == [
        c.get("execution_count") for c in reference["cells"] if c["cell_type"] == "code"
    ]
    # Timing is recorded only with --record-timing: the old one is left as it was.
    assert produced["cells"][1]["metadata"] == reference["cells"][1]["metadata"]
    assert produced["metadata"]["kernelspec"]["name"] == "python3"
    assert produced["metadata"]["language_info"]["name"] == "python"
    assert source.read_text() != out.read_text()  # -o left the source alone


@pytest.mark.usefixtures("kernelspecs")
def test_run_stops_at_error_and_saves_in_place(tmp_path: Path) -> None:
    source = stripped_copy("stops", tmp_path)
    done = tnb("run", str(source))
    assert done.returncode == 1
    assert "ZeroDivisionError" in done.stderr and "stopped at cell 3" in done.stderr
    assert "tnb/headless.py" not in done.stderr  # a cell's error, not a crash of tnb
    cells = load(source)["cells"]
    assert _text(cells[1]["outputs"][0]["data"]["text/plain"]) == "42"
    assert cells[2]["outputs"][0]["ename"] == "ZeroDivisionError"
    assert cells[3]["outputs"] == [] and cells[3]["execution_count"] is None


@pytest.mark.usefixtures("kernelspecs")
def test_allow_errors_runs_everything(tmp_path: Path) -> None:
    source = stripped_copy("stops", tmp_path)
    done = tnb("run", str(source), "--allow-errors")
    assert done.returncode == 0, done.stderr
    assert "1 raised (allowed)" in done.stderr
    assert normalise(load(source)["cells"]) == normalise(load(DATA / "stops.ipynb")["cells"])


def write_notebook(path: Path, *sources: str, kernel: str = "python3") -> Path:
    cells: list[dict[str, Any]] = [
        {
            "cell_type": "code",
            "id": f"c{i}",
            "metadata": {},
            "source": s,
            "outputs": [],
            "execution_count": None,
        }
        for i, s in enumerate(sources)
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


@pytest.mark.usefixtures("kernelspecs")
def test_input_fails_clearly(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "ask.ipynb", "name = input('name? ')")
    done = tnb("run", str(nb))
    assert done.returncode == 1
    assert "asked for input()" in done.stderr


@pytest.mark.usefixtures("kernelspecs")
def test_timeout_interrupts_the_cell(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(120)", "print('no')")
    done = tnb("run", str(nb), "--timeout", "2")
    assert done.returncode == 1
    assert "did not finish within 2 s" in done.stderr
    cells = load(nb)["cells"]
    assert cells[1]["outputs"] == []


def test_user_errors_are_one_line(tmp_path: Path, kernelspecs: KernelSpecs) -> None:
    missing = tnb("run", str(tmp_path / "nope.ipynb"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    nb = write_notebook(tmp_path / "x.ipynb", "1")
    unknown = tnb("run", str(nb), "--kernel", "no-such-kernel")
    assert unknown.returncode == 2 and "no kernel named 'no-such-kernel'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    broken = tnb("run", str(nb), "--kernel", kernelspecs.exits)
    assert broken.returncode == 2
    assert "exit code 3" in broken.stderr and "missing frobnicator" in broken.stderr
    assert "Traceback" not in broken.stderr
    notebook_kernel = write_notebook(tmp_path / "y.ipynb", "1", kernel="gone-kernel")
    gone = tnb("run", str(notebook_kernel))
    # Falls back to a kernel for the notebook's language, as the notebook is Python.
    assert gone.returncode == 0, gone.stderr


def test_env_transport_and_cwd(tmp_path: Path, kernelspecs: KernelSpecs) -> None:
    (tmp_path / "data.txt").write_text("relative path works")
    nb = write_notebook(
        tmp_path / "env.ipynb",
        "import os\nprint(os.environ['TNB_RUN_VAR'])\nprint(open('data.txt').read())",
    )
    done = tnb(
        "run",
        str(nb),
        "--kernel",
        kernelspecs.python,
        "--env",
        "TNB_RUN_VAR=hello",
        "--transport",
        "tcp",
        cwd=Path("/"),
    )
    assert done.returncode == 0, done.stderr
    text = load(nb)["cells"][0]["outputs"][0]["text"]
    assert _text(text) == "hello\nrelative path works\n"


def test_existing_kernel_is_not_killed(tmp_path: Path) -> None:
    km = KernelManager(kernel_name="python3", connection_file=str(tmp_path / "kernel-x.json"))
    km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        nb = write_notebook(
            tmp_path / "attach.ipynb",
            "print(os.getpid())",
        )
        first = write_notebook(tmp_path / "first.ipynb", "import os\nvalue = 7")
        assert tnb("run", str(first), "--existing", str(tmp_path / "kernel-x.json")).returncode == 0
        done = tnb("run", str(nb), "--existing", str(tmp_path / "kernel-x.json"))
        assert done.returncode == 0, done.stderr
        pid = int(_text(load(nb)["cells"][0]["outputs"][0]["text"]))
        assert km.is_alive() and km.provisioner is not None
        assert pid == km.provisioner.pid  # type: ignore[attr-defined]
    finally:
        km.shutdown_kernel(now=True)


def test_keep_kernel_survives_the_run_and_reattaches(tmp_path: Path) -> None:
    import psutil

    first = write_notebook(tmp_path / "keep.ipynb", "import os\nvalue = 41")
    kept = tnb("run", str(first), "--keep-kernel")
    assert kept.returncode == 0, kept.stderr
    assert "1 cell ran" in kept.stderr
    line = next(ln for ln in kept.stderr.splitlines() if "tnb --existing" in ln)
    connection_file = Path(line.rsplit(" ", 1)[1])
    assert connection_file.exists()
    assert connection_file.stat().st_mode & 0o777 == 0o600
    second = write_notebook(tmp_path / "again.ipynb", "print(value + 1, os.getpid())")
    pid = "0"
    try:
        done = tnb("run", str(second), "--existing", str(connection_file))
        assert done.returncode == 0, done.stderr
        value, pid = _text(load(second)["cells"][0]["outputs"][0]["text"]).split()
        assert value == "42"
        assert psutil.pid_exists(int(pid))
    finally:
        if int(pid) and psutil.pid_exists(int(pid)):
            kernel = psutil.Process(int(pid))
            kernel.kill()
            kernel.wait(timeout=10)


def test_kernels_lists_json_and_table(kernelspecs: KernelSpecs) -> None:
    done = tnb("kernels", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    names = {k["name"] for k in listed}
    assert {kernelspecs.python, kernelspecs.exits, "python3"} <= names
    assert all(k["backend"] == "raw" for k in listed)
    table = tnb("kernels")
    assert table.returncode == 0 and table.stdout.startswith("NAME")
    assert kernelspecs.python in table.stdout


def test_kernels_lists_environment_without_ipykernel(tmp_path: Path) -> None:
    env = tmp_path / ".venv"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    (env / "pyvenv.cfg").write_text("home = /usr\n")
    done = tnb("kernels", "--notebook", str(tmp_path / "nb.ipynb"))
    assert done.returncode == 0, done.stderr
    assert "ipykernel is not installed" in done.stdout and "pip install ipykernel" in done.stdout


def test_kernels_and_run_through_a_server(tmp_path: Path, jupyter_server: JupyterServer) -> None:
    listed = tnb(
        "kernels", "--server", jupyter_server.url, "--token", jupyter_server.token, "--json"
    )
    assert listed.returncode == 0, listed.stderr
    kernels = json.loads(listed.stdout)
    assert any(k["backend"] == "server" and k["name"] == "python3" for k in kernels)
    assert jupyter_server.token not in listed.stdout + listed.stderr
    nb = write_notebook(tmp_path / "remote.ipynb", "print('from the server')")
    done = tnb("run", str(nb), "--server", jupyter_server.url, "--token", jupyter_server.token)
    assert done.returncode == 0, done.stderr
    saved = load(nb)
    assert _text(saved["cells"][0]["outputs"][0]["text"]) == "from the server\n"
    # As a raw run does: the server kernel's own language_info, not only the kernelspec.
    language_info = saved["metadata"]["language_info"]
    assert language_info["name"] == "python" and language_info["version"][0] == "3"
    refused = tnb("kernels", "--server", jupyter_server.url, "--token", "wrong-token")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_run_tells_the_kernel_its_notebook(tmp_path: Path) -> None:
    nb = write_notebook(
        tmp_path / "told.ipynb", "import os; print(os.environ.get('JPY_SESSION_NAME'))"
    )
    done = tnb("run", "told.ipynb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = _text(load(nb)["cells"][0]["outputs"][0]["text"])
    assert printed.strip() == str(nb.resolve())
