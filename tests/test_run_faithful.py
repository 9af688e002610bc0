"""`tnb run` changes outputs and counts only: the file's version, ids and metadata stay."""

# nbformat ships py.typed but leaves its builders unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.notebook import corpus

GUARD = 180.0


def tnb_run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tnb", "run", str(path), "--allow-errors", *args],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )


def write(folder: Path, minor: int) -> tuple[Path, str]:
    nb = corpus.at_minor(corpus.basic(), minor)  # names python3, language_info of 3.11.9
    text = corpus.writes(nb)
    path = folder / f"v4{minor}.ipynb"
    path.write_text(text, encoding="utf-8")
    return path, text


def without_results(d: dict[str, Any]) -> dict[str, Any]:
    """The notebook less what running it may change: code cells' outputs and counts."""
    cells = [
        {k: v for k, v in cell.items() if k not in ("outputs", "execution_count")}
        for cell in d["cells"]
    ]
    return dict(d, cells=cells)


@pytest.mark.usefixtures("kernelspecs")
@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_run_keeps_version_ids_and_metadata(minor: int, tmp_path: Path) -> None:
    path, text = write(tmp_path, minor)
    done = tnb_run(path)
    assert done.returncode == 0, done.stderr
    before, after = json.loads(text), json.loads(path.read_text(encoding="utf-8"))
    assert without_results(after) == without_results(before)
    hello = after["cells"][1]
    # stdout and stderr are two streams the kernel flushes apart: their order is the kernel's.
    stdout = [o["text"] for o in hello["outputs"] if o.get("name") == "stdout"]
    assert hello["execution_count"] == 1 and stdout == [["hello\n"]]


@pytest.mark.usefixtures("kernelspecs")
def test_record_timing_upgrades_an_older_notebook_and_says_so(tmp_path: Path) -> None:
    path, _ = write(tmp_path, 3)
    done = tnb_run(path, "--record-timing")
    assert done.returncode == 0, done.stderr
    assert "saving as nbformat 4.4 (was 4.3)" in done.stderr
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["nbformat_minor"] == 4
    assert "shell.execute_reply" in after["cells"][1]["metadata"]["execution"]
    assert "id" not in after["cells"][1]


@pytest.mark.usefixtures("kernelspecs")
def test_record_timing_in_a_current_notebook(tmp_path: Path) -> None:
    path, _ = write(tmp_path, 5)
    done = tnb_run(path, "--record-timing")
    assert done.returncode == 0, done.stderr
    assert "saving as nbformat" not in done.stderr
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["nbformat_minor"] == 5
    timing = after["cells"][1]["metadata"]["execution"]
    assert "iopub.execute_input" in timing and "shell.execute_reply" in timing


def test_run_refuses_a_read_only_notebook_before_running(tmp_path: Path) -> None:
    path, text = write(tmp_path, 4)
    path.chmod(0o444)
    done = tnb_run(path)
    assert done.returncode == 2
    assert "read-only (mode 0444" in done.stderr and "nothing was run" in done.stderr
    assert "-o FILE" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.usefixtures("kernelspecs")
def test_run_of_a_read_only_notebook_into_another_file(tmp_path: Path) -> None:
    path, text = write(tmp_path, 4)
    path.chmod(0o444)
    out = tmp_path / "out.ipynb"
    done = tnb_run(path, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert path.read_text(encoding="utf-8") == text
    assert json.loads(out.read_text(encoding="utf-8"))["cells"][1]["execution_count"] == 1
