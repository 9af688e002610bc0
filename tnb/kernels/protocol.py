"""The one KernelBackend protocol the UI and runner see, and the providers that start kernels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from tnb.kernels.events import (
    CommHandler,
    KernelDied,
    KernelEvent,
    KernelStatus,
    OutputHandler,
)

BackendKind = Literal["raw", "server"]


class KernelStartError(RuntimeError):
    """A kernel could not start: says which kernel, its exit code and its stderr tail."""

    def __init__(
        self, kernel: str, reason: str, *, exit_code: int | None = None, stderr_tail: str = ""
    ) -> None:
        self.kernel = kernel
        self.reason = reason
        self.exit_code = exit_code
        self.stderr_tail = stderr_tail
        msg = f"kernel {kernel!r} could not start: {reason}"
        if exit_code is not None:
            msg += f" (exit code {exit_code})"
        if stderr_tail:
            msg += f"\n--- last lines of its stderr ---\n{stderr_tail}"
        super().__init__(msg)


class KernelConnectionError(RuntimeError):
    """A kernel or server could not be reached, refused us, or went away."""


@dataclass(frozen=True)
class KernelSpecRef:
    """The kernelspec a kernel runs, as a notebook's ``metadata.kernelspec`` records it."""

    name: str
    display_name: str
    language: str = ""


@dataclass(frozen=True)
class KernelChoice:
    """Something that can be started or attached to, and through which backend.

    ``key`` is unique within a provider; ``available`` is False (with ``reason`` and
    ``fix``) for entries listed only to explain why they cannot be used.
    """

    key: str
    backend: BackendKind
    kind: Literal["spec", "environment", "running", "session", "existing"]
    name: str  # kernelspec name ("python3", "bash"), or the kernel id for running ones
    display_name: str
    language: str
    location: str  # a folder, an interpreter path, a server URL (never with a token)
    available: bool = True
    reason: str = ""
    fix: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # For a running kernel or session: the kernelspec it was started from, when known.
    spec: KernelSpecRef | None = field(default=None, compare=False, hash=False)

    def kernelspec(self) -> KernelSpecRef | None:
        """What a notebook run on this choice should name as its kernelspec, if known.

        Never a running kernel's id or connection file: other front ends look the name up
        among their kernelspecs.
        """
        if self.spec is not None:
            return self.spec
        if self.kind == "spec":
            return KernelSpecRef(self.name, self.display_name, self.language)
        if self.kind == "environment":
            # As VS Code saves it: the standard name, so JupyterLab reopens it on Python, and a
            # display name that says which environment ran it.
            return KernelSpecRef("python3", self.display_name, self.language)
        return None


@dataclass(frozen=True)
class Completion:
    """complete_reply: replace ``code[cursor_start:cursor_end]`` with one of ``matches``."""

    matches: list[str]
    cursor_start: int
    cursor_end: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Inspection:
    """inspect_reply: ``data`` is a mime bundle (text/plain has ANSI colours)."""

    found: bool
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KernelInfo:
    """The interesting parts of kernel_info_reply."""

    implementation: str
    language: str
    language_info: dict[str, Any]
    banner: str
    protocol_version: str
    debugger: bool = False  # it answers the Jupyter debug protocol (debug_request, DAP)


@runtime_checkable
class KernelBackend(Protocol):
    """A running kernel, raw or on a server; the UI never knows which."""

    choice: KernelChoice
    on_debug_event: Callable[[dict[str, Any]], None] | None
    """Set by a debugger front end: called on the event loop with each ``debug_event``'s
    content (a DAP event: stopped, continued, output, ...)."""
    on_status: Callable[[KernelStatus], None] | None
    """Set by the one owner of the kernel (the session): called on the event loop whenever
    ``status`` changes (after ``died`` is set, for "dead"), and when a reconnecting backend's
    connection state changes. The layers above never poll a kernel."""

    @property
    def status(self) -> KernelStatus: ...

    @property
    def info(self) -> KernelInfo | None:
        """kernel_info_reply as the kernel answered it when it started (None before)."""
        ...

    @property
    def died(self) -> KernelDied | None:
        """Why the kernel went away (exit code and stderr tail when known); None while alive."""
        ...

    @property
    def connection_file(self) -> Path | None:
        """Where to attach again after tnb exits: only for a kernel kept running on purpose
        (``--keep-kernel``); None for every other kernel."""
        ...

    def execute(
        self, code: str, *, allow_stdin: bool = True, silent: bool = False
    ) -> AsyncIterator[KernelEvent]:
        """Run ``code``; yields events and ends with ExecuteReply or KernelDied."""
        ...

    async def complete(self, code: str, cursor_pos: int) -> Completion: ...

    async def inspect(self, code: str, cursor_pos: int, detail_level: int = 0) -> Inspection: ...

    async def is_complete(self, code: str) -> str:
        """'complete', 'incomplete', 'invalid' or 'unknown'."""
        ...

    async def history(self, n: int = 10) -> list[tuple[int, int, str]]:
        """The last ``n`` inputs as (session, line, source)."""
        ...

    async def kernel_info(self) -> KernelInfo: ...

    async def interrupt(self) -> None: ...

    async def debug_request(
        self, command: str, arguments: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One DAP request on the control channel; the reply's content (``success``, ``body``,
        ``message``). Raises KernelConnectionError when the kernel is gone or does not answer."""
        ...

    async def restart(self) -> None: ...

    async def shutdown(self) -> None:
        """Stop the kernel if we started it, else only disconnect. Idempotent."""
        ...

    # Comms (ipywidgets and other front-end extensions). Handlers run on the event loop; when
    # the kernel restarts or dies, every open comm's handler gets a "close".

    def register_comm_target(self, target_name: str, handler: CommHandler) -> None:
        """Comms the kernel opens for ``target_name``, and their messages, go to ``handler``;
        one for a target nobody registered is closed at once (as JupyterLab does)."""
        ...

    def adopt_comm(self, comm_id: str, handler: CommHandler) -> None:
        """A comm the kernel opened before we connected (ipywidgets' ``request_states`` names
        them): its messages go to ``handler`` from now on."""
        ...

    def capture_output(self, parent_id: str, handler: OutputHandler | None) -> None:
        """Outputs of request ``parent_id`` go to ``handler`` instead of its cell (what an
        Output widget captures); None stops capturing."""
        ...

    async def comm_open(
        self,
        target_name: str,
        data: dict[str, Any],
        handler: CommHandler,
        *,
        metadata: dict[str, Any] | None = None,
        buffers: Sequence[bytes] = (),
    ) -> str:
        """Open a comm to the kernel's ``target_name``; returns its comm_id."""
        ...

    async def comm_msg(
        self,
        comm_id: str,
        data: dict[str, Any],
        *,
        metadata: dict[str, Any] | None = None,
        buffers: Sequence[bytes] = (),
    ) -> str:
        """Send on an open comm; returns the msg_id (the parent of what the kernel does)."""
        ...

    async def comm_close(self, comm_id: str, data: dict[str, Any] | None = None) -> None: ...

    async def comm_info(self, target_name: str | None = None) -> dict[str, str]:
        """The kernel's open comms as {comm_id: target_name}."""
        ...


MessageHook = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class ConnectionState:
    """A remote kernel's connection while it is down: reconnecting, or given up."""

    attempt: int  # reconnect attempts so far (1 from the moment the drop is seen)
    gives_up_at: float  # time.monotonic() when tnb stops trying
    gave_up: bool = False
    reason: str = ""  # why the last attempt failed


@runtime_checkable
class ReconnectingBackend(KernelBackend, Protocol):
    """A backend whose connection can drop and come back (server kernels' websockets)."""

    @property
    def connection_state(self) -> ConnectionState | None:
        """None while connected."""
        ...

    async def reconnect(self) -> None:
        """After giving up: try again for another full reconnect window.

        Raises:
            KernelConnectionError: it gave up again.
        """
        ...


@runtime_checkable
class TracedBackend(KernelBackend, Protocol):
    """A backend that shows every Jupyter message it receives to a hook (both real ones do).

    Kept out of KernelBackend on purpose: the UI never needs raw messages; tests validate them.
    """

    message_hook: MessageHook | None


@runtime_checkable
class KernelProvider(Protocol):
    """Local kernelspecs and environments, or one Jupyter server."""

    name: str

    @property
    def url(self) -> str:
        """A server's base URL (never with its token); "" for this computer."""
        ...

    async def list_choices(self) -> list[KernelChoice]: ...

    async def start(self, choice: KernelChoice, *, notebook: Path | None = None) -> KernelBackend:
        """Start (or attach to) ``choice``; ``notebook`` is the local notebook it runs for,
        which a kernel of this computer is told (``JPY_SESSION_NAME``, as Jupyter does)."""
        ...

    async def close(self) -> None:
        """Release what the provider holds (a server's HTTP client); idempotent, never raises."""
        ...
