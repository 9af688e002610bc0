"""Nothing left running: kill what started a raw kernel; the kernel and its files must go."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import psutil
import pytest

from tests.fixtures.kernelspecs import KernelSpecs
from tnb.kernels.protocol import KernelChoice
from tnb.kernels.raw import reaper
from tnb.kernels.raw.kernel import RawKernel
from tnb.kernels.raw.provider import LocalProvider, _running_choices

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Hang guard only: the kernel normally goes within a fraction of a second.
_GONE_WITHIN = 10.0

# Starts one raw kernel through LocalProvider (and restarts it for "restart-*"), prints what
# the test needs, then waits to be killed (or, for "*exit", shuts down normally and returns).
_DRIVER = textwrap.dedent(
    """
    import asyncio, json, sys
    from tnb.kernels.raw.provider import LocalProvider

    async def main(name, transport, keep, then):
        provider = LocalProvider(transport=transport or None, keep_kernel=keep == "keep")
        choices = await provider.list_choices()
        choice = next(c for c in choices if c.name == name)
        kernel = await provider.start(choice)
        if then.startswith("restart"):
            await kernel.restart()
        info = kernel.connection_info
        ports = [info[f"{c}_port"] for c in ("shell", "iopub", "stdin", "control", "hb")]
        print(json.dumps({
            "kernel_pid": kernel._process.pid,
            "private_dir": str(kernel._private_dir),
            "connection_file": kernel._manager.connection_file,
            "kept_file": str(kernel.connection_file),
            "sockets": [f"{info['ip']}-{p}" for p in ports] if info["transport"] == "ipc" else [],
        }), flush=True)
        if then.endswith("exit"):
            await kernel.shutdown()
            return
        await asyncio.sleep(600)

    asyncio.run(main(*sys.argv[1:]))
    """
)


class Driver:
    """A process that started a kernel; ``info`` says where the kernel and its files are."""

    def __init__(self, kernel: str, *, transport: str = "", keep: bool = False, then: str = "wait"):
        args = [kernel, transport, "keep" if keep else "", then]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _DRIVER, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            _, err = self.process.communicate(timeout=30)
            raise AssertionError(f"the driver did not start a kernel:\n{err}")
        self.info: dict[str, Any] = json.loads(line)
        self.kernel = psutil.Process(self.info["kernel_pid"])
        # Its children too: bash_kernel runs bash under it.
        self.tree = [self.kernel, *self.kernel.children(recursive=True)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=30)


@pytest.fixture
def drivers() -> Iterator[list[Driver]]:
    started: list[Driver] = []
    yield started
    for driver in started:
        driver.stop()
        for proc in driver.tree:
            _kill_quietly(proc)


def _kill_quietly(proc: psutil.Process) -> None:
    with contextlib.suppress(psutil.Error):
        proc.kill()


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(procs: list[psutil.Process], paths: list[Path]) -> None:
    deadline = time.monotonic() + _GONE_WITHIN
    while time.monotonic() < deadline:
        if not any(_running(p) for p in procs) and not any(p.exists() for p in paths):
            return
        time.sleep(0.05)
    alive = [p.pid for p in procs if _running(p)]
    left = [str(p) for p in paths if p.exists()]
    raise AssertionError(f"after {_GONE_WITHIN} s still running: {alive}; still there: {left}")


def _files(info: dict[str, Any]) -> list[Path]:
    return [
        Path(info["private_dir"]),
        Path(info["connection_file"]),
        *(Path(s) for s in info["sockets"]),
    ]


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGKILL])
def test_killed_driver_leaves_no_python_kernel(
    kernelspecs: KernelSpecs, drivers: list[Driver], sig: signal.Signals
) -> None:
    driver = Driver(kernelspecs.python, transport="ipc")
    drivers.append(driver)
    files = _files(driver.info)
    assert all(p.exists() for p in files)  # the test would prove nothing otherwise
    driver.process.send_signal(sig)
    driver.process.wait(timeout=30)
    _wait_gone(driver.tree, files)


def test_sigkill_after_a_restart_leaves_no_kernel(
    kernelspecs: KernelSpecs, drivers: list[Driver]
) -> None:
    driver = Driver(kernelspecs.python, transport="ipc", then="restart-wait")
    drivers.append(driver)
    files = _files(driver.info)
    driver.process.kill()
    driver.process.wait(timeout=30)
    _wait_gone(driver.tree, files)


def test_sigkill_leaves_no_bash_kernel_nor_its_bash(
    kernelspecs: KernelSpecs, drivers: list[Driver]
) -> None:
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel could not be installed")
    driver = Driver(kernelspecs.bash, transport="ipc")
    drivers.append(driver)
    assert len(driver.tree) >= 2  # bash_kernel and the bash it drives
    files = _files(driver.info)
    driver.process.kill()
    driver.process.wait(timeout=30)
    _wait_gone(driver.tree, files)


def test_sigkill_over_tcp_removes_the_connection_file(
    kernelspecs: KernelSpecs, drivers: list[Driver]
) -> None:
    driver = Driver(kernelspecs.python, transport="tcp")
    drivers.append(driver)
    files = _files(driver.info)
    assert Path(driver.info["connection_file"]).exists()
    driver.process.kill()
    driver.process.wait(timeout=30)
    _wait_gone(driver.tree, files)


def test_a_kernel_that_ignores_sigterm_is_killed(
    kernelspecs: KernelSpecs, drivers: list[Driver], jupyter_home: Path
) -> None:
    """A kernel that neither polls its parent nor stops on SIGTERM still goes (SIGKILL)."""
    folder = Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0]) / "kernels" / "tnb-stubborn"
    folder.mkdir(parents=True, exist_ok=True)
    launcher = (
        "import os, signal\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "os.environ.pop('JPY_PARENT_PID', None)\n"
        "from ipykernel import kernelapp\n"
        "kernelapp.launch_new_instance()\n"
    )
    (folder / "launch.py").write_text(launcher)
    spec = {
        "argv": [sys.executable, "{resource_dir}/launch.py", "-f", "{connection_file}"],
        "display_name": "ignores SIGTERM and its parent",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    driver = Driver("tnb-stubborn", transport="ipc")
    drivers.append(driver)
    files = _files(driver.info)
    driver.process.kill()
    driver.process.wait(timeout=30)
    _wait_gone(driver.tree, files)


def test_kernel_knows_its_parent(kernelspecs: KernelSpecs, drivers: list[Driver]) -> None:
    """ipykernel's own parent poll works only if JPY_PARENT_PID is its real parent."""
    driver = Driver(kernelspecs.python)
    drivers.append(driver)
    assert driver.kernel.ppid() == driver.process.pid
    assert driver.kernel.environ().get("JPY_PARENT_PID") == str(driver.process.pid)


def _notebook(source: str) -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "id": "c1",
                "source": source,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
    }


def test_keep_kernel_outlives_tnb_and_can_be_attached(
    kernelspecs: KernelSpecs, drivers: list[Driver], jupyter_home: Path, tmp_path: Path
) -> None:
    driver = Driver(kernelspecs.python, transport="ipc", keep=True, then="exit")
    drivers.append(driver)
    assert driver.process.wait(timeout=30) == 0
    connection_file = Path(driver.info["connection_file"])
    assert driver.info["kept_file"] == str(connection_file)
    runtime = jupyter_home / "runtime"
    assert connection_file.parent == runtime
    assert stat.S_IMODE(connection_file.stat().st_mode) == 0o600
    assert Path(driver.info["private_dir"]).stat().st_mode & 0o777 == 0o700
    assert "JPY_PARENT_PID" not in driver.kernel.environ()  # ipykernel does not follow tnb
    assert _running(driver.kernel)

    listed = [c for c in _running_choices() if c.location == str(connection_file)]
    assert len(listed) == 1

    async def attach_and_run() -> str:
        backend = await LocalProvider().start(listed[0])
        assert isinstance(backend, RawKernel)
        texts = [e.text async for e in backend.execute("print(6 * 7)") if hasattr(e, "text")]
        await backend.shutdown()  # only disconnects: tnb did not start it this time
        return "".join(texts)

    assert asyncio.run(attach_and_run()).strip() == "42"
    assert _running(driver.kernel)

    # The real command line re-attaches by the file's bare name, as `jupyter console` does.
    notebook = tmp_path / "attach.ipynb"
    notebook.write_text(json.dumps(_notebook("print(6 * 7)")))
    tnb = Path(sys.executable).with_name("tnb")
    done = subprocess.run(
        [str(tnb), "run", str(notebook), "--existing", connection_file.name],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outputs = json.loads(notebook.read_text())["cells"][0]["outputs"]
    assert ["".join(o.get("text", "")) for o in outputs] == ["42\n"]
    assert _running(driver.kernel)
    # The user ends it later; a later tnb's sweep then removes what it left.
    driver.kernel.kill()
    driver.kernel.wait(timeout=30)
    reaper.sweep(runtime)
    assert not Path(driver.info["private_dir"]).exists()
    assert not connection_file.exists()


def test_a_restarted_kept_kernel_keeps_its_folder(
    kernelspecs: KernelSpecs, drivers: list[Driver], jupyter_home: Path
) -> None:
    """The sweep follows the new process: a later tnb must not remove a live kernel's sockets."""
    driver = Driver(kernelspecs.python, transport="ipc", keep=True, then="restart-exit")
    drivers.append(driver)
    driver.process.wait(timeout=30)
    folder = Path(driver.info["private_dir"])
    owner = json.loads((folder / reaper.OWNER_FILE).read_text())
    assert owner["pid"] == driver.kernel.pid
    reaper.sweep(jupyter_home / "runtime")
    assert folder.exists() and Path(driver.info["connection_file"]).exists()
    assert [c for c in _running_choices() if c.location == driver.info["connection_file"]]


def test_tnb_run_terminated_leaves_no_kernel(kernelspecs: KernelSpecs, tmp_path: Path) -> None:
    notebook = tmp_path / "sleep.ipynb"
    notebook.write_text(
        json.dumps(_notebook("print('started', flush=True)\nimport time\ntime.sleep(600)"))
    )
    tnb = Path(sys.executable).with_name("tnb")
    run = subprocess.Popen(
        [str(tnb), "run", str(notebook), "--kernel", kernelspecs.python],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kernels: list[psutil.Process] = []
    try:
        kernels = _wait_for_kernels(psutil.Process(run.pid))
        folders = [Path(a).parent for a in kernels[0].cmdline() if a.endswith("kernel.json")]
        assert folders and folders[0].exists()
        run.terminate()  # tnb run has no handler: Python dies at once, atexit does not run
        run.wait(timeout=30)
        _wait_gone(kernels, folders)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
        for proc in kernels:
            _kill_quietly(proc)


def _is_ipykernel(proc: psutil.Process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(proc.cmdline())
    except psutil.Error:  # a short-lived child went away between listing and asking
        return False


def _wait_for_kernels(parent: psutil.Process) -> list[psutil.Process]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        kernels = [p for p in parent.children(recursive=True) if _is_ipykernel(p)]
        if kernels:
            return kernels
        time.sleep(0.1)
    raise AssertionError("no kernel was started")


def test_a_killed_kept_kernel_is_not_listed(
    kernelspecs: KernelSpecs, drivers: list[Driver]
) -> None:
    """Its ipc socket files outlive a SIGKILL; the picker must not offer a dead kernel."""
    driver = Driver(kernelspecs.python, transport="ipc", keep=True, then="exit")
    drivers.append(driver)
    driver.process.wait(timeout=30)
    driver.kernel.kill()
    driver.kernel.wait(timeout=30)
    assert any(Path(s).exists() for s in driver.info["sockets"])
    assert not [c for c in _running_choices() if c.location == driver.info["connection_file"]]


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_watchdog_finds_a_kernel_whose_pid_was_never_reported(tmp_path: Path) -> None:
    """tnb died between launching a kernel and reporting its pid: the kernel's argv names
    the folder. This one ignores SIGTERM and knows nothing of JPY_PARENT_PID."""
    folder = tmp_path / "tnb-early"
    folder.mkdir()
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print(flush=True); time.sleep(600)",
            str(folder / "kernel.json"),
        ],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert stubborn.stdout is not None
        stubborn.stdout.readline()  # SIGTERM is ignored from here on
        watchdog = subprocess.Popen(
            [sys.executable, "-S", "-I", reaper.__file__, str(tmp_path)], stdin=subprocess.PIPE
        )
        assert watchdog.stdin is not None
        watchdog.stdin.write(json.dumps({"op": "watch", "dir": str(folder)}).encode() + b"\n")
        watchdog.stdin.close()  # what tnb's death looks like from the watchdog
        assert watchdog.wait(timeout=30) == 0
        assert stubborn.wait(timeout=_GONE_WITHIN) == -signal.SIGKILL
        assert not folder.exists()
    finally:
        if stubborn.poll() is None:
            stubborn.kill()
            stubborn.wait()


def test_sweep_removes_only_folders_of_dead_owners(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale, live, unowned = tmp_path / "tnb-stale", tmp_path / "tnb-live", tmp_path / "tnb-x"
    for folder in (stale, live, unowned):
        folder.mkdir()
    listed = tmp_path / "kernel-tnb-stale.json"
    listed.write_text("{}")
    elsewhere = tmp_path.parent / f"{tmp_path.name}-outside.json"
    elsewhere.write_text("{}")
    reaper.write_owner(stale, dead.pid, [listed, elsewhere])
    reaper.write_owner(live, os.getpid())
    assert reaper.sweep(tmp_path) == [stale]
    assert not stale.exists() and not listed.exists()
    assert live.exists() and unowned.exists()
    assert elsewhere.exists()  # only files in the runtime dir are ever removed
    elsewhere.unlink()


# ----------------------------------------------------------------- secrets and access


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_connection_files_are_private_and_kernels_listen_on_loopback(
    kernelspecs: KernelSpecs, transport: Literal["ipc", "tcp"]
) -> None:
    provider = LocalProvider(transport=transport)
    loop = asyncio.new_event_loop()
    choices = loop.run_until_complete(provider.list_choices())
    choice: KernelChoice = next(c for c in choices if c.name == kernelspecs.python)
    kernel = loop.run_until_complete(provider.start(choice))
    assert isinstance(kernel, RawKernel)
    try:
        assert kernel._manager is not None and kernel._private_dir is not None
        connection_file = Path(kernel._manager.connection_file)
        assert stat.S_IMODE(connection_file.stat().st_mode) == 0o600
        assert kernel._private_dir.stat().st_mode & 0o777 == 0o700  # plus the sticky bit
        info = json.loads(connection_file.read_text())
        assert info["transport"] == transport
        if transport == "tcp":
            assert info["ip"] == "127.0.0.1"
        assert kernel._process is not None
        proc = psutil.Process(kernel._process.pid)
        listening = [c for c in proc.net_connections("inet") if c.status == psutil.CONN_LISTEN]
        if transport == "tcp":
            assert listening  # the check below would pass vacuously otherwise
        assert all(c.laddr.ip in ("127.0.0.1", "::1") for c in listening), listening
        key = info["key"]
        assert key
        for process in (proc, psutil.Process()):
            assert key not in " ".join(process.cmdline())
            assert key not in "".join(process.environ().values())
        watchdog = reaper.CLIENT.pid()
        assert watchdog is not None
        assert key not in " ".join(psutil.Process(watchdog).cmdline())
    finally:
        loop.run_until_complete(kernel.shutdown())
        loop.close()
    assert not kernel._private_dir
    assert not connection_file.exists()


# ----------------------------------------------------------------- the real app


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_app_killed_with_sigkill_leaves_no_kernel(
    kernelspecs: KernelSpecs, tmp_path: Path, jupyter_home: Path
) -> None:
    tnb = Path(sys.executable).with_name("tnb")
    notebook = tmp_path / "nb.ipynb"
    env = " ".join(
        f"{k}={shlex.quote(v)}" for k, v in os.environ.items() if k.startswith(("JUPYTER_", "TNB_"))
    )
    command = (
        f"env {env} TERM=xterm-256color {shlex.quote(str(tnb))} {shlex.quote(str(notebook))} "
        f"--kernel {kernelspecs.python}"
    )
    server = f"tnb-life-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", server]
    subprocess.run([*tmux, "new-session", "-d", "-x", "100", "-y", "30", command], check=True)
    kernels: list[psutil.Process] = []
    try:
        pane = subprocess.run(
            [*tmux, "display-message", "-p", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        app = psutil.Process(int(pane.stdout))
        kernels = _wait_for_kernels(app)
        folders = [Path(a).parent for a in kernels[0].cmdline() if a.endswith("kernel.json")]
        assert folders and folders[0].exists()
        app.kill()
        _wait_gone(kernels, folders)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        for proc in kernels:
            _kill_quietly(proc)
