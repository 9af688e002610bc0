"""A server token never shows in the process list (/proc/PID/cmdline) of tnb or its children."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.e2e.tmux import TNB, Tmux, start
from tests.fixtures.jupyter_server import JupyterServer, JupyterServerFactory
from tests.server.gated_sessions import GATE_ENV

GUARD = 120.0
SECRET = "tnbsecret" + "0123456789abcdef"


def _wait(condition: object, what: str, timeout: float = GUARD) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        time.sleep(0.02)


def _read(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def exposed(pid: int, secret: str) -> list[str]:
    """Where ``secret`` shows: tnb's cmdline, and its children's cmdline and environment.

    tnb's own environment is left out: a token the user put there is theirs, and
    /proc/PID/environ is readable only by them (and root).
    """
    found = [f"{pid} cmdline"] if secret.encode() in _read(pid, "cmdline") else []
    for child in psutil.Process(pid).children(recursive=True):
        for name in ("cmdline", "environ"):
            if secret.encode() in _read(child.pid, name):
                found.append(f"child {child.pid} ({child.name()}) {name}")
    return found


@dataclass
class Gated:
    """A private server whose `GET /api/sessions` waits while ``gate/hold`` exists."""

    server: JupyterServer
    gate: Path

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        for old in self.gate.glob("asked-*"):
            old.unlink()
        (self.gate / "hold").touch()
        try:
            yield
        finally:
            (self.gate / "hold").unlink(missing_ok=True)

    def asked(self) -> bool:
        return any(self.gate.glob("asked-*"))


@pytest.fixture
def gated(jupyter_server_factory: JupyterServerFactory, tmp_path: Path) -> Gated:
    gate = tmp_path / "gate"
    gate.mkdir()
    server = jupyter_server_factory(
        token=SECRET,
        extra_args=(
            "--ServerApp.session_manager_class=tests.server.gated_sessions.GatedSessionManager",
        ),
        env={GATE_ENV: str(gate)},
    )
    return Gated(server, gate)


def _tnb(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(TNB), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | (env or {}),
    )


def _check_while_held(
    gated: Gated, *args: str, env: dict[str, str] | None = None
) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """Run tnb until it asks the server for its sessions, look at it there, let it finish."""
    with gated.held():
        process = _tnb(*args, env=env)
        _wait(lambda: gated.asked() or process.poll() is not None, "the request")
        assert process.poll() is None, process.communicate()
        found = exposed(process.pid, SECRET)
    stdout, stderr = process.communicate(timeout=GUARD)
    return found, subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("form", ["url", "flag", "file", "env"])
def test_tnb_kernels_keeps_the_token_out_of_the_process_list(
    gated: Gated, tmp_path: Path, form: str
) -> None:
    server = gated.server
    token_file = tmp_path / "token"
    token_file.write_text(SECRET + "\n")
    token_file.chmod(0o600)
    args, env = {
        "url": (("--server", server.url_with_token("lab")), {}),
        "flag": (("--server", server.url, "--token", SECRET), {}),
        "file": (("--server", server.url, "--token-file", str(token_file)), {}),
        "env": (("--server", server.url), {"JUPYTER_TOKEN": SECRET}),
    }[form]
    found, done = _check_while_held(gated, "kernels", "--json", *args, env=env)
    assert found == []
    assert done.returncode == 0, done.stderr
    assert "python3" in [c["name"] for c in json.loads(done.stdout)]
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.usefixtures("kernelspecs")
def test_tnb_run_keeps_the_token_out_of_the_process_list(gated: Gated, tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(_notebook("print(6 * 7)"))
    found, done = _check_while_held(
        gated, "run", str(path), "--server", gated.server.url_with_token()
    )
    assert found == []
    assert done.returncode == 0, done.stderr
    assert json.loads(path.read_text())["cells"][0]["outputs"][0]["text"] == ["42\n"]


def _notebook(source: str) -> str:
    cell: dict[str, object] = {
        "cell_type": "code",
        "id": "a",
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.dumps(
        {"cells": [cell], "metadata": {"kernelspec": spec}, "nbformat": 4, "nbformat_minor": 5}
    )


@pytest.mark.usefixtures("kernelspecs")
def test_raw_kernel_and_watchdog_do_not_inherit_jupyter_token(tmp_path: Path) -> None:
    started, release = tmp_path / "started", tmp_path / "release"
    code = (
        "import os, time\n"
        f"open({str(started)!r}, 'w').close()\n"
        f"while not os.path.exists({str(release)!r}):\n"
        "    time.sleep(0.02)\n"
        "print('JUPYTER_TOKEN' in os.environ)"
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(_notebook(code))
    process = _tnb("run", str(path), "--token", SECRET, env={"JUPYTER_TOKEN": SECRET})
    try:
        _wait(lambda: started.exists() or process.poll() is not None, "the cell's start")
        assert process.poll() is None, process.communicate()
        children = psutil.Process(process.pid).children(recursive=True)
        names = " ".join(" ".join(child.cmdline()) for child in children)
        found = exposed(process.pid, SECRET)
    finally:
        release.touch()
    _, stderr = process.communicate(timeout=GUARD)
    assert "ipykernel" in names and "reaper" in names  # both children were looked at
    assert found == []
    assert process.returncode == 0, stderr
    assert json.loads(path.read_text())["cells"][0]["outputs"][0]["text"] == ["False\n"]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_ui_in_a_terminal_keeps_the_token_out_of_the_process_list(
    jupyter_server: JupyterServer,
    tmp_path: Path,
    tmux_factory: list[Tmux],
) -> None:
    path = tmp_path / "ui.ipynb"
    path.write_text(_notebook("1 + 1"))
    session = start(
        tmux_factory,
        str(path),
        "--server",
        jupyter_server.url_with_token("lab"),
        "--token",
        jupyter_server.token,
        cwd=tmp_path,
    )
    session.wait_for("server · idle", timeout=GUARD)
    pid = int(session._run("display-message", "-p", "#{pane_pid}").strip())
    assert "tnb" in " ".join(psutil.Process(pid).cmdline())
    assert exposed(pid, jupyter_server.token) == []
    assert Path(f"/proc/{pid}/comm").read_text().strip() == "tnb"  # still found by name
    session.keys("q")
    _wait(lambda: not session.alive(), "tnb's exit", timeout=30)


def test_scrub_changes_only_the_secret_in_the_title() -> None:
    code = (
        "import sys; from tnb.session.cli_token import scrub_process_title; "
        f"ok = scrub_process_title([{SECRET!r}]); "
        "print(ok, open('/proc/self/cmdline', 'rb').read().rstrip(b'\\0').decode())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--token", SECRET, "keep-this"],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=True,
    )
    ok, title = done.stdout.split(" ", 1)
    assert ok == "True"
    assert SECRET not in title
    assert title.strip().endswith("--token *** keep-this"), shlex.quote(title)
