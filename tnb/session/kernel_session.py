"""The notebook's kernel session: starts, switches and stops the backend, runs cells through a
Runner, and publishes the cells' run state and the kernel's status as they change."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tnb.kernels.events import InputRequested, KernelStatus
from tnb.kernels.protocol import (
    Completion,
    ConnectionState,
    Inspection,
    KernelBackend,
    KernelChoice,
    KernelConnectionError,
    KernelProvider,
    KernelStartError,
    ReconnectingBackend,
)
from tnb.kernels.starting import start_for_notebook
from tnb.notebook.model import Cell, Notebook
from tnb.session.debugger import DebugSession
from tnb.session.launch import LaunchOptions
from tnb.session.memory import remember, remembered
from tnb.session.runner import CellResult, Runner, kernelspec_metadata, should_run
from tnb.session.widgets import WidgetManager

if TYPE_CHECKING:
    from tnb.kernels.server.provider import HubStartPolicy

RunMode = Literal["stay", "advance", "insert", "all", "above", "below", "restart_all"]


PickerReason = Literal["pick", "new", "no-kernel", "missing"]


class NeedsPicker(Exception):
    """No kernel can be chosen without asking the user (new notebook, unknown kernel)."""

    def __init__(self, reason: str, kind: PickerReason) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # --pick, a new notebook, one naming no kernel, or a missing kernel


@dataclass
class UiHooks:
    """What the session tells the UI; every hook runs on the event loop and returns at once."""

    status_changed: Callable[[], None]
    # These cells' run marks (KernelSession.run_mark) changed: queued, started, ended, dropped.
    runs_changed: Callable[[list[Cell]], None]
    cell_changed: Callable[[Cell], None]  # its outputs or count
    cell_finished: Callable[[CellResult], None]
    ask_input: Callable[[InputRequested], Awaitable[str]]
    # A yes/no question (a stopped JupyterHub server: start it?); None answers no.
    ask_confirm: Callable[[str], Awaitable[bool]] | None = None
    # These widget models changed (from the kernel, or the user's change to one).
    widgets_changed: Callable[[set[str]], None] | None = None


def elapsed_text(seconds: float) -> str:
    """A running cell's elapsed time short enough for the prompt gutter: 9s, 12m, 3h."""
    if seconds < 60:
        return f"{int(seconds)}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds // 3600)}h"


class KernelSession:
    """Owns the kernel backend, its provider and the runner; no method awaits in a UI handler.

    The app calls :meth:`start_from_args` or :meth:`switch` from a worker, :meth:`run` from a
    key handler (it returns at once: cells wait for a kernel, or queue on the Runner), and
    awaits :meth:`shutdown` when it unmounts. The one record of which cells wait or run is
    here (:meth:`run_mark`); the hooks say when it or the kernel's status changes, as it
    happens (the backend's ``on_status``): nothing above keeps a copy or polls.
    """

    def __init__(
        self, notebook: Notebook, hooks: UiHooks, *, local: KernelProvider | None = None
    ) -> None:
        """``local`` stands for this computer's kernels (a test's fake); default: raw kernels
        as the launch options say."""
        self.notebook = notebook
        self.hooks = hooks
        self.local = local
        self.backend: KernelBackend | None = None
        self.provider: KernelProvider | None = None
        self.runner: Runner | None = None
        self.starting: str | None = None  # display name of the kernel being started
        self.failure: str | None = None  # why the last start failed, or why the kernel died
        self.started_at: float | None = None  # when the running cell started
        self.pending: list[Cell] = []  # cells run before a kernel was there: they wait for it
        self.kept_connection_file: Path | None = None  # a --keep-kernel kernel left running
        self._providers_to_close: list[Any] = []
        # Lists kept by reference: the picker appends servers added from its dialog later.
        self._adopted: list[list[Any]] = []
        # JupyterLab's recordTiming: metadata.execution of each run cell (off by default).
        self.record_timing = False
        self.widgets = WidgetManager(on_change=hooks.widgets_changed)
        self.debugger: DebugSession | None = None  # the kernel's, once there is a kernel
        self._restoring: asyncio.Task[int] | None = None
        self.widgets.load(notebook)  # the saved state shows until the kernel's replaces it

    # ----------------------------------------------------------------- state for the UI

    @property
    def status(self) -> str:
        """starting | idle | busy | restarting | dead | none."""
        if self.starting is not None:
            return "starting"
        if self.backend is None:
            return "none"
        return str(self.backend.status)

    def label(self) -> str:
        """Kernel name, backend and state, as the status bar shows them."""
        if self.starting is not None:
            return f"{self.starting} · starting…"
        if self.backend is None:
            return "kernel failed" if self.failure else "no kernel"
        choice = self.backend.choice
        status = self.status
        if status == "busy" and self.started_at is not None:
            status = f"busy {elapsed_text(time.monotonic() - self.started_at)}"
        connection = self.connection_state()
        if connection is not None and not connection.gave_up:
            left = max(0, round(connection.gives_up_at - time.monotonic()))
            status = f"reconnecting (attempt {connection.attempt})… gives up in {left}s"
        queued = self.runner.queue_length if self.runner else 0
        more = f" · {queued} queued" if queued else ""
        return f"{choice.display_name} · {choice.backend} · {status}{more}"

    def connection_state(self) -> ConnectionState | None:
        """A server kernel's lost connection (reconnecting or given up); None otherwise."""
        backend = self.backend
        if isinstance(backend, ReconnectingBackend):
            return backend.connection_state
        return None

    async def keep_waiting(self) -> None:
        """After tnb gave up reconnecting: try for another reconnect window.

        Raises:
            KernelConnectionError: it gave up again.
        """
        backend = self.backend
        if not isinstance(backend, ReconnectingBackend):
            return
        self.failure = None
        self.hooks.status_changed()
        await backend.reconnect()
        self.hooks.status_changed()

    # ----------------------------------------------------------------- the cells' run state

    @property
    def running_cell(self) -> Cell | None:
        """The cell the kernel runs now, if any."""
        return self.runner.running if self.runner is not None else None

    def run_mark(self, cell: Cell) -> str | None:
        """The prompt of a cell that waits or runs: ``*`` while it waits (its turn, or a
        kernel) or in its first second, then its elapsed time ("12s"); None for any other."""
        runner = self.runner
        if runner is not None and cell is runner.running:
            if self.started_at is None:
                return "*"
            text = elapsed_text(time.monotonic() - self.started_at)
            return "*" if text == "0s" else text
        if any(c is cell for c in self.pending):
            return "*"
        return "*" if runner is not None and runner.is_queued(cell) else None

    def drop_pending(self) -> list[Cell]:
        """Forget the cells waiting for a kernel (it did not start, or the user cancelled)."""
        dropped, self.pending = self.pending, []
        if dropped:
            self.hooks.runs_changed(dropped)
        return dropped

    # ----------------------------------------------------------------- starting

    async def start_from_args(self, args: argparse.Namespace | LaunchOptions | None) -> None:
        """Start what the command line asks for, else the notebook's own kernel.

        Raises:
            NeedsPicker: nothing matches without asking (the app opens the picker).
            KernelStartError, KernelConnectionError: with the reason to show.
        """
        from tnb.kernels.selection import NoSuchKernelError, select_choice

        nb = self.notebook
        options = LaunchOptions.of(args)
        existing, server, wanted = options.existing, options.server, options.kernel
        if existing:
            from tnb.kernels.raw.provider import LocalProvider

            local = LocalProvider()
            self.starting = f"existing kernel {Path(existing).name}"
            self.hooks.status_changed()
            try:
                backend = await local.attach_existing(Path(existing))
            finally:
                self.starting = None
            self._install(local, backend)
            return
        provider = await self.provider_from_args(options)
        if options.pick:
            raise NeedsPicker("--pick", "pick")
        choices = await provider.list_choices()
        if wanted or server:
            try:
                choice = select_choice(
                    choices, wanted=wanted, notebook_kernel=nb.kernel_name, language=nb.language
                )
            except NoSuchKernelError as exc:
                raise KernelStartError(wanted or "kernel", str(exc)) from None
        else:
            last = remembered(nb.path, nb.kernel_name)
            usable = [c for c in choices if c.available and c.kind == "spec"]
            match = [c for c in choices if c.available and last and c.key == last]
            match += [c for c in usable if nb.kernel_name and c.name == nb.kernel_name]
            if not match:
                if nb.kernel_name:
                    raise NeedsPicker(
                        f"the notebook's kernel {nb.kernel_name!r} is not installed", "missing"
                    )
                if nb.is_new:
                    raise NeedsPicker("a new notebook", "new")
                raise NeedsPicker("the notebook names no kernel", "no-kernel")
            choice = match[0]
        await self.switch(provider, choice)

    async def provider_from_args(
        self, args: argparse.Namespace | LaunchOptions | None
    ) -> KernelProvider:
        """The server's provider for ``--server``, else the local (raw) one."""
        options = LaunchOptions.of(args)
        if options.server:
            try:
                provider = await options.open_server(hub=self._hub_policy())
            finally:
                self.starting = None  # the hub's spawn progress, if any, is over
            self._providers_to_close.append(provider)
            return provider
        if self.local is not None:
            return self.local
        nb = self.notebook
        return options.local_provider(nb.path.parent if nb.path else None)

    def _hub_policy(self) -> HubStartPolicy:
        """Ask before starting a stopped hub server; its spawn progress shows as 'starting'."""
        from tnb.kernels.server.provider import HubServer, HubStartPolicy, SpawnProgress

        ask = self.hooks.ask_confirm

        async def confirm(server: HubServer) -> bool:
            if ask is None:
                return False
            question = f"Your server {server.label} on the hub {server.hub_url} is not running."
            if not await ask(f"{question}\n\nStart it?"):
                return False
            self.starting = f"hub server {server.label}"
            self.hooks.status_changed()
            return True

        def progress(event: SpawnProgress) -> None:
            self.starting = f"hub server: {event}"
            self.hooks.status_changed()

        return HubStartPolicy(confirm=confirm, progress=progress)

    async def start_default(self, args: argparse.Namespace | LaunchOptions | None) -> None:
        """Like :meth:`start_from_args`, but fall back to the best local match instead of asking."""
        try:
            await self.start_from_args(args)
        except NeedsPicker:
            from tnb.kernels.selection import NoSuchKernelError, select_choice

            provider = await self.provider_from_args(None)
            choices = await provider.list_choices()
            nb = self.notebook
            last = remembered(nb.path, nb.kernel_name)
            try:
                choice = select_choice(
                    choices, notebook_kernel=nb.kernel_name, language="python", remembered=last
                )
            except NoSuchKernelError as exc:
                raise KernelStartError("python", str(exc)) from None
            await self.switch(provider, choice)

    async def switch(self, provider: KernelProvider, choice: KernelChoice) -> None:
        """Stop the old kernel (if we started it), start ``choice`` and record its metadata.

        Raises:
            KernelStartError, KernelConnectionError: the new kernel could not start; the
                old one is gone already (as in JupyterLab).
        """
        await self.stop_kernel()
        self.starting = choice.display_name
        self.failure = None
        self.hooks.status_changed()
        try:
            remote = self.notebook.remote
            backend = await start_for_notebook(
                provider,
                choice,
                self.notebook.path,
                server_path=remote.path if remote is not None else None,
            )
        except (KernelStartError, KernelConnectionError) as exc:
            self.failure = str(exc)
            raise
        finally:
            self.starting = None
            self.hooks.status_changed()
        remember(self.notebook.path, choice)
        self._install(provider, backend)

    def _install(self, provider: KernelProvider, backend: KernelBackend) -> None:
        self.provider = provider
        self.backend = backend
        self.failure = None
        hooks = self.hooks

        def started(cell: Cell) -> None:
            self.started_at = time.monotonic()
            hooks.runs_changed([cell])

        def finished(result: CellResult) -> None:
            self.started_at = None
            if result.status == "died" and result.died is not None and backend.status == "dead":
                # Not when a restart ended the cell: the kernel lives, nothing to offer.
                self.failure = result.died.describe()
            hooks.runs_changed([result.cell])
            hooks.cell_finished(result)

        def status(now: KernelStatus) -> None:
            if backend is not self.backend:
                return  # a kernel we have left (switched away, restarted afresh)
            if now in ("restarting", "dead") and self.debugger is not None:
                self.debugger.forget()  # its debug session ended with the process
            if backend.status == "dead" and self.failure is None:
                died = backend.died
                self.failure = died.describe() if died is not None else "the kernel died"
            hooks.status_changed()

        backend.on_status = status
        self.widgets.attach(backend)
        self.debugger = DebugSession(backend)
        if backend.choice.kind in ("running", "session", "existing"):
            # Attached to a kernel that may have made widgets already: ask for them.
            self._restoring = asyncio.get_running_loop().create_task(self.widgets.restore())

        self.runner = Runner(
            backend,
            self.notebook,
            input_handler=hooks.ask_input,
            on_cell_started=started,
            on_cell_changed=hooks.cell_changed,
            on_cell_finished=finished,
            on_cells_dropped=hooks.runs_changed,
            # One redraw per frame at most: the view refreshes at 60 Hz.
            notify_interval=1 / 60,
            record_timing=self.record_timing,
        )
        hooks.status_changed()
        if backend.status == "dead":
            status("dead")  # died before it was ours to watch
        pending, self.pending = self.pending, []
        if pending:
            self.run(pending)  # the cells run before there was a kernel

    def set_record_timing(self, on: bool) -> None:
        """Record (or stop recording) cells' run times, from the next cell that starts."""
        self.record_timing = on
        if self.runner is not None:
            self.runner.record_timing = on

    def kernel_metadata(self) -> dict[str, Any] | None:
        """``{"kernelspec": ..., "language_info": ...}`` of the running kernel, as Jupyter saves."""
        backend = self.backend
        if backend is None:
            return None
        info = backend.info
        meta: dict[str, Any] = {}
        spec = kernelspec_metadata(backend.choice, info)
        if spec is not None:
            meta["kernelspec"] = spec
        language_info = info.language_info if info is not None else None
        if language_info:
            meta["language_info"] = dict(language_info)
        return meta

    # ----------------------------------------------------------------- running

    def run(self, cells: list[Cell]) -> list[Cell]:
        """Queue ``cells`` (returns at once); without a kernel yet they wait for one. The
        cells actually queued are returned."""
        runner = self.runner
        if runner is None:
            added = [c for c in cells if should_run(c) and all(c is not p for p in self.pending)]
            self.pending.extend(added)
        else:
            before = {id(c) for c in runner.queued}
            if runner.running is not None:
                before.add(id(runner.running))
            runner.submit(cells)
            queued = [c for c in [runner.running, *runner.queued] if c is not None]
            added = [c for c in queued if id(c) not in before]
        if added:
            self.hooks.runs_changed(added)
        return added

    def clear_queue(self) -> list[Cell]:
        """Forget the cells still waiting (after an interrupt, a restart or a death)."""
        dropped = self.runner.clear_queue() if self.runner else []
        if dropped:
            self.hooks.runs_changed(dropped)
        return dropped

    async def interrupt(self) -> None:
        """Interrupt the running cell and drop the queue, as JupyterLab does."""
        if self.backend is None:
            return
        self.clear_queue()
        await self.backend.interrupt()

    async def restart(self) -> None:
        """Restart the kernel; the queue is dropped, a running cell ends."""
        backend = self.backend
        if backend is None:
            return
        self.clear_queue()
        self.failure = None
        self.hooks.status_changed()
        try:
            await backend.restart()
        except (KernelStartError, KernelConnectionError):
            # A kernel whose process is gone for good: start the same choice afresh.
            if self.provider is None:
                raise
            await self.switch(self.provider, backend.choice)
        self.hooks.status_changed()

    async def complete(self, code: str, cursor_pos: int) -> Completion | None:
        """The kernel's completions, or None without a usable kernel."""
        if self.backend is None or self.status in ("dead", "starting"):
            return None
        return await self.backend.complete(code, cursor_pos)

    async def inspect(self, code: str, cursor_pos: int) -> Inspection | None:
        """The kernel's help for the name at ``cursor_pos``, or None without a kernel."""
        if self.backend is None or self.status in ("dead", "starting"):
            return None
        return await self.backend.inspect(code, cursor_pos)

    # ----------------------------------------------------------------- stopping

    async def stop_kernel(self) -> None:
        """Stop the current kernel if we started it (attached ones are only disconnected)."""
        runner, backend = self.runner, self.backend
        self.runner = None
        self.backend = None
        self.started_at = None
        if runner is not None:
            dropped = runner.clear_queue()
            running = runner.running
            with contextlib.suppress(Exception):
                await runner.close()
            ended = dropped + ([running] if running else [])
            if ended:
                self.hooks.runs_changed(ended)
            for cell in ended:
                self.hooks.cell_changed(cell)
        if backend is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(backend.shutdown(), 15)
            # A --keep-kernel kernel outlives us: remember where to re-attach, to tell the user.
            kept = backend.connection_file
            if kept is not None:
                self.kept_connection_file = kept

    def adopt_providers(self, providers: list[Any]) -> None:
        """Close what ``providers`` holds at shutdown (anything with an async ``close``).

        The list itself is kept, not a copy: entries appended to it later (a server added
        in the picker's dialog) are closed too.
        """
        if not any(known is providers for known in self._adopted):
            self._adopted.append(providers)

    async def shutdown(self) -> None:
        """Stop the kernel and close providers; safe to call twice."""
        await self.stop_kernel()
        providers, self._providers_to_close = self._providers_to_close, []
        adopted, self._adopted = self._adopted, []
        for provider in [*providers, *(p for group in adopted for p in group)]:
            with contextlib.suppress(Exception):
                await provider.close()
