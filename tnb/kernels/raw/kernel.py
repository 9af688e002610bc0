"""RawKernel: a kernel process tnb launches itself and talks to over ZeroMQ (ipc or tcp)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import zmq
import zmq.asyncio
from jupyter_client.connect import ConnectionFileMixin
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.session import Session
from jupyter_core.paths import jupyter_runtime_dir

from tnb.kernels import messages
from tnb.kernels.comms import CommEndpoint, CommRouter
from tnb.kernels.debugging import DebugEndpoint
from tnb.kernels.events import (
    KernelDied,
    KernelEvent,
    KernelStatus,
)
from tnb.kernels.execution import Inbox, run_execution
from tnb.kernels.protocol import (
    Completion,
    Inspection,
    KernelChoice,
    KernelConnectionError,
    KernelInfo,
    KernelStartError,
)
from tnb.kernels.raw import reaper
from tnb.kernels.raw.child_env import child_environment

log = logging.getLogger(__name__)

# Kernels this process started and has not shut down: stopped at exit even if nobody awaited
# shutdown() (a crash, a forgotten await). Deaths that skip atexit (SIGKILL, an unhandled
# SIGTERM) are covered by the watchdog in reaper.py; ipykernel also polls its parent.
_LIVE: set[RawKernel] = set()


@atexit.register
def _stop_leftover_kernels() -> None:
    for kernel in list(_LIVE):
        kernel._kill_now()
    reaper.CLIENT.close()


Transport = Literal["ipc", "tcp"]
Channel = Literal["shell", "iopub", "stdin", "control"]
MessageHook = Callable[[str, dict[str, Any]], None]

# Linux's sun_path holds 108 bytes with the NUL (104 on macOS); `<ip>-<port>` must fit.
_MAX_IPC_PATH = 103 if sys.platform == "darwin" else 107
# After the execute_reply, wait this long for iopub's idle with no iopub traffic at all
# before giving up on it (a kernel-side high-water mark can drop it).
_IDLE_GRACE = 10.0
# How many bytes of the kernel's stdout/stderr we keep for error reports.
_TAIL_BYTES = 8192
_TAIL_LINES = 40


@dataclass(frozen=True)
class LaunchSpec:
    """An in-memory kernelspec: what to run and how to talk to it."""

    name: str
    display_name: str
    language: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    interrupt_mode: str = "signal"
    resource_dir: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    # The environment's interpreter folder, prepended to PATH (environment-bound kernels).
    bin_dir: str | None = None


def ipc_available() -> bool:
    """Whether this zmq build has Unix-domain-socket transport."""
    return sys.platform != "win32" and bool(zmq.has("ipc"))


def kernel_env(
    spec: LaunchSpec,
    overrides: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """os.environ (less tnb's own secrets), then the spec's env (``${VAR}`` expanded as
    Jupyter does), then overrides."""
    env = child_environment(base)
    substituted = {k: string.Template(v).safe_substitute(env) for k, v in spec.env.items()}
    env.update(substituted)
    if spec.bin_dir:
        env["PATH"] = spec.bin_dir + os.pathsep + env.get("PATH", os.defpath)
        prefix = Path(spec.bin_dir).parent
        if (prefix / "pyvenv.cfg").exists():
            env["VIRTUAL_ENV"] = str(prefix)
    env.update(overrides or {})
    return env


class _Tail(asyncio.Protocol):
    """Reads one of the kernel's output pipes, keeping only the last few kilobytes."""

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        while self.size > _TAIL_BYTES and len(self.chunks) > 1:
            self.size -= len(self.chunks.popleft())

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def text(self) -> str:
        raw = b"".join(self.chunks)[-_TAIL_BYTES:]
        lines = raw.decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-_TAIL_LINES:])


def _private_ipc_dir() -> Path:
    """A fresh 0700 folder for one kernel's sockets, preferably under the Jupyter runtime dir."""
    candidates = [Path(jupyter_runtime_dir()), Path(tempfile.gettempdir())]
    for base in candidates:
        with contextlib.suppress(OSError):
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = Path(tempfile.mkdtemp(prefix="tnb-", dir=base))  # mkdtemp makes it 0700
            if len(os.fsencode(str(folder / "k-65535"))) < _MAX_IPC_PATH:
                return folder
            folder.rmdir()
    raise OSError("no folder with a short enough path for ipc sockets")


def _url(info: Mapping[str, Any], channel: str) -> str:
    transport = info.get("transport", "tcp")
    port = info[f"{channel}_port"]
    if transport == "ipc":
        return f"ipc://{info['ip']}-{port}"
    return f"tcp://{info['ip']}:{port}"


def _apply_curve(sock: zmq.Socket[Any], info: Mapping[str, Any]) -> None:
    """Encrypt with the connection file's CurveZMQ keypair, as jupyter_client's clients do."""
    public, secret = info.get("curve_publickey"), info.get("curve_secretkey")
    if public and secret:
        public_b = public.encode() if isinstance(public, str) else public
        sock.curve_secretkey = secret.encode() if isinstance(secret, str) else secret
        sock.curve_publickey = public_b
        sock.curve_serverkey = public_b


class RawKernel(CommEndpoint, DebugEndpoint):
    """A kernel over ZeroMQ: started by tnb (``start``) or attached to (``attach``).

    One reader task per channel routes messages by ``parent_header.msg_id``.
    ``message_hook(channel, msg)`` sees every message received (tests validate them).
    ``on_status(status)`` is called whenever the status changes, e.g. on death.
    """

    def __init__(
        self,
        choice: KernelChoice,
        session: Session,
        connection_info: dict[str, Any],
        *,
        manager: AsyncKernelManager | None = None,
        private_dir: Path | None = None,
        interrupt_mode: str = "signal",
        keep: bool = False,
    ) -> None:
        self.choice = choice
        # Started with --keep-kernel: it outlives tnb, shutdown() only disconnects.
        self.keep = keep
        self.message_hook: MessageHook | None = None
        self.on_status: Callable[[KernelStatus], None] | None = None
        self.died: KernelDied | None = None
        self.info: KernelInfo | None = None
        self.connection_info = connection_info
        self._session = session
        self._manager = manager
        self._private_dir = private_dir
        self._interrupt_mode = interrupt_mode
        self._status: KernelStatus = "starting"
        self._routes: dict[str, Inbox] = {}
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.comms = CommRouter(self._send_shell)
        self._sockets: dict[str, zmq.asyncio.Socket] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._shell_ready = asyncio.Event()
        self._iopub_seen = asyncio.Event()
        self._probes: set[str] = set()  # msg_ids of the kernel_info requests of _wait_ready
        self._closing = False
        self._restarting = False
        self._process: subprocess.Popen[bytes] | None = None
        self._exited: asyncio.Future[int] | None = None
        self._tails: list[_Tail] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._pidfd: int | None = None
        self._death_task: asyncio.Task[None] | None = None
        # Attached kernels have no process to watch: a heartbeat says when they are gone.
        self.heartbeat_interval = 3.0
        self._startup_timeout = 60.0
        self.heartbeat_misses = 3

    # ----------------------------------------------------------------- creation

    @classmethod
    async def start(
        cls,
        spec: LaunchSpec,
        choice: KernelChoice,
        *,
        cwd: Path | None = None,
        transport: Transport | None = None,
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
        session_name: str = "",
        keep: bool = False,
    ) -> RawKernel:
        """Launch ``spec`` and return once it answers kernel_info.

        Unless ``keep``, the kernel is stopped and its files removed when this process ends,
        however it ends (see reaper.py). With ``keep`` it outlives tnb: its connection file
        sits in the Jupyter runtime dir (``kernel-tnb-*.json``) for ``attach`` to find.

        With ``transport=None``, ipc where zmq has it; a kernel that dies at once over ipc
        is tried once more over tcp (xeus-python 0.19 exits with "Invalid argument" when
        its ipc path is longer than 23 characters, as any path under the runtime dir is).

        Raises:
            KernelStartError: the executable is missing, the process exited, or it stayed
                silent for ``startup_timeout`` seconds; no process is left behind.
        """
        options: dict[str, Any] = {
            "cwd": cwd,
            "env": env,
            "startup_timeout": startup_timeout,
            "session_name": session_name,
            "keep": keep,
        }
        if transport is not None or not ipc_available():
            return await cls._start(spec, choice, transport=transport or "tcp", **options)
        try:
            return await cls._start(spec, choice, transport="ipc", **options)
        except KernelStartError as exc:
            if exc.exit_code is None:
                raise  # missing executable or silent: tcp would not help
            log.info("%s died at start over ipc; trying tcp", spec.name)
            try:
                return await cls._start(spec, choice, transport="tcp", **options)
            except KernelStartError:
                raise exc from None

    @classmethod
    async def _start(
        cls,
        spec: LaunchSpec,
        choice: KernelChoice,
        *,
        transport: Transport,
        cwd: Path | None,
        env: Mapping[str, str] | None,
        startup_timeout: float,
        session_name: str,
        keep: bool,
    ) -> RawKernel:
        private_dir: Path | None = None
        if transport == "ipc":
            try:
                private_dir = _private_ipc_dir()
            except OSError:
                transport = "tcp"
        if private_dir is None:
            private_dir = Path(tempfile.mkdtemp(prefix="tnb-", dir=_runtime_dir()))
        ip = str(private_dir / "k") if transport == "ipc" else "127.0.0.1"
        if keep:
            connection_file = _runtime_dir() / f"kernel-{private_dir.name}.json"
        else:
            connection_file = private_dir / "kernel.json"
            reaper.write_owner(private_dir, os.getpid())
            # Before the launch: a death between it and _watch_process still cleans up.
            reaper.CLIENT.watch(private_dir, _runtime_dir())
        km = AsyncKernelManager(
            kernel_name=spec.name,
            transport=transport,
            ip=ip,
            connection_file=str(connection_file),
        )
        km.shutdown_wait_time = 3.0
        # tcp is reachable by every local user: CurveZMQ where the kernelspec supports it.
        # ipc sockets sit in a 0700 folder and need no more.
        km.transport_encryption = "auto" if transport == "tcp" else "disabled"
        # env stays out of the spec: the provisioner would apply it on top of our overrides.
        km._kernel_spec = KernelSpec(
            argv=list(spec.argv),
            display_name=spec.display_name,
            language=spec.language,
            env={},
            interrupt_mode=spec.interrupt_mode,
            resource_dir=spec.resource_dir,
            metadata=dict(spec.metadata),
        )
        full_env = kernel_env(spec, env)
        if session_name:
            full_env.setdefault("JPY_SESSION_NAME", session_name)
        kernel = cls(
            choice,
            km.session,
            {},
            manager=km,
            private_dir=private_dir,
            interrupt_mode=spec.interrupt_mode,
            keep=keep,
        )
        try:
            # independent: jupyter_client then sets no JPY_PARENT_PID, so ipykernel does not
            # exit with tnb.
            await kernel._launch(
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=full_env,
                cwd=str(cwd) if cwd else None,
                independent=keep,
            )
            kernel.connection_info = dict(km.get_connection_info())
            kernel._open_sockets()
            kernel._startup_timeout = startup_timeout
            await kernel._wait_ready(startup_timeout)
        except BaseException:
            await kernel._abandon()
            raise
        if keep:
            # Else the manager's __del__ deletes the connection file when tnb exits.
            km._connection_file_written = False
        else:
            _LIVE.add(kernel)
        return kernel

    @classmethod
    async def attach(cls, connection_file: Path, choice: KernelChoice) -> RawKernel:
        """Connect to a kernel someone else started; ``shutdown`` only disconnects."""
        holder = ConnectionFileMixin(connection_file=str(connection_file))
        try:
            holder.load_connection_file()
        except (OSError, ValueError) as exc:
            raise KernelConnectionError(
                f"cannot read connection file {connection_file}: {exc}"
            ) from exc
        info = dict(holder.get_connection_info())
        session = Session(
            key=info.get("key", b""), signature_scheme=info.get("signature_scheme", "hmac-sha256")
        )
        kernel = cls(choice, session, info, interrupt_mode="message")
        kernel._open_sockets()
        try:
            await kernel._wait_ready(10.0)
        except KernelStartError as exc:
            await kernel.shutdown()
            raise KernelConnectionError(
                f"no kernel answered at {connection_file} within 10 s"
            ) from exc
        kernel._tasks.append(asyncio.ensure_future(kernel._heartbeat()))
        return kernel

    async def _launch(self, **kw: Any) -> None:
        km = self._manager
        assert km is not None
        try:
            await km.start_kernel(**kw)
        except OSError as exc:
            argv0 = km.kernel_spec.argv[0] if km.kernel_spec else "?"
            raise KernelStartError(
                self.choice.display_name, f"cannot run {argv0!r}: {exc.strerror or exc}"
            ) from exc
        await self._watch_process()

    async def _watch_process(self) -> None:
        km = self._manager
        assert km is not None and km.provisioner is not None
        process: subprocess.Popen[bytes] = km.provisioner.process  # type: ignore[attr-defined]
        self._process = process
        if self._private_dir is not None and self.keep:
            # Stale once the kernel itself is gone: a later tnb's sweep removes both.
            reaper.write_owner(self._private_dir, process.pid, [Path(km.connection_file)])
        elif self._private_dir is not None:
            reaper.CLIENT.watch(self._private_dir, _runtime_dir(), process.pid)
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[int] = loop.create_future()
        self._exited = exited
        self._tails = []
        for pipe in (process.stdout, process.stderr):
            if pipe is None:
                continue
            tail = _Tail()
            transport, _ = await loop.connect_read_pipe(lambda t=tail: t, pipe)  # type: ignore[misc]
            self._transports.append(transport)
            self._tails.append(tail)

        def reaped() -> None:
            code = process.poll()
            if code is None:
                return
            self._stop_pidfd()
            if not exited.done():
                exited.set_result(code)
            if process is self._process and not self._closing and not self._restarting:
                self._death_task = asyncio.ensure_future(self._on_death(code))

        try:
            pidfd = os.pidfd_open(process.pid)
        except (AttributeError, OSError):
            self._tasks.append(asyncio.ensure_future(self._poll_process(process, reaped)))
        else:
            self._pidfd = pidfd
            loop.add_reader(pidfd, reaped)

    async def _poll_process(
        self, process: subprocess.Popen[bytes], reaped: Callable[[], None]
    ) -> None:
        # Fallback where pidfd_open is missing (macOS, old Linux): a cheap poll.
        while process.poll() is None:  # noqa: ASYNC110 (nothing to wait on but the clock)
            await asyncio.sleep(0.2)
        reaped()

    def _stop_pidfd(self) -> None:
        if self._pidfd is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._pidfd)
            with contextlib.suppress(OSError):
                os.close(self._pidfd)
            self._pidfd = None

    def stderr_tail(self) -> str:
        """The last lines the kernel wrote to stderr (and stdout)."""
        return "\n".join(t.text() for t in reversed(self._tails) if t.text())

    async def _drained_tail(self) -> str:
        # The pipes hold what the process wrote just before dying; give them a moment.
        waits = [t.closed for t in self._tails if not t.closed.done()]
        if waits:
            await asyncio.wait(waits, timeout=0.5)
        return self.stderr_tail()

    def _open_sockets(self) -> None:
        ctx = zmq.asyncio.Context.instance()
        info = self.connection_info
        if self._manager is not None:
            info = dict(self._manager.get_connection_info())
            self.connection_info = info
        kinds = {"shell": zmq.DEALER, "iopub": zmq.SUB, "stdin": zmq.DEALER, "control": zmq.DEALER}
        for channel, kind in kinds.items():
            sock = ctx.socket(kind)
            sock.linger = 0
            # Reconnect fast: the kernel binds a few hundred ms after launch.
            sock.setsockopt(zmq.RECONNECT_IVL, 10)
            sock.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
            _apply_curve(sock, info)
            if channel in ("shell", "stdin"):
                # The kernel sends input_request to the identity that sent execute_request.
                sock.setsockopt(zmq.IDENTITY, self._session.bsession)
            if channel == "iopub":
                # zmq's default HWM (1000) silently drops output under a print loop.
                sock.setsockopt(zmq.RCVHWM, 0)
                sock.setsockopt(zmq.SUBSCRIBE, b"")
            sock.connect(_url(info, channel))
            self._sockets[channel] = sock
            self._tasks.append(asyncio.ensure_future(self._read(channel, sock)))

    async def _wait_ready(self, limit: float) -> None:
        deadline = time.monotonic() + limit
        self._shell_ready.clear()
        self._iopub_seen.clear()
        self._probes.clear()
        exited = self._exited
        ready = asyncio.ensure_future(self._both_ready())
        interval = 0.05
        try:
            while True:
                await self._send_probe()
                waits: set[asyncio.Future[Any]] = {ready}
                if exited is not None:
                    waits.add(exited)
                remaining = deadline - time.monotonic()
                await asyncio.wait(
                    waits,
                    timeout=max(0.0, min(interval, remaining)),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if exited is not None and exited.done():
                    tail = await self._drained_tail()
                    raise KernelStartError(
                        self.choice.display_name,
                        "the kernel process exited while starting",
                        exit_code=exited.result(),
                        stderr_tail=tail,
                    )
                if ready.done():
                    break
                if time.monotonic() >= deadline:
                    raise KernelStartError(
                        self.choice.display_name,
                        f"no answer to kernel_info within {limit:g} s",
                        stderr_tail=self.stderr_tail(),
                    )
                # Only iopub may still be missing; a fresh kernel_info makes it publish.
                interval = 0.05 if self._shell_ready.is_set() else min(interval * 2, 1.0)
        finally:
            ready.cancel()
        self._set_status("idle")

    async def _send_probe(self) -> None:
        msg = self._session.msg("kernel_info_request", {})
        self._probes.add(str(msg["header"]["msg_id"]))  # before sending: replies can be quick
        sock = self._sockets.get("shell")
        if sock is None:
            raise KernelConnectionError("the kernel connection is closed")
        await sock.send_multipart(self._session.serialize(msg))

    async def _both_ready(self) -> None:
        await self._shell_ready.wait()
        await self._iopub_seen.wait()

    async def _heartbeat(self) -> None:
        """Ping the hb channel; after ``heartbeat_misses`` silent intervals the kernel is dead."""
        ctx = zmq.asyncio.Context.instance()
        url = _url(self.connection_info, "hb")
        misses = 0
        sock: zmq.asyncio.Socket | None = None
        try:
            while self.died is None:
                if sock is None:
                    sock = ctx.socket(zmq.REQ)
                    sock.linger = 0
                    _apply_curve(sock, self.connection_info)
                    sock.connect(url)
                await sock.send(b"ping")
                if await sock.poll(int(self.heartbeat_interval * 1000)):
                    await sock.recv()
                    misses = 0
                    await asyncio.sleep(self.heartbeat_interval)
                    continue
                # A REQ socket without its reply is stuck: start over with a new one.
                sock.close(linger=0)
                sock = None
                misses += 1
                if misses >= self.heartbeat_misses:
                    died = KernelDied(reason="the attached kernel stopped answering its heartbeat")
                    self.died = died
                    self._end_pending(died)
                    self._set_status("dead")
        finally:
            if sock is not None:
                sock.close(linger=0)

    def _kill_now(self) -> None:
        """Synchronous last resort at interpreter exit: kill the process group, drop files."""
        process = self._process
        if self._manager is not None and process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                process.kill()
            with contextlib.suppress(Exception):
                process.wait(timeout=2)
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            reaper.CLIENT.forget(self._private_dir)

    async def _abandon(self) -> None:
        """Start failed: stop whatever runs, keep the error."""
        self._closing = True
        km = self._manager
        if km is not None:
            with contextlib.suppress(Exception):
                if km.has_kernel:
                    await km.shutdown_kernel(now=True)
                else:
                    await km.cleanup_resources()
        await self._close_io()

    # ----------------------------------------------------------------- reading

    async def _read(self, channel: str, sock: zmq.asyncio.Socket) -> None:
        session = self._session
        while True:
            parts = await sock.recv_multipart()
            try:
                msg = _deserialize(session, parts)
            except Exception:  # a bad signature or garbage: never kill the reader
                log.warning("dropped an unreadable %s message", channel, exc_info=True)
                continue
            self._dispatch(channel, msg)

    def _dispatch(self, channel: str, msg: dict[str, Any]) -> None:
        if self.message_hook is not None:
            self.message_hook(channel, msg)
        kind = messages.msg_type(msg)
        pid = messages.parent_id(msg)
        if channel == "iopub":
            # Only our readiness probes (or JEP 65's welcome) prove the subscription reaches
            # this process: after a restart, late messages of the old one still arrive.
            if kind == "iopub_welcome" or pid in self._probes:
                self._iopub_seen.set()
            if kind == "status" and not self._restarting and self.died is None:
                state = messages.busy_state(msg)
                if state in ("busy", "idle"):
                    self._set_status(state)
        elif channel == "shell" and kind == "kernel_info_reply":
            self.info = messages.kernel_info_from_reply(msg["content"])
            if pid in self._probes:
                self._shell_ready.set()
        if self.comms.route(channel, msg) or self._route_debug(channel, msg):
            return
        route = self._routes.get(pid)
        if route is not None:
            route.put_nowait((channel, msg))
            return
        fut = self._pending.get(pid)
        if fut is not None and channel != "iopub" and not fut.done():
            fut.set_result(msg)

    def _set_status(self, status: KernelStatus) -> None:
        if status != self._status:
            self._status = status
            if self.on_status is not None:
                self.on_status(status)

    async def _on_death(self, code: int) -> None:
        tail = await self._drained_tail()
        if self._closing or self._restarting:
            return
        reason = f"kernel {self.choice.display_name!r} died"
        if code < 0:
            with contextlib.suppress(ValueError):
                reason += f" (killed by {signal.Signals(-code).name})"
        died = KernelDied(reason=reason, exit_code=code, stderr_tail=tail)
        self.died = died
        self._end_pending(died)
        self._set_status("dead")

    def _end_pending(self, died: KernelDied) -> None:
        self.comms.closed_all()
        for queue in self._routes.values():
            queue.put_nowait(died)
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(KernelConnectionError(died.reason))

    # ----------------------------------------------------------------- sending

    async def send_raw(
        self,
        channel: Channel,
        msg_type: str,
        content: dict[str, Any],
        parent: dict[str, Any] | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        buffers: Sequence[bytes] = (),
    ) -> str:
        """Send one message; returns its msg_id. Replies reach ``message_hook`` only."""
        msg = self._session.msg(msg_type, content, parent=parent, metadata=metadata)
        sock = self._sockets.get(channel)
        if sock is None:
            raise KernelConnectionError("the kernel connection is closed")
        await sock.send_multipart([*self._session.serialize(msg), *buffers])
        return str(msg["header"]["msg_id"])

    async def _send_shell(
        self,
        msg_type: str,
        content: dict[str, Any],
        metadata: dict[str, Any],
        buffers: Sequence[bytes],
    ) -> str:
        if self.died is not None:
            raise KernelConnectionError(self.died.reason)
        return await self.send_raw("shell", msg_type, content, metadata=metadata, buffers=buffers)

    async def _request_shell(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        return await self._request("shell", msg_type, content)

    async def _request_control(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        return await self._request("control", msg_type, content)

    async def _request(
        self, channel: Channel, msg_type: str, content: dict[str, Any]
    ) -> dict[str, Any]:
        if self.died is not None:
            raise KernelConnectionError(self.died.reason)
        msg = self._session.msg(msg_type, content)
        msg_id = str(msg["header"]["msg_id"])
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = fut
        try:
            sock = self._sockets.get(channel)
            if sock is None:
                raise KernelConnectionError("the kernel connection is closed")
            await sock.send_multipart(self._session.serialize(msg))
            reply = await fut
        finally:
            self._pending.pop(msg_id, None)
        content_: dict[str, Any] = reply.get("content") or {}
        return content_

    # ----------------------------------------------------------------- protocol

    @property
    def status(self) -> KernelStatus:
        """starting | idle | busy | restarting | dead."""
        return self._status

    @property
    def owned(self) -> bool:
        """True when tnb started this kernel (and so may stop it)."""
        return self._manager is not None

    @property
    def connection_file(self) -> Path | None:
        """Where a kept (``keep=True``) kernel's connection file is, for ``tnb --existing``."""
        km = self._manager
        return Path(km.connection_file) if km is not None and self.keep else None

    async def execute(
        self, code: str, *, allow_stdin: bool = True, silent: bool = False
    ) -> AsyncIterator[KernelEvent]:
        """Run ``code``; yields events and ends with ExecuteReply or KernelDied."""
        if self.died is not None:
            yield self.died
            return
        content = messages.execute_content(code, silent=silent, allow_stdin=allow_stdin)
        msg = self._session.msg("execute_request", content)
        msg_id = str(msg["header"]["msg_id"])
        inbox = Inbox()
        self._routes[msg_id] = inbox
        try:
            sock = self._sockets.get("shell")
            if sock is None:
                yield KernelDied(reason="the kernel connection is closed")
                return
            await sock.send_multipart(self._session.serialize(msg))
            run = run_execution(
                inbox,
                next_item=inbox.get,
                input_replier=self._input_replier,
                idle_grace=_IDLE_GRACE,
            )
            async with contextlib.aclosing(run) as events:
                async for event in events:
                    yield event
        finally:
            self._routes.pop(msg_id, None)

    def _input_replier(self, request: dict[str, Any]) -> Callable[[str], Awaitable[None]]:
        async def reply(text: str) -> None:
            await self.send_raw("stdin", "input_reply", {"value": text}, parent=request)

        return reply

    async def complete(self, code: str, cursor_pos: int) -> Completion:
        """Ask the kernel for completions at ``cursor_pos``."""
        content = await self._request(
            "shell", "complete_request", {"code": code, "cursor_pos": cursor_pos}
        )
        return messages.completion_from_reply(content, cursor_pos)

    async def inspect(self, code: str, cursor_pos: int, detail_level: int = 0) -> Inspection:
        """Ask the kernel for help on the name at ``cursor_pos``."""
        content = await self._request(
            "shell",
            "inspect_request",
            messages.inspect_content(code, cursor_pos, detail_level),
        )
        return messages.inspection_from_reply(content)

    async def is_complete(self, code: str) -> str:
        """'complete', 'incomplete', 'invalid' or 'unknown'."""
        content = await self._request("shell", "is_complete_request", {"code": code})
        return messages.is_complete_from_reply(content)

    async def history(self, n: int = 10) -> list[tuple[int, int, str]]:
        """The last ``n`` inputs as (session, line, source)."""
        content = await self._request(
            "shell",
            "history_request",
            messages.history_tail_content(n),
        )
        return messages.history_from_reply(content)

    async def kernel_info(self) -> KernelInfo:
        """Ask the kernel who it is."""
        content = await self._request("shell", "kernel_info_request", {})
        self.info = messages.kernel_info_from_reply(content)
        return self.info

    async def interrupt(self) -> None:
        """Interrupt the running code: SIGINT or interrupt_request, as the kernelspec says."""
        km = self._manager
        if km is not None and self._interrupt_mode == "signal":
            if km.has_kernel and self.died is None:
                await km.interrupt_kernel()
            return
        with contextlib.suppress(KernelConnectionError, TimeoutError):
            await asyncio.wait_for(self._request("control", "interrupt_request", {}), 10.0)

    async def restart(self) -> None:
        """Restart the process with the same ports and key; state is lost.

        Raises:
            KernelConnectionError: the kernel was only attached to.
            KernelStartError: the new process did not come up.
        """
        km = self._manager
        if km is None:
            raise KernelConnectionError("tnb did not start this kernel, so it cannot restart it")
        self._restarting = True
        self._set_status("restarting")
        self._end_pending(KernelDied(reason="the kernel was restarted"))
        try:
            self._stop_pidfd()
            for transport in self._transports:
                transport.close()
            self._transports = []
            if self.keep and self._private_dir is not None:
                # The old pid dies first: until the new one runs, tnb vouches for the folder.
                reaper.write_owner(self._private_dir, os.getpid(), [Path(km.connection_file)])
            await km.restart_kernel(now=False)
            if self.keep:
                km._connection_file_written = False  # rewritten: keep it past tnb's exit
            await self._watch_process()
            self.died = None
            self._restarting = False
            await self._wait_ready(self._startup_timeout)
        except BaseException:
            self._restarting = False
            self.died = KernelDied(reason="the kernel did not come back after a restart")
            self._set_status("dead")
            raise
        finally:
            self._restarting = False

    async def shutdown(self) -> None:
        """Stop the kernel if tnb started it (request, terminate, kill), else disconnect."""
        if self._closing:
            return
        self._closing = True
        gone = KernelDied(reason="the kernel was shut down")
        self._end_pending(gone)
        killed_already = self.died is not None
        self.died = self.died or gone
        km = self._manager
        if km is not None and self.keep and self.died is gone:
            # Kept on purpose: disconnect, leave the process, its sockets and connection file.
            self._private_dir = None
        elif km is not None:
            with contextlib.suppress(Exception):
                await km.shutdown_kernel(now=killed_already)
        await self._close_io()
        _LIVE.discard(self)
        self._set_status("dead")

    async def _close_io(self) -> None:
        self._stop_pidfd()
        tasks = self._tasks + ([self._death_task] if self._death_task else [])
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []
        for sock in self._sockets.values():
            sock.close(linger=0)
        self._sockets = {}
        for transport in self._transports:
            transport.close()
        self._transports = []
        if self._process is not None:
            for pipe in (self._process.stdout, self._process.stderr):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            reaper.CLIENT.forget(self._private_dir)
            self._private_dir = None


def _deserialize(session: Session, parts: list[bytes]) -> dict[str, Any]:
    """A received message, its content frame freed as soon as it is decoded.

    jupyter_client keeps the frame until the content is parsed: a 50 MB output then holds the
    bytes, their decoded text and the parsed value at once (150 MB). Here the bytes go first,
    so the peak is the text and the value (the signature is still checked by ``deserialize``).
    """
    _idents, rest = session.feed_identities(parts)
    parts.clear()
    msg = session.deserialize(rest, content=False)
    rest.clear()
    box = [msg.pop("content")]  # the only reference: decoding the box's item frees the bytes
    text = bytes(box.pop()).decode("utf8", "replace")
    msg["content"] = session.unpack(text)
    return msg


def _runtime_dir() -> Path:
    path = Path(jupyter_runtime_dir())
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
