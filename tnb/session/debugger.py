"""A debug session on the Jupyter debug protocol (DAP over the control channel), UI-free."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tnb.kernels.protocol import KernelBackend, KernelConnectionError

log = logging.getLogger(__name__)

# A kernel with a debugger answers `initialize` at once; one without never does.
INITIALIZE_PATIENCE = 10.0
# What JupyterLab's debugger says it is when it starts a session.
_INITIALIZE = {
    "clientID": "tnb",
    "clientName": "tnb",
    "adapterID": "python",
    "pathFormat": "path",
    "linesStartAt1": True,
    "columnsStartAt1": True,
    "supportsVariableType": True,
    "supportsVariablePaging": True,
    "supportsRunInTerminalRequest": False,
    "locale": "en",
}
# debugpy groups a scope's dunder names and functions under these; the explorer hides them.
_GROUPS = frozenset({"special variables", "function variables", "class variables"})
# Types whose size is worth asking for (their children name a shape, or count their items).
_SHAPED = frozenset({"DataFrame", "Series", "ndarray", "Tensor", "Index", "DataArray"})
# Names IPython puts in every user namespace: not the user's variables.
_INJECTED = frozenset({"open", "exit", "quit", "get_ipython", "In", "Out"})
_COUNTED = frozenset({"list", "tuple", "dict", "set", "frozenset", "deque"})


class DebuggerError(RuntimeError):
    """The kernel refused a debug request, or has no debugger: the message says which."""


@dataclass(frozen=True)
class Variable:
    """One row of the variable explorer or of a frame's scope."""

    name: str
    type: str
    value: str
    reference: int  # > 0: it has children (expand with ``children``)
    size: str = ""  # "(3, 2)" for shaped data, "4 items" for containers, "" when unknown


@dataclass(frozen=True)
class Frame:
    """One frame of the stopped thread's call stack."""

    id: int
    name: str
    line: int
    path: str


@dataclass
class Stop:
    """Where and why the debuggee stopped."""

    thread: int
    reason: str  # "breakpoint", "step", "exception", "pause"
    description: str = ""
    frames: list[Frame] = field(default_factory=list)


class DebugSession:
    """One kernel's debugger: breakpoints per cell, stopping, stepping, variables.

    ``on_stopped`` and ``on_continued`` run on the event loop when the kernel stops at a
    breakpoint (after the stack is fetched) and when it runs again; the UI draws from them.
    """

    def __init__(self, backend: KernelBackend) -> None:
        self.backend = backend
        self.started = False
        self.mute = False  # it claimed a debugger but did not answer one
        self.info: dict[str, Any] = {}  # debugInfo: how the kernel names a cell's file
        self.stopped: Stop | None = None
        self.breakpoints: dict[str, set[int]] = {}  # a cell's source path -> its lines
        # A cell's exception is caught by the kernel, never "uncaught" to debugpy: what
        # escapes the user's code is "userUnhandled". "raised" stops at every raise.
        self.exception_filters: list[str] = ["userUnhandled"]
        self.on_stopped: Callable[[Stop], None] | None = None
        self.on_continued: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        backend.on_debug_event = self._on_event

    @property
    def available(self) -> bool:
        """Whether the kernel says it has a debugger (kernel_info)."""
        info = self.backend.info
        return info is not None and info.debugger and not self.mute

    async def request(self, command: str, arguments: dict[str, Any] | None = None) -> Any:
        """A DAP request; its ``body``. Raises DebuggerError when the kernel says no."""
        reply = await self.backend.debug_request(command, arguments)
        if not reply.get("success", False):
            raise DebuggerError(str(reply.get("message") or f"the kernel refused {command!r}"))
        return reply.get("body") or {}

    async def start(self) -> None:
        """initialize, attach, exception breakpoints, configurationDone (once)."""
        if self.started:
            return
        if not self.available:
            raise DebuggerError("this kernel has no debugger (its kernel_info says so)")
        try:
            async with asyncio.timeout(INITIALIZE_PATIENCE):
                await self.request("initialize", _INITIALIZE)
        except (TimeoutError, KernelConnectionError):
            # ipykernel 7 claims a debugger for every kernel built on it (bash_kernel too);
            # only those with one answer.
            self.mute = True
            raise DebuggerError(
                "this kernel has no debugger: it claims one but does not answer its requests"
            ) from None
        await self.request("attach", {})
        self.info = await self.request("debugInfo")
        await self.request("setExceptionBreakpoints", {"filters": self.exception_filters})
        await self.request("configurationDone")
        self.started = True

    async def stop(self) -> None:
        """Leave the debugger (a stopped cell runs on); the kernel lives on."""
        if not self.started:
            return
        self.started = False
        self.stopped = None
        try:
            await self.request("disconnect", {"restart": False, "terminateDebuggee": False})
        except (DebuggerError, KernelConnectionError) as exc:
            log.debug("disconnect: %s", exc)

    def forget(self) -> None:
        """The kernel restarted or died: no session, nothing stopped (breakpoints stay)."""
        self.started = False
        self.stopped = None

    # ------------------------------------------------------------------ breakpoints

    def cell_file(self, source: str) -> str | None:
        """The file the kernel runs ``source`` as, computed here as the kernel does (its
        debugInfo's hash of the source), so a stopped frame finds its cell without asking."""
        info = self.info
        if info.get("hashMethod", "").casefold() != "murmur2":
            return None
        name = murmur2_x86(source, int(info.get("hashSeed", 0)))
        return f"{info.get('tmpFilePrefix', '')}{name}{info.get('tmpFileSuffix', '')}"

    async def cell_path(self, source: str) -> str:
        """The file the kernel runs ``source`` as (its breakpoints are set on it)."""
        body = await self.request("dumpCell", {"code": source})
        return str(body.get("sourcePath", ""))

    async def set_breakpoints(self, source: str, lines: set[int]) -> str:
        """Set a cell's breakpoints (1-based lines); returns the cell's path."""
        path = await self.cell_path(source)
        self.breakpoints[path] = set(lines)
        arguments = {
            "source": {"path": path},
            "breakpoints": [{"line": line} for line in sorted(lines)],
            "sourceModified": False,
        }
        await self.request("setBreakpoints", arguments)
        return path

    # ------------------------------------------------------------------ stopped

    def _on_event(self, content: dict[str, Any]) -> None:
        event, body = content.get("event"), content.get("body") or {}
        if event == "stopped":
            stop = Stop(
                thread=int(body.get("threadId", 0)),
                reason=str(body.get("reason", "")),
                description=str(body.get("description") or body.get("text") or ""),
            )
            self._spawn(self._stopped(stop))
        elif event == "continued":
            self.stopped = None
            if self.on_continued is not None:
                self.on_continued()

    async def _stopped(self, stop: Stop) -> None:
        if stop.reason == "pause":
            # A pause stops every thread and names any; the cell runs on the main one.
            try:
                threads = (await self.request("threads")).get("threads") or []
            except (DebuggerError, KernelConnectionError):
                threads = []
            main = [t for t in threads if t.get("name") == "MainThread"]
            if main:
                stop.thread = int(main[0].get("id", stop.thread))
        try:
            body = await self.request("stackTrace", {"threadId": stop.thread})
        except (DebuggerError, KernelConnectionError) as exc:
            log.debug("no stack: %s", exc)
            body = {}
        stop.frames = [
            Frame(
                id=int(f.get("id", 0)),
                name=str(f.get("name", "")),
                line=int(f.get("line", 0)),
                path=str((f.get("source") or {}).get("path", "")),
            )
            for f in body.get("stackFrames") or []
        ]
        self.stopped = stop
        if self.on_stopped is not None:
            self.on_stopped(stop)

    async def step(self, command: str) -> None:
        """continue, next, stepIn, stepOut (of the stopped thread) or pause."""
        stop = self.stopped
        thread = stop.thread if stop is not None else 1
        if command != "pause":
            self.stopped = None
        await self.request(command, {"threadId": thread})

    async def frame_variables(self, frame: Frame) -> list[Variable]:
        """The variables of a frame's first scope (its locals)."""
        scopes = (await self.request("scopes", {"frameId": frame.id})).get("scopes") or []
        if not scopes:
            return []
        return await self.children(int(scopes[0].get("variablesReference", 0)))

    async def evaluate(self, expression: str, frame: Frame | None) -> str:
        """An expression's value in the stopped frame."""
        arguments: dict[str, Any] = {"expression": expression, "context": "repl"}
        if frame is not None:
            arguments["frameId"] = frame.id
        body = await self.request("evaluate", arguments)
        return str(body.get("result", ""))

    # ------------------------------------------------------------------ variables

    async def children(self, reference: int) -> list[Variable]:
        """The variables under ``reference`` (a scope, or a variable that has children)."""
        body = await self.request("variables", {"variablesReference": reference})
        return [_variable(v) for v in body.get("variables") or [] if v.get("name") not in _GROUPS]

    async def variables(self) -> list[Variable]:
        """The kernel's global variables, as the variable explorer lists them, with sizes.

        Only the debug protocol is used (inspectVariables, then the children of shaped
        data for its ``shape``): nothing runs in the user's namespace."""
        await self.start()
        body = await self.request("inspectVariables")
        found = body.get("variables") or []
        rows = [_variable(v) for v in found if v.get("name") not in _GROUPS]
        for group in found:
            if group.get("name") == "function variables" and group.get("variablesReference"):
                # The user's functions are variables too (debugpy files them apart).
                rows += await self.children(int(group["variablesReference"]))
        rows = [v for v in rows if v.type != "module" and v.name not in _INJECTED]
        sized = await asyncio.gather(*(self._sized(v) for v in rows))
        return sorted(sized, key=lambda v: v.name.casefold())

    async def _sized(self, variable: Variable) -> Variable:
        if variable.reference <= 0 or variable.type not in _SHAPED | _COUNTED:
            return variable
        try:
            body = await self.request("variables", {"variablesReference": variable.reference})
        except (DebuggerError, KernelConnectionError):
            return variable
        kids = body.get("variables") or []
        if variable.type in _SHAPED:
            shape = next((k.get("value") for k in kids if k.get("name") == "shape"), None)
            size = str(shape) if shape else ""
        else:
            items = [k for k in kids if k.get("name") not in _GROUPS and k.get("name") != "len()"]
            size = f"{len(items)} items"
        return Variable(variable.name, variable.type, variable.value, variable.reference, size)

    async def rich(self, name: str) -> dict[str, Any]:
        """A variable's MIME bundle as the kernel renders it (the data viewer's content).

        Raises DebuggerError when the kernel does not render it (xeus-python 0.19 never
        answers while nothing is stopped): show its value instead."""
        await self.start()
        arguments: dict[str, Any] = {"variableName": name}
        if self.stopped is not None and self.stopped.frames:
            arguments["frameId"] = self.stopped.frames[0].id
        try:
            async with asyncio.timeout(INITIALIZE_PATIENCE):
                body = await self.request("richInspectVariables", arguments)
        except (TimeoutError, KernelConnectionError):
            raise DebuggerError(f"the kernel did not render {name!r}") from None
        data = body.get("data") or {}
        return dict(data)

    def _spawn(self, job: Any) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def murmur2_x86(text: str, seed: int) -> int:
    """MurmurHash2 (32-bit) of ``text``'s UTF-8, as ipykernel and xeus-python name cells."""
    m = 0x5BD1E995
    data = text.encode("utf8")
    length = len(data)
    h = (seed ^ length) & 0xFFFFFFFF
    end = length & ~3
    for i in range(0, end, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = data[end:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def _variable(v: dict[str, Any]) -> Variable:
    return Variable(
        name=str(v.get("name", "")),
        type=str(v.get("type", "")),
        value=str(v.get("value", "")),
        reference=int(v.get("variablesReference") or 0),
    )
