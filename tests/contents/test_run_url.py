"""`tnb run URL`: a server's notebook executed on that server and saved back there."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.contents.helpers import put_notebook, server_notebook, sources
from tests.fixtures.jupyter_server import JupyterServer
from tests.test_headless import GUARD, tnb


def outputs_text(nb: dict[str, object]) -> str:
    cells = nb["cells"]
    assert isinstance(cells, list)
    return "".join(
        "".join(o.get("text", "")) for c in cells for o in c.get("outputs", []) if "text" in o
    )


def test_run_url_executes_on_the_server_and_saves_back(jupyter_server: JupyterServer) -> None:
    put_notebook(jupyter_server, "runs/r1.ipynb", "import os\nprint(os.getcwd())", "print(6 * 7)")
    url = jupyter_server.url_with_token("lab/tree/runs/r1.ipynb")
    done = tnb("run", url)
    assert done.returncode == 0, done.stderr
    assert jupyter_server.token not in done.stderr + done.stdout
    saved = server_notebook(jupyter_server, "runs/r1.ipynb")
    text = outputs_text(saved)
    # The kernel ran on the server, in the notebook's folder there.
    assert str(jupyter_server.root_dir / "runs") in text
    assert "42" in text
    assert jupyter_server.token not in (jupyter_server.root_dir / "runs/r1.ipynb").read_text()


def test_run_url_with_output_writes_a_local_file(
    jupyter_server_prefix: JupyterServer, tmp_path: Path
) -> None:
    server = jupyter_server_prefix
    put_notebook(server, "o/r2.ipynb", "print('local copy')")
    url = server.url_with_token("notebooks/o/r2.ipynb")
    out = tmp_path / "result.ipynb"
    done = tnb("run", url, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "local copy" in out.read_text()
    # The server's copy is untouched.
    assert "local copy" not in outputs_text(server_notebook(server, "o/r2.ipynb"))


def test_run_url_of_a_missing_notebook_or_folder_says_so(jupyter_server: JupyterServer) -> None:
    missing = tnb("run", jupyter_server.url_with_token("lab/tree/nope/none.ipynb"))
    assert missing.returncode != 0
    assert "none.ipynb: no such file on the server" in missing.stderr
    (jupyter_server.root_dir / "afolder").mkdir(exist_ok=True)
    folder = tnb("run", jupyter_server.url_with_token("tree/afolder"))
    assert folder.returncode != 0 and "is a folder on the server" in folder.stderr
    assert jupyter_server.token not in missing.stderr + folder.stderr


def test_the_urls_token_is_not_in_the_process_list(
    jupyter_server: JupyterServer, tmp_path: Path
) -> None:
    started, release = tmp_path / "started", tmp_path / "release"
    code = (
        "import os, time\n"
        f"open({str(started)!r}, 'w').close()\n"
        f"while not os.path.exists({str(release)!r}):\n"
        "    time.sleep(0.05)\n"
        "print('released')"
    )
    put_notebook(jupyter_server, "runs/wait.ipynb", code)
    url = jupyter_server.url_with_token("lab/tree/runs/wait.ipynb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tnb", "run", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + GUARD
        while not started.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a condition, with a deadline
        assert process.poll() is None, process.communicate()
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
        assert "lab/tree/runs/wait.ipynb" in cmdline
        assert jupyter_server.token not in cmdline
        release.touch()
        _, err = process.communicate(timeout=GUARD)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert sources(server_notebook(jupyter_server, "runs/wait.ipynb")) == [code]
    assert "released" in outputs_text(server_notebook(jupyter_server, "runs/wait.ipynb"))
