"""Raw-kernel specifics: faults, death, environment, working folder, files, attach, bash."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
import time
from pathlib import Path

import pytest
import zmq
from jupyter_client.manager import AsyncKernelManager

from tests.fixtures.backends import _pid_alive, raw_traces
from tests.fixtures.kernelspecs import KernelSpecs
from tnb.kernels.events import Error, ExecuteReply, KernelDied, KernelEvent, Stream
from tnb.kernels.protocol import KernelBackend, KernelConnectionError, KernelStartError
from tnb.kernels.raw.kernel import RawKernel
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice

GUARD = 60.0


async def start(name: str, *, startup_timeout: float = 60.0, **kwargs: object) -> KernelBackend:
    provider = LocalProvider(startup_timeout=startup_timeout, **kwargs)  # type: ignore[arg-type]
    choice = select_choice(await provider.list_choices(), wanted=name)
    return await asyncio.wait_for(provider.start(choice), GUARD)


async def run(backend: KernelBackend, code: str) -> list[KernelEvent]:
    async def collect() -> list[KernelEvent]:
        return [e async for e in backend.execute(code)]

    return await asyncio.wait_for(collect(), GUARD)


def stdout(events: list[KernelEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Stream) and e.name == "stdout")


def tnb_dirs(runtime: Path) -> set[Path]:
    return set(runtime.glob("tnb-*"))


def _real_python() -> Path:
    return Path(os.path.realpath(sys.executable))


def _same_folder(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def runtime_dir() -> Path:
    path = Path(os.environ["JUPYTER_RUNTIME_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- faults


async def test_kernel_that_exits_reports_code_and_stderr(
    kernelspecs: KernelSpecs, runtime_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = tnb_dirs(runtime_dir)
    with pytest.raises(KernelStartError) as caught:
        await start(kernelspecs.exits)
    err = caught.value
    assert err.exit_code == 3
    assert "missing frobnicator" in err.stderr_tail
    assert "exited while starting" in err.reason and "tnb fault: exits at once" in str(err)
    # The kernel's stderr went to the tail, never to our terminal.
    assert "missing frobnicator" not in capfd.readouterr().err
    pids = kernelspecs.pids("exits")
    assert pids and not any(_pid_alive(p) for p in pids)
    assert tnb_dirs(runtime_dir) == before


async def test_missing_executable(kernelspecs: KernelSpecs, runtime_dir: Path) -> None:
    before = tnb_dirs(runtime_dir)
    with pytest.raises(KernelStartError) as caught:
        await start(kernelspecs.missing)
    assert "/nonexistent/tnb-no-such-kernel" in caught.value.reason
    assert caught.value.exit_code is None
    assert tnb_dirs(runtime_dir) == before


async def test_silent_kernel_times_out_and_is_killed(
    kernelspecs: KernelSpecs, runtime_dir: Path
) -> None:
    before = tnb_dirs(runtime_dir)
    with pytest.raises(KernelStartError) as caught:
        await start(kernelspecs.silent, startup_timeout=2.0)
    assert "no answer to kernel_info within 2 s" in caught.value.reason
    pids = kernelspecs.pids("silent")
    assert pids and not any(_pid_alive(p) for p in pids)
    assert tnb_dirs(runtime_dir) == before


async def test_unavailable_choice_is_refused(tmp_path: Path) -> None:
    env = tmp_path / "venv"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(_real_python())
    (env / "pyvenv.cfg").write_text("home = /usr\n")
    provider = LocalProvider(notebook_dir=tmp_path)
    choices = await provider.list_choices()
    bare = [c for c in choices if c.location == str(env / "bin" / "python")]
    assert len(bare) == 1 and not bare[0].available
    assert "ipykernel is not installed" in bare[0].reason and "pip install ipykernel" in bare[0].fix
    with pytest.raises(KernelStartError, match="ipykernel is not installed"):
        await provider.start(bare[0])


# --------------------------------------------------------------------------- death


async def test_death_mid_run_ends_execution(kernelspecs: KernelSpecs) -> None:
    backend = await start(kernelspecs.python)
    assert isinstance(backend, RawKernel)
    leftovers = raw_traces(backend)
    statuses: list[str] = []
    backend.on_status = statuses.append
    try:
        events = await run(
            backend, "import os, time\nprint('bye', flush=True)\ntime.sleep(0.2)\nos._exit(7)"
        )
        assert stdout(events) == "bye\n"
        died = events[-1]
        assert isinstance(died, KernelDied) and died.exit_code == 7
        assert "died" in died.reason
        assert backend.status == "dead" and statuses[-1] == "dead"
        again = await run(backend, "1")
        assert len(again) == 1 and isinstance(again[0], KernelDied)
        with pytest.raises(KernelConnectionError):
            await backend.complete("pri", 3)
        # A dead kernel can be restarted.
        await asyncio.wait_for(backend.restart(), GUARD)
        assert stdout(await run(backend, "print('again')")) == "again\n"
    finally:
        await backend.shutdown()
    assert await leftovers() == []


async def test_pending_request_fails_on_death(kernelspecs: KernelSpecs) -> None:
    backend = await start(kernelspecs.python)
    assert isinstance(backend, RawKernel) and backend._process is not None
    pid = backend._process.pid
    try:
        os.kill(pid, signal.SIGSTOP)  # it cannot answer any more
        pending = asyncio.ensure_future(backend.complete("pri", 3))
        await asyncio.sleep(0.2)
        assert not pending.done()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(KernelConnectionError, match="died"):
            await asyncio.wait_for(pending, GUARD)
        assert backend.died is not None and backend.died.exit_code == -signal.SIGKILL
        assert "SIGKILL" in backend.died.reason
    finally:
        await backend.shutdown()


_FORGETFUL = """
import asyncio, sys
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice

async def main():
    provider = LocalProvider()
    kernel = await provider.start(select_choice(await provider.list_choices(), wanted=sys.argv[1]))
    print(kernel._process.pid, kernel._private_dir, flush=True)
    # no shutdown(): the program just ends

asyncio.run(main())
"""


def test_kernels_are_stopped_at_exit_without_shutdown(kernelspecs: KernelSpecs) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _FORGETFUL, kernelspecs.python],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=True,
    )
    pid_text, folder = done.stdout.split()
    assert not _pid_alive(int(pid_text))
    assert not Path(folder).exists()


async def test_output_is_buffered_while_the_loop_stalls(kernelspecs: KernelSpecs) -> None:
    """The iopub receive high-water mark is lifted: a busy UI loses no output."""
    backend = await start(kernelspecs.python_nodrop)
    try:
        text: list[str] = []
        stalled = False
        code = "for i in range(10000):\n    print(i, flush=True)"

        async def go() -> None:
            nonlocal stalled
            async for event in backend.execute(code):
                if not stalled:
                    stalled = True
                    time.sleep(1.5)  # noqa: ASYNC251 (the point: the event loop cannot read)
                if isinstance(event, Stream):
                    text.append(event.text)

        await asyncio.wait_for(go(), GUARD)
        assert "".join(text).splitlines() == [str(i) for i in range(10000)]
        # A stock ipykernel's PUB drops at 1000 queued messages when its reader lags; with
        # the receive side unlimited, tnb's zmq thread drains the kernel while the loop is busy.
        assert isinstance(backend, RawKernel)
        assert backend._sockets["iopub"].getsockopt(zmq.RCVHWM) == 0
    finally:
        await backend.shutdown()


# --------------------------------------------------------------------------- environment


async def test_env_precedence_and_cwd(kernelspecs: KernelSpecs, tmp_path: Path) -> None:
    os.environ["TNB_FROM_USER"] = "user-env"
    try:
        backend = await start(
            kernelspecs.python_message,
            notebook_dir=tmp_path,
            env={"TNB_OVERRIDDEN": "override", "TNB_ONLY_OVERRIDE": "yes"},
        )
    finally:
        del os.environ["TNB_FROM_USER"]
    try:
        code = (
            "import os, json\n"
            "keys = ['TNB_FROM_USER', 'TNB_SPEC_VAR', 'TNB_OVERRIDDEN', 'TNB_ONLY_OVERRIDE',"
            " 'TNB_PATHISH']\n"
            "print(json.dumps({k: os.environ.get(k) for k in keys}))\n"
            "print(os.getcwd())"
        )
        out = stdout(await run(backend, code)).splitlines()
        assert json.loads(out[0]) == {
            "TNB_FROM_USER": "user-env",
            "TNB_SPEC_VAR": "from-spec",
            "TNB_OVERRIDDEN": "override",
            "TNB_ONLY_OVERRIDE": "yes",
            "TNB_PATHISH": os.environ.get("HOME", "${HOME}"),
        }
        assert _same_folder(Path(out[1]), tmp_path)
    finally:
        await backend.shutdown()


def _fake_env(folder: Path) -> Path:
    """A venv-shaped folder whose interpreter reaches ipykernel through a .pth file."""
    real_site = Path(str(__import__("ipykernel").__file__)).parent.parent
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    site = folder / "lib" / version / "site-packages"
    site.mkdir(parents=True)
    (site / "ipykernel").symlink_to(real_site / "ipykernel")
    (site / "tnb_test_real.pth").write_text(str(real_site) + "\n")
    (folder / "bin").mkdir()
    real_python = _real_python()
    (folder / "bin" / "python").symlink_to(real_python)
    (folder / "pyvenv.cfg").write_text(
        f"home = {real_python.parent}\ninclude-system-site-packages = false\n"
    )
    return folder


async def test_environment_beside_notebook_uses_its_interpreter(tmp_path: Path) -> None:
    project = tmp_path / "project"
    notebooks = project / "notebooks"
    notebooks.mkdir(parents=True)
    env = _fake_env(project / ".venv")
    provider = LocalProvider(notebook_dir=notebooks)
    choices = await provider.list_choices()
    mine = [
        c for c in choices if c.kind == "environment" and c.location == str(env / "bin" / "python")
    ]
    assert len(mine) == 1 and mine[0].available, choices
    assert select_choice(choices, language="python") == mine[0]
    backend = await asyncio.wait_for(provider.start(mine[0]), GUARD)
    try:
        code = "import sys, os\nprint(sys.prefix)\nprint(os.environ['PATH'].split(os.pathsep)[0])"
        out = stdout(await run(backend, code)).splitlines()
        assert out[0] == str(env)
        assert Path(out[1]) == env / "bin"
    finally:
        await backend.shutdown()


# --------------------------------------------------------------------------- files


async def test_ipc_files_are_private(kernelspecs: KernelSpecs, runtime_dir: Path) -> None:
    backend = await start(kernelspecs.python, transport="ipc")
    assert isinstance(backend, RawKernel)
    try:
        info = backend.connection_info
        assert info["transport"] == "ipc"
        folder = Path(info["ip"]).parent
        assert folder.parent == runtime_dir
        # jupyter_client adds the sticky bit to a connection file's folder.
        assert _mode(folder) & 0o777 == 0o700
        assert backend._manager is not None
        connection_file = Path(backend._manager.connection_file)
        assert _mode(connection_file) == 0o600
        assert len(os.fsencode(f"{info['ip']}-{info['shell_port']}")) < 107
    finally:
        await backend.shutdown()
    assert not folder.exists()


async def test_tcp_listens_on_loopback(kernelspecs: KernelSpecs) -> None:
    backend = await start(kernelspecs.python, transport="tcp")
    assert isinstance(backend, RawKernel)
    try:
        assert backend.connection_info["transport"] == "tcp"
        assert backend.connection_info["ip"] == "127.0.0.1"
        assert stdout(await run(backend, "print('tcp')")) == "tcp\n"
    finally:
        await backend.shutdown()


async def test_tcp_is_encrypted_when_the_spec_supports_curve() -> None:
    backend = await start("python3", transport="tcp")  # its kernel.json declares curve
    assert isinstance(backend, RawKernel)
    try:
        assert backend.connection_info.get("curve_publickey")
        assert stdout(await run(backend, "print('sealed')")) == "sealed\n"
        assert "without encryption" not in backend.stderr_tail()
    finally:
        await backend.shutdown()


# --------------------------------------------------------------------------- attach


async def test_attach_existing_never_kills(tmp_path: Path) -> None:
    km = AsyncKernelManager(kernel_name="python3", connection_file=str(tmp_path / "k.json"))
    await km.start_kernel(stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        backend = await LocalProvider().attach_existing(tmp_path / "k.json")
        assert backend.choice.kind == "existing"
        assert stdout(await run(backend, "shared = 41\nprint(shared + 1)")) == "42\n"
        with pytest.raises(KernelConnectionError):
            await backend.restart()
        await backend.shutdown()
        assert await km.is_alive()
        again = await LocalProvider().attach_existing(tmp_path / "k.json")
        try:
            # Same kernel, same state: the first attach did not kill it.
            assert stdout(await run(again, "print(shared)")) == "41\n"
            events = await asyncio.wait_for(_interrupted(again), GUARD)
            assert [e.ename for e in events if isinstance(e, Error)] == ["KeyboardInterrupt"]
        finally:
            await again.shutdown()
        assert await km.is_alive()
    finally:
        await km.shutdown_kernel(now=True)


async def _interrupted(backend: KernelBackend) -> list[KernelEvent]:
    events: list[KernelEvent] = []
    async for event in backend.execute(
        "import time\nprint('sleeping', flush=True)\ntime.sleep(60)"
    ):
        events.append(event)
        if type(event).__name__ == "Stream":  # the sleep has begun
            await backend.interrupt()
    return events


async def test_attached_kernel_death_is_noticed(tmp_path: Path) -> None:
    km = AsyncKernelManager(kernel_name="python3", connection_file=str(tmp_path / "k.json"))
    await km.start_kernel(stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        backend = await LocalProvider().attach_existing(tmp_path / "k.json")
        assert isinstance(backend, RawKernel)
        backend.heartbeat_interval = 0.3
        events: list[KernelEvent] = []

        async def go() -> None:
            async for event in backend.execute("import time\ntime.sleep(60)"):
                events.append(event)
                if type(event).__name__ == "ExecuteInput":
                    await km.shutdown_kernel(now=True)  # someone else kills it

        await asyncio.wait_for(go(), GUARD)
        assert isinstance(events[-1], KernelDied) and "heartbeat" in events[-1].reason
        assert backend.status == "dead"
        await backend.shutdown()
    finally:
        if await km.is_alive():
            await km.shutdown_kernel(now=True)


async def test_running_kernels_are_listed_and_attachable(runtime_dir: Path) -> None:
    connection_file = runtime_dir / "kernel-tnb-listed.json"
    km = AsyncKernelManager(kernel_name="python3", connection_file=str(connection_file))
    await km.start_kernel(stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=GUARD)
    client.stop_channels()
    stale = runtime_dir / "kernel-tnb-stale.json"
    stale.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1", "shell_port": 9}))
    try:
        provider = LocalProvider()
        choices = await provider.list_choices()
        running = {c.location: c for c in choices if c.kind == "running"}
        assert str(connection_file) in running and str(stale) not in running
        backend = await asyncio.wait_for(provider.start(running[str(connection_file)]), GUARD)
        assert stdout(await run(backend, "print('attached')")) == "attached\n"
        await backend.shutdown()
        assert await km.is_alive()
    finally:
        stale.unlink()
        await km.shutdown_kernel(now=True)


async def test_attach_to_nothing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KernelConnectionError, match="cannot read connection file"):
        await LocalProvider().attach_existing(tmp_path / "missing.json")


# --------------------------------------------------------------------------- bash


async def test_bash_kernel(kernelspecs: KernelSpecs) -> None:
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel could not be installed here")
    backend = await start(kernelspecs.bash)
    try:
        assert backend.info is not None and backend.info.language == "bash"
        events = await run(backend, "echo hello from bash\nX=5")
        assert stdout(events) == "hello from bash\n"
        assert stdout(await run(backend, "echo $((X * 2))")) == "10\n"
        events = await run(backend, "false")
        assert isinstance(events[-1], ExecuteReply) and events[-1].status == "error"
        completion = await asyncio.wait_for(backend.complete("ech", 3), GUARD)
        assert "echo" in completion.matches
    finally:
        await backend.shutdown()


# --------------------------------------------------------------------------- xeus-python


async def test_xeus_python_a_native_wire_stack() -> None:
    provider = LocalProvider()
    choices = await provider.list_choices()
    if not any(c.name == "xpython" for c in choices):
        pytest.skip("xeus-python is not installed")
    # Default transport: ipc first; xeus-python 0.19 dies on long ipc paths, tcp then works.
    backend = await start("xpython")
    try:
        assert backend.info is not None
        assert backend.info.implementation == "xeus-python"
        assert stdout(await run(backend, "print('xeus')")) == "xeus\n"
        # 100, not 10,000: under CPU load xeus-python drops flushed iopub messages inside
        # the kernel (bare jupyter_client loses them too); completeness under floods is the
        # contract suite's job, this test shows a native kernel streams through tnb.
        events = await run(backend, "for i in range(100):\n    print(i, flush=True)")
        assert stdout(events).splitlines() == [str(i) for i in range(100)]
        completion = await asyncio.wait_for(backend.complete("pri", 3), GUARD)
        assert "print" in completion.matches
    finally:
        await backend.shutdown()
