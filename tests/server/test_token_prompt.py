"""A server URL without a token: `tnb run` and `tnb kernels` ask for it on the terminal, hidden."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect

from tests.fixtures.jupyter_server import JupyterServer

GUARD = 120


def _notebook(path: Path, source: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "execution_count": None,
                        "id": "c1",
                        "metadata": {},
                        "outputs": [],
                        "source": source,
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    return path


def _run_at_a_terminal(nb: Path, url: str) -> pexpect.spawn[str]:
    """`tnb run NB --server URL` (no token anywhere) on a pseudo-terminal."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "tnb", "run", str(nb), "--server", url],
        encoding="utf-8",
        timeout=GUARD,
    )


def test_run_asks_for_the_token_and_never_echoes_it(
    tmp_path: Path, jupyter_server: JupyterServer
) -> None:
    nb = _notebook(tmp_path / "remote.ipynb", "print('ran on the server')")
    child = _run_at_a_terminal(nb, jupyter_server.url)
    try:
        child.expect("Token for " + jupyter_server.url)
        child.sendline(jupyter_server.token)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    assert jupyter_server.token not in (child.before or "")
    saved = json.loads(nb.read_text())
    assert "".join(saved["cells"][0]["outputs"][0]["text"]) == "ran on the server\n"
    assert jupyter_server.token not in nb.read_text()


def test_a_wrong_typed_token_is_refused_clearly(
    tmp_path: Path, jupyter_server: JupyterServer
) -> None:
    nb = _notebook(tmp_path / "remote.ipynb", "1")
    child = _run_at_a_terminal(nb, jupyter_server.url)
    try:
        child.expect("Token for ")
        child.sendline("not-the-token")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 2
    assert "token" in (child.before or "").lower()
    assert "Traceback" not in (child.before or "")
