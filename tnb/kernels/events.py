"""Typed kernel events: what a backend yields while it executes code, whatever the transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

KernelStatus = Literal["starting", "idle", "busy", "restarting", "dead"]


@dataclass(frozen=True)
class Stream:
    """Text written to stdout or stderr."""

    name: str
    text: str


@dataclass(frozen=True)
class DisplayData:
    """A display_data message; ``display_id`` comes from the transient dict."""

    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    display_id: str | None = None


@dataclass(frozen=True)
class UpdateDisplayData:
    """Replace every output shown under ``display_id``."""

    data: dict[str, Any]
    metadata: dict[str, Any]
    display_id: str


@dataclass(frozen=True)
class ExecuteResult:
    """The value of the cell's last expression."""

    data: dict[str, Any]
    metadata: dict[str, Any]
    execution_count: int | None
    display_id: str | None = None


@dataclass(frozen=True)
class Error:
    """An exception raised by the executed code."""

    ename: str
    evalue: str
    traceback: list[str]


@dataclass(frozen=True)
class ClearOutput:
    """clear_output(wait=...)."""

    wait: bool


@dataclass(frozen=True)
class StatusChanged:
    """The kernel's execution state for this request changed."""

    status: KernelStatus


@dataclass(frozen=True)
class ExecuteInput:
    """The kernel acknowledged the code and gave it an execution count."""

    execution_count: int | None


@dataclass(frozen=True)
class InputRequested:
    """The code called input() or getpass(); await ``reply(text)`` to answer."""

    prompt: str
    password: bool
    reply: Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class ExecuteReply:
    """The last event of an execution: its status and count."""

    status: str  # "ok" | "error" | "aborted"
    execution_count: int | None
    payload: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class KernelDied:
    """The kernel went away; the execution ends with this event."""

    reason: str
    exit_code: int | None = None
    stderr_tail: str = ""

    def describe(self) -> str:
        """One message, the same in the app and `tnb run`: the reason, the exit code and
        the kernel's last stderr lines."""
        text = self.reason or "the kernel died"
        if self.exit_code is not None and "exit code" not in text:
            text += f" (exit code {self.exit_code})"
        tail = self.stderr_tail.strip()
        if tail:
            lines = tail.splitlines()[-8:]
            text += "\nlast lines of its stderr:\n" + "\n".join(lines)
        return text


KernelEvent = (
    Stream
    | DisplayData
    | UpdateDisplayData
    | ExecuteResult
    | Error
    | ClearOutput
    | StatusChanged
    | ExecuteInput
    | InputRequested
    | ExecuteReply
    | KernelDied
)


CommKind = Literal["open", "msg", "close"]


@dataclass(frozen=True)
class CommMessage:
    """One comm message from the kernel (or a close tnb made up when the kernel went away)."""

    kind: CommKind
    comm_id: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    buffers: tuple[bytes, ...] = ()
    target_name: str = ""  # for "open"
    parent_id: str = ""  # the request whose handling sent it


CommHandler = Callable[[CommMessage], None]
OutputHandler = Callable[[KernelEvent], None]
