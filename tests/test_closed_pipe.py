"""Output to a pipe whose reader has gone (`tnb kernels | head -1`) ends quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tnb.session.closed_pipe import EXIT_PIPE_CLOSED

GUARD = 180.0


def run_with_closed(stream: str, *args: str) -> tuple[int, str]:
    """Run `tnb ARGS` with ``stream`` ("stdout" or "stderr") a pipe nobody reads: its read
    end is closed before tnb starts, so its first write fails, whatever the timing.
    Returns the exit code and what tnb wrote on the other stream."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    other = "stderr" if stream == "stdout" else "stdout"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tnb", *args],
            **{stream: write_end, other: subprocess.PIPE},  # type: ignore[call-overload]
            text=True,
            timeout=GUARD,
            check=False,
        )
    finally:
        os.close(write_end)
    return done.returncode, getattr(done, other)


@pytest.mark.usefixtures("kernelspecs")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("kernels",), EXIT_PIPE_CLOSED),
        (("kernels", "--json"), EXIT_PIPE_CLOSED),
        # argparse itself drops a failed write of its help and exits 0.
        (("--help",), 0),
        (("--version",), 0),
        (("run", "--help"), 0),
    ],
    ids=["kernels", "kernels-json", "help", "version", "run-help"],
)
def test_closed_stdout_exits_quietly(args: tuple[str, ...], expected: int) -> None:
    code, stderr = run_with_closed("stdout", *args)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert code == expected


@pytest.mark.usefixtures("kernelspecs")
def test_run_with_closed_stderr_still_runs_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    cell: dict[str, object] = {
        "cell_type": "code",
        "id": "a",
        "metadata": {},
        "source": "print(6 * 7)",
        "outputs": [],
        "execution_count": None,
    }
    nb = {
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    code, stdout = run_with_closed("stderr", "run", str(path))
    assert code == 0
    assert "Traceback" not in stdout
    saved = json.loads(path.read_text())
    assert saved["cells"][0]["outputs"][0]["text"] == ["42\n"]
