"""`tnb run` starts IPython kernels with their history in memory, as nbclient does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tnb.kernels.raw.kernel import LaunchSpec
from tnb.kernels.raw.provider import with_ipython_history

GUARD = 180.0


def _spec(name: str, *argv: str) -> LaunchSpec:
    return LaunchSpec(name=name, display_name=name, language="", argv=list(argv))


def test_only_ipython_kernels_get_the_history_option() -> None:
    ipython = _spec("myenv", "/env/bin/python", "-m", "ipykernel_launcher", "-f", "{c}")
    assert with_ipython_history(ipython, ":memory:").argv[-1] == (
        "--HistoryManager.hist_file=:memory:"
    )
    bash = _spec("bash", sys.executable, "-m", "bash_kernel", "-f", "{c}")
    assert with_ipython_history(bash, ":memory:") == bash
    own = _spec("python3", "python", "-m", "ipykernel", "--HistoryManager.hist_file=/h.sqlite")
    assert with_ipython_history(own, ":memory:") == own


@pytest.mark.usefixtures("kernelspecs")
def test_nbclients_check_history_in_memory_notebook_passes(tmp_path: Path) -> None:
    # nbclient's tests/files/"Check History in Memory.ipynb": nbformat 4.2, no metadata.
    cells = [
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["from IPython import get_ipython"],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {"scrolled": True},
            "outputs": [],
            "source": ["ip = get_ipython()\n", 'assert ip.history_manager.hist_file == ":memory:"'],
        },
    ]
    path = tmp_path / "Check History in Memory.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2})
    )
    ipython_dir = tmp_path / "ipython"
    done = subprocess.run(
        [sys.executable, "-m", "tnb", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
        env=os.environ | {"IPYTHONDIR": str(ipython_dir)},
    )
    assert done.returncode == 0, done.stderr
    saved = json.loads(path.read_text())
    assert [c["outputs"] for c in saved["cells"]] == [[], []]
    assert list(ipython_dir.rglob("history.sqlite")) == []
