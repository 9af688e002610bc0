"""Runner: executes cells through any KernelBackend and applies the events to the notebook model."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tnb.kernels.events import (
    ClearOutput,
    DisplayData,
    Error,
    ExecuteInput,
    ExecuteReply,
    ExecuteResult,
    InputRequested,
    KernelDied,
    KernelEvent,
    StatusChanged,
    Stream,
    UpdateDisplayData,
)
from tnb.kernels.protocol import KernelBackend, KernelChoice, KernelInfo
from tnb.notebook.model import Cell, Notebook, Output
from tnb.notebook.outputs import OutputAccumulator, update_display

log = logging.getLogger(__name__)

CellStatus = Literal["ok", "error", "aborted", "timeout", "died", "skipped"]
InputHandler = Callable[[InputRequested], Awaitable[str]]

SKIP_TAG = "skip-execution"
RAISES_TAG = "raises-exception"
# After a cell's timeout we interrupt it and wait this long for the kernel to give it up.
_INTERRUPT_GRACE = 10.0


@dataclass
class CellResult:
    """How one cell's execution ended."""

    cell: Cell
    status: CellStatus
    execution_count: int | None = None
    error: Error | None = None
    died: KernelDied | None = None

    @property
    def failed(self) -> bool:
        """An error that should stop a run (an expected ``raises-exception`` one does not)."""
        if self.status in ("timeout", "died"):
            return True
        if self.status == "error":
            return RAISES_TAG not in _tags(self.cell)
        return False


@dataclass
class RunResult:
    """The outcome of running several cells; ``failure`` is the cell that stopped the run."""

    results: list[CellResult] = field(default_factory=list)
    failure: CellResult | None = None

    @property
    def ok(self) -> bool:
        """No cell failed (errors allowed by ``allow_errors`` still count as failures here)."""
        return self.failure is None and not any(r.failed for r in self.results)


def _tags(cell: Cell) -> list[str]:
    tags = cell.metadata.get("tags")
    return [str(t) for t in tags] if isinstance(tags, list) else []


def _now() -> str:
    # JupyterLab's format for metadata.execution timestamps.
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def should_run(cell: Cell) -> bool:
    """Code cells with some source and without the ``skip-execution`` tag, as nbclient."""
    return cell.cell_type == "code" and bool(cell.source.strip()) and SKIP_TAG not in _tags(cell)


def kernelspec_metadata(choice: KernelChoice, info: KernelInfo | None) -> dict[str, Any] | None:
    """``metadata.kernelspec`` for a kernel run on ``choice`` (None: its kernelspec is unknown)."""
    ref = choice.kernelspec()
    if ref is None:
        return None
    spec: dict[str, Any] = {"name": ref.name, "display_name": ref.display_name}
    language = (info.language if info else "") or ref.language
    if language:
        spec["language"] = language
    return spec


def apply_kernel_metadata(
    notebook: Notebook, choice: KernelChoice, info: KernelInfo | None
) -> bool:
    """Record the kernelspec and language_info in the notebook, as Jupyter does on save,
    when the kernel is another than the one it names (``Notebook.record_kernel``)."""
    spec = kernelspec_metadata(choice, info)
    language_info = dict(info.language_info) if info and info.language_info else None
    return notebook.record_kernel(spec, language_info)


class Runner:
    """Runs cells in order through one backend and keeps the notebook model up to date.

    ``record_timing`` writes each run cell's metadata.execution (JupyterLab's recordTiming,
    off by default there too). Callbacks (all optional, called on the event loop):
    ``on_cell_started(cell)``, ``on_cell_changed(cell)`` (outputs or count changed; coalesced
    to one call per ``notify_interval`` seconds), ``on_cell_finished(result)``,
    ``on_cells_dropped(cells)`` (stop on error dropped the rest of the queue).
    ``input_handler(request)`` answers input()/getpass(); without one the kernel is told
    stdin is not available, so input() raises at once instead of hanging.
    """

    def __init__(
        self,
        backend: KernelBackend,
        notebook: Notebook,
        *,
        timeout: float | None = None,
        allow_errors: bool = False,
        input_handler: InputHandler | None = None,
        on_cell_started: Callable[[Cell], None] | None = None,
        on_cell_changed: Callable[[Cell], None] | None = None,
        on_cell_finished: Callable[[CellResult], None] | None = None,
        on_cells_dropped: Callable[[list[Cell]], None] | None = None,
        notify_interval: float = 0.05,
        record_timing: bool = False,
    ) -> None:
        self.backend = backend
        self.notebook = notebook
        self.timeout = timeout
        self.allow_errors = allow_errors
        self.input_handler = input_handler
        self.on_cell_started = on_cell_started
        self.on_cell_changed = on_cell_changed
        self.on_cell_finished = on_cell_finished
        self.on_cells_dropped = on_cells_dropped
        self.notify_interval = notify_interval
        self.record_timing = record_timing
        self.running: Cell | None = None
        self._queue: deque[Cell] = deque()
        # ids of the queued cells: the view asks "queued?" for every cell it draws, and a
        # run all of 1000 cells would scan the queue a million times.
        self._queued_ids: set[int] = set()
        self._drain_task: asyncio.Task[None] | None = None
        self._dirty_cells: dict[int, Cell] = {}
        self._flush_handle: asyncio.TimerHandle | None = None

    # ---------------------------------------------------------------- queueing (UI)

    @property
    def queued(self) -> list[Cell]:
        """Cells waiting to run (their prompt shows ``[*]``)."""
        return list(self._queue)

    @property
    def queue_length(self) -> int:
        """How many cells wait to run."""
        return len(self._queue)

    def is_queued(self, cell: Cell) -> bool:
        """Whether ``cell`` (this very cell, not an equal one) waits to run."""
        return id(cell) in self._queued_ids

    def submit(self, cells: Iterable[Cell]) -> None:
        """Queue cells to run after what is already queued; returns at once."""
        for cell in cells:
            if should_run(cell) and cell is not self.running and id(cell) not in self._queued_ids:
                self._queue.append(cell)
                self._queued_ids.add(id(cell))
        if self._queue and (self._drain_task is None or self._drain_task.done()):
            self._drain_task = asyncio.ensure_future(self._drain())

    def clear_queue(self) -> list[Cell]:
        """Drop the cells still waiting; returns them."""
        dropped = list(self._queue)
        self._queue.clear()
        self._queued_ids.clear()
        return dropped

    async def wait_idle(self) -> None:
        """Until the queue is empty and nothing runs."""
        while self._drain_task is not None and not self._drain_task.done():
            await asyncio.shield(self._drain_task)

    async def close(self) -> None:
        """Stop draining the queue (the running cell is abandoned, not interrupted)."""
        self.clear_queue()
        if self._drain_task is not None:
            self._drain_task.cancel()
            with contextlib.suppress(BaseException):
                await self._drain_task
        self._flush()

    async def _drain(self) -> None:
        # Pipelined, as JupyterLab runs cells: every queued cell's request is sent before the
        # first one's reply, so the kernel never waits on a round trip (or on our drawing).
        # The kernel runs them in order; after an error (stop_on_error) it aborts the ones
        # it already has, and the runner drops the rest.
        sent: dict[int, _SentAhead] = {}
        try:
            while self._queue:
                for cell in self._queue:
                    if id(cell) not in sent:
                        sent[id(cell)] = _SentAhead(self._execute(cell))
                cell = self._queue.popleft()
                self._queued_ids.discard(id(cell))
                result = await self.run_cell(cell, sent=sent.pop(id(cell)))
                if result.failed and not self.allow_errors:
                    # As Jupyter's stop_on_error: the rest of the queue does not run.
                    dropped = self.clear_queue()
                    # Those sent ahead are the kernel's: it aborts the ones it already held,
                    # but one that reached it after the error runs (a loaded machine). Read
                    # what it did, so the notebook never hides a cell that ran.
                    for ahead_cell in dropped:
                        ahead = sent.pop(id(ahead_cell), None)
                        if ahead is not None:
                            await self.run_cell(ahead_cell, sent=ahead)
                    if dropped and self.on_cells_dropped is not None:
                        self.on_cells_dropped(dropped)
        finally:
            for ahead in sent.values():
                ahead.cancel()  # dropped cells: the kernel aborted them; stop listening

    def _execute(self, cell: Cell) -> AsyncIterator[KernelEvent]:
        return self.backend.execute(cell.source, allow_stdin=self.input_handler is not None)

    # ---------------------------------------------------------------- running

    async def run_all(self) -> RunResult:
        """Run every runnable cell of the notebook."""
        return await self.run_cells(self.notebook.cells)

    async def run_cells(self, cells: Iterable[Cell]) -> RunResult:
        """Run ``cells`` in order; stop at the first failure unless ``allow_errors``."""
        run = RunResult()
        for cell in list(cells):
            if not should_run(cell):
                continue
            result = await self.run_cell(cell)
            run.results.append(result)
            if result.failed and (not self.allow_errors or result.status == "died"):
                run.failure = result
                break
        return run

    async def run_cell(self, cell: Cell, *, sent: _SentAhead | None = None) -> CellResult:
        """Execute one cell, replacing its outputs and execution count (``sent``: its
        request went ahead of its turn; its events are read from there)."""
        if not should_run(cell):
            return CellResult(cell, "skipped")
        self.running = cell
        cell.outputs.clear()
        cell.execution_count = None
        timing: dict[str, str] = {}
        if self.record_timing:
            cell.metadata["execution"] = timing
        self.notebook.dirty = True
        if self.on_cell_started is not None:
            self.on_cell_started(cell)
        self._changed(cell, now=True)
        state = _CellState(cell, OutputAccumulator(cell.outputs), timing)
        events = sent.events() if sent is not None else self._execute(cell)
        try:
            await self._consume(events, state)
        finally:
            with contextlib.suppress(Exception):
                await events.aclose()  # type: ignore[attr-defined]
            self.running = None
        result = CellResult(
            cell, state.status, cell.execution_count, error=state.error, died=state.died
        )
        self._changed(cell, now=True)
        if self.on_cell_finished is not None:
            self.on_cell_finished(result)
        return result

    async def _consume(self, events: AsyncIterator[KernelEvent], state: _CellState) -> None:
        """Apply events until the last one; past the timeout, interrupt and allow a grace."""
        loop = asyncio.get_running_loop()
        deadline = None if self.timeout is None else loop.time() + self.timeout
        iterator = aiter(events)
        while True:
            step = asyncio.ensure_future(anext(iterator))
            # Not wait_for: cancelling the pending step would close the generator and lose
            # the interrupted cell's last outputs.
            while True:
                remaining = None if deadline is None else max(0.0, deadline - loop.time())
                done, _ = await asyncio.wait({step}, timeout=remaining)
                if done:
                    break
                if state.status != "timeout":
                    state.status = "timeout"
                    with contextlib.suppress(Exception):
                        await self.backend.interrupt()
                    deadline = loop.time() + _INTERRUPT_GRACE
                    continue
                step.cancel()
                with contextlib.suppress(BaseException):
                    await step
                return
            try:
                event = step.result()
            except StopAsyncIteration:
                return
            await self._apply(event, state)

    async def _apply(self, event: KernelEvent, state: _CellState) -> None:
        cell, acc, timing = state.cell, state.acc, state.timing
        match event:
            case Stream(name=name, text=text):
                acc.stream(name, text)
            case DisplayData(data=data, metadata=metadata, display_id=display_id):
                if display_id is not None:
                    self._update_display(display_id, data, metadata)
                acc.add(Output("display_data", data=data, metadata=metadata, display_id=display_id))
            case ExecuteResult(data=data, metadata=metadata, execution_count=count):
                if event.display_id is not None:
                    self._update_display(event.display_id, data, metadata)
                acc.add(
                    Output(
                        "execute_result",
                        data=data,
                        metadata=metadata,
                        execution_count=count,
                        display_id=event.display_id,
                    )
                )
            case UpdateDisplayData(data=data, metadata=metadata, display_id=display_id):
                self._update_display(display_id, data, metadata)
                return
            case ClearOutput(wait=wait):
                acc.clear(wait)
            case Error(ename=ename, evalue=evalue, traceback=tb):
                state.error = event
                acc.add(Output("error", ename=ename, evalue=evalue, traceback=list(tb)))
            case ExecuteInput(execution_count=count):
                timing["iopub.execute_input"] = _now()
                cell.execution_count = count
            case StatusChanged(status=status):
                if status == "busy":
                    timing.setdefault("iopub.status.busy", _now())
                elif status == "idle":
                    timing["iopub.status.idle"] = _now()
                return
            case InputRequested():
                await self._answer(event)
                return
            case ExecuteReply(status=status, execution_count=count):
                timing["shell.execute_reply"] = _now()
                if count is not None:
                    cell.execution_count = count
                if state.status == "timeout":
                    pass  # the interrupt's KeyboardInterrupt is the timeout's doing
                elif status == "error" or state.error is not None:
                    state.status = "error"
                elif status in ("aborted", "abort"):  # ipykernel's spelling, and the spec's
                    state.status = "aborted"
                else:
                    state.status = "ok"
            case KernelDied():
                state.status = "died"
                state.died = event
        self.notebook.dirty = True
        self._changed(cell)

    async def _answer(self, request: InputRequested) -> None:
        if self.input_handler is None:  # cannot happen: allow_stdin was False
            await request.reply("")
            return
        text = await self.input_handler(request)
        await request.reply(text)

    def _update_display(self, display_id: str, data: dict[str, Any], meta: dict[str, Any]) -> None:
        for changed in update_display(self.notebook.cells, display_id, data, meta):
            self._changed(changed)

    # ---------------------------------------------------------------- notifications

    def _changed(self, cell: Cell, *, now: bool = False) -> None:
        if self.on_cell_changed is None:
            return
        self._dirty_cells[id(cell)] = cell
        if now or self.notify_interval <= 0:
            self._flush()
        elif self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(self.notify_interval, self._flush)

    def _flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        cells = list(self._dirty_cells.values())
        self._dirty_cells.clear()
        if self.on_cell_changed is not None:
            for cell in cells:
                self.on_cell_changed(cell)


@dataclass
class _CellState:
    cell: Cell
    acc: OutputAccumulator
    timing: dict[str, str]
    status: CellStatus = "ok"
    error: Error | None = None
    died: KernelDied | None = None


class _SentAhead:
    """An execute request sent before its cell's turn: a task reads its events as they come
    and keeps them for the runner. Created in queue order, the tasks send in that order
    (each backend writes its request before its first wait)."""

    def __init__(self, events: AsyncIterator[KernelEvent]) -> None:
        self._events = events
        self._queue: asyncio.Queue[KernelEvent | BaseException | None] = asyncio.Queue()
        self._task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for event in self._events:
                self._queue.put_nowait(event)
        except Exception as exc:  # raised to the runner at the cell's turn, as unsent
            self._queue.put_nowait(exc)
        finally:
            with contextlib.suppress(Exception):
                await self._events.aclose()  # type: ignore[attr-defined]
            self._queue.put_nowait(None)

    async def events(self) -> AsyncIterator[KernelEvent]:
        """The request's events, from the first."""
        try:
            while (item := await self._queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop reading (the cell was dropped, or its run ended)."""
        self._task.cancel()
