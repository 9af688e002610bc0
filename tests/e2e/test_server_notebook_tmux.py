"""A server's notebook opened by URL in the installed `tnb`, edited, run and saved back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.contents.helpers import put_notebook, rest, server_notebook, sources
from tests.e2e.tmux import Tmux, start, wait_until, wait_until_gone
from tests.fixtures.jupyter_server import JupyterServer

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_open_by_url_edit_run_and_save_back(
    tmux_factory: list[Tmux], tmp_path: Path, jupyter_server_prefix: JupyterServer
) -> None:
    server = jupyter_server_prefix
    put_notebook(server, "e2e/shared.ipynb", "x = 20")
    url = server.url_with_token("lab/tree/e2e/shared.ipynb")
    session = start(tmux_factory, url, cwd=tmp_path)
    session.wait_for("e2e/shared.ipynb @ 127.0.0.1", "server · idle", timeout=90)
    # The kernel is the file's session, as JupyterLab shows it.
    assert "e2e/shared.ipynb" in [s["path"] for s in rest(server, "api/sessions")]
    session.keys("b")
    session.wait_for("cell 2/2")
    session.keys("Enter")
    session.wait_for("EDIT")
    session.keys("print(x + 22)", literal=True)
    session.wait_for("print(x + 22)")
    session.keys("Escape")
    session.wait_for("COMMAND")
    session.keys("k")
    session.wait_for("cell 1/2")
    session.keys("C-e")
    session.wait_for("cell 2/2")
    session.keys("C-e")
    session.wait_for("42", timeout=60)
    session.keys("C-s")
    session.wait_for("· saved", timeout=60)  # "saved shared.ipynb on the server", cut short
    saved = server_notebook(server, "e2e/shared.ipynb")
    # run+next on the last cell added one, as in JupyterLab
    assert sources(saved) == ["x = 20", "print(x + 22)", ""]
    assert saved["cells"][1]["outputs"][0]["text"] in ("42\n", ["42\n"])
    assert rest(server, "api/contents/e2e/shared.ipynb/checkpoints")
    assert server.token not in session.screen()
    session.keys("q")
    wait_until_gone(session)
    wait_until(
        lambda: "e2e/shared.ipynb" not in [s["path"] for s in rest(server, "api/sessions")],
        "tnb to end the session it started",
    )


def test_server_path_with_server_option_and_a_folder_url(
    tmux_factory: list[Tmux], tmp_path: Path, jupyter_server: JupyterServer
) -> None:
    put_notebook(jupyter_server, "e2e2/there.ipynb", "print('on the server')")
    # No such local file: `tnb --server URL PATH` opens the server's.
    session = start(
        tmux_factory,
        "--server",
        jupyter_server.url,
        "--token",
        jupyter_server.token,
        "--no-kernel",
        "e2e2/there.ipynb",
        cwd=tmp_path,
    )
    session.wait_for("e2e2/there.ipynb @ 127.0.0.1", "print('on the server')", timeout=60)
    session.keys("q")
    wait_until_gone(session)
    assert not (tmp_path / "e2e2").exists()
    # A folder's URL opens the file browser there; enter on the notebook opens it.
    session = start(tmux_factory, jupyter_server.url_with_token("tree/e2e2"), cwd=tmp_path)
    session.wait_for("tree/e2e2", "there.ipynb", timeout=60)
    session.keys("Down")
    session.keys("Down")
    session.keys("Enter")
    session.wait_for("e2e2/there.ipynb @ 127.0.0.1", "server · idle", timeout=90)
    session.keys("q")
    wait_until_gone(session)
