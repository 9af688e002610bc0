"""The app's kernel side: the session's hooks, starting and switching, run and interrupt
requests, completion and help; all kernel I/O in workers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from typing import Any, TypeVar

from textual.markup import escape

from tnb.kernels.events import InputRequested
from tnb.kernels.protocol import (
    KernelChoice,
    KernelConnectionError,
    KernelProvider,
    KernelStartError,
)
from tnb.notebook.model import Cell
from tnb.session.kernel_session import NeedsPicker, PickerReason
from tnb.session.runner import CellResult
from tnb.ui.host import AppHost
from tnb.ui.screens.dialogs import ChoiceScreen, ConfirmScreen
from tnb.ui.screens.notebook_screen import NotebookScreen
from tnb.ui.screens.stdin_prompt import StdinPromptScreen
from tnb.ui.widgets.cell_editor import CellEditor
from tnb.ui.widgets.cell_lines import widget_id

_Reply = TypeVar("_Reply")  # what a completion or help request returns

# Offer a restart when an interrupted cell still runs this long after (kernels.md).
INTERRUPT_PATIENCE = 10.0

# Why the picker opened by itself, shown above its list (NeedsPicker.kind -> text).
PICKER_NOTES: dict[PickerReason, str] = {
    "pick": "Opened by --pick.",
    "new": "A new notebook: choose the kernel it runs on (saved in the file).",
    "no-kernel": "This notebook names no kernel: choose one (saved in the file).",
    "missing": "No kernel was started.",
}


class KernelParts(AppHost):
    """What the app does with its kernel session; every wait is in a worker."""

    def _kernel_status_changed(self) -> None:
        kernels = self.kernels
        self.kernel_metadata = kernels.kernel_metadata() or self.kernel_metadata
        language = _kernel_language(self.kernel_metadata)
        if language and kernels.backend is not None:
            self.language = language
        screen = self.notebook_screen
        if screen is not None:
            screen.set_language(self.language)
            screen.set_kernel_label(kernels.label())
        if kernels.status in ("restarting", "dead"):
            self.debug_kernel_gone()
        if kernels.status == "dead" and kernels.failure:
            self._offer_restart(kernels.failure)

    def _offer_restart(self, reason: str) -> None:
        if self._offered_restart_for == reason:
            return
        self._offered_restart_for = reason
        self.kernels.clear_queue()
        connection = self.kernels.connection_state()
        if connection is not None and connection.gave_up:
            why = f" ({connection.reason})" if connection.reason else ""
            self._offer_connection_choices(
                f"tnb gave up reconnecting to the kernel after {connection.attempt} attempts{why}."
            )
            return
        self.notify(reason, title="Kernel died", severity="error", timeout=30, markup=False)
        self.push_screen(
            ConfirmScreen(f"{escape(reason)}\n\nRestart the kernel? (your notebook is kept)"),
            self._restart_answered,
        )

    def _offer_connection_choices(self, reason: str) -> None:
        """tnb gave up reconnecting to a server kernel: restart it, wait longer, or pick."""

        def answered(answer: str | None) -> None:
            if answer == "restart":
                self._kernel_worker(self._restart())
            elif answer == "wait":
                self._kernel_worker(self._keep_waiting())
            elif answer == "pick":
                self._open_picker("The connection to the kernel was lost.")

        self.push_screen(
            ChoiceScreen(
                f"{reason}\n\nThe kernel may still be running on the server.",
                [
                    ("wait", "w", "Keep trying"),
                    ("restart", "r", "Restart kernel"),
                    ("pick", "p", "Pick another kernel"),
                ],
            ),
            answered,
        )

    async def _keep_waiting(self) -> None:
        self._offered_restart_for = None
        try:
            await self.kernels.keep_waiting()
        except KernelConnectionError as exc:
            self.kernels.failure = str(exc)
            self._kernel_status_changed()
            return
        self.notify("Reconnected to the kernel.", timeout=3)

    def _restart_answered(self, answer: bool | None) -> None:
        if answer:
            self._kernel_worker(self._restart())

    def _runs_changed(self, cells: list[Cell]) -> None:
        screen = self.notebook_screen
        if screen is not None:
            screen.view.runs_changed(cells)
            screen.set_kernel_label(self.kernels.label())

    def _cell_changed(self, cell: Cell) -> None:
        screen = self.notebook_screen
        if screen is not None:
            screen.view.refresh_cell(cell)
            _follow(screen, cell)

    def _widgets_changed(self, model_ids: set[str]) -> None:
        from tnb.ui.screens.widget_panel import WidgetPanel

        if self.screen_stack and isinstance(self.screen, WidgetPanel):
            self.screen.redraw()
        screen = self.notebook_screen
        if screen is None:
            return
        widgets = self.kernels.widgets
        for cell in self.notebook.cells:
            for output in cell.outputs:
                shown = widget_id(output)
                if shown is not None and widgets.descendants(shown) & model_ids:
                    screen.view.refresh_cell(cell)  # drawn at the next frame: changes coalesce
                    break

    def _cell_finished(self, result: CellResult) -> None:
        self.debug_cell_finished()
        screen = self.notebook_screen
        if screen is not None:
            screen.view.refresh_cell(result.cell)
            _follow(screen, result.cell)
            screen.update_bars()
        if result.status == "died" and self.kernels.failure:
            self._offer_restart(self.kernels.failure)

    async def _ask_input(self, request: InputRequested) -> str:
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def answered(text: str | None) -> None:
            if not answer.done():
                answer.set_result(text or "")

        self.push_screen(StdinPromptScreen(request.prompt, password=request.password), answered)
        return await answer

    async def _ask_confirm(self, question: str) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def answered(yes: bool | None) -> None:
            if not answer.done():
                answer.set_result(bool(yes))

        self.push_screen(ConfirmScreen(escape(question)), answered)
        return await answer

    def _clock(self) -> None:
        kernels = self.kernels
        screen = self.notebook_screen
        if screen is None or (kernels.running_cell is None and kernels.connection_state() is None):
            return
        screen.view.refresh()  # a prompt whose elapsed time changed is drawn again
        screen.set_kernel_label(kernels.label())

    # ----------------------------------------------------------------- kernel: starting

    def _kernel_worker(self, coro: Any) -> None:
        """Kernel I/O never runs in a handler: one worker at a time changes the kernel."""
        self.run_worker(coro, group="kernel", exclusive=False, exit_on_error=False)

    async def _start_initial(self, *, ask: bool = True) -> None:
        self._starting = True
        try:
            await self._start_initial_inner(ask=ask)
        finally:
            self._starting = False

    async def _start_initial_inner(self, *, ask: bool) -> None:
        try:
            if ask:
                await self.kernels.start_from_args(self.kernel_args)
            else:
                await self.kernels.start_default(self.kernel_args)
        except NeedsPicker as need:
            if not self._open_picker(PICKER_NOTES[need.kind]):
                await self._start_initial_inner(ask=False)
            return
        except (KernelStartError, KernelConnectionError) as exc:
            self._start_failed(str(exc))
            return
        self._kernel_started()

    def _kernel_started(self) -> None:
        self._offered_restart_for = None
        self._kernel_status_changed()

    def _start_failed(self, reason: str) -> None:
        self.kernels.failure = reason  # the status bar says "kernel failed", not "no kernel"
        self.kernels.drop_pending()
        self._kernel_status_changed()
        self.notify(
            f"{reason}\nChange kernel from the palette (ctrl+p) to pick another.",
            title="Kernel did not start",
            severity="error",
            timeout=30,
            markup=False,
        )

    def _open_picker(self, note: str = "") -> bool:
        """Push the kernel picker, ``note`` saying why it opened; False when this build has none."""
        try:
            from tnb.session.sources import build_providers
            from tnb.ui.screens.kernel_picker import KernelPickerScreen
        except ImportError:
            return False
        nb = self.notebook
        providers = build_providers(
            self.kernel_args, nb.path.parent if nb.path else None, local=self.kernels.local
        )
        preferred = nb.metadata.get("kernelspec")
        screen = KernelPickerScreen(
            providers,
            preferred=preferred if isinstance(preferred, dict) else None,
            notebook_path=nb.path,
            note=note,
        )
        # Closed with the app (the provider in use must outlive the picker). The picker's
        # own list, by reference: servers added in its dialog are appended to it later.
        self.kernels.adopt_providers(screen.entries)

        def picked(result: Any) -> None:
            if result is None:
                self._start_failed_quietly()
                return
            self._kernel_worker(self.switch_kernel(result.provider, result.choice))

        self.push_screen(screen, picked)
        return True

    def _start_failed_quietly(self) -> None:
        self.kernels.drop_pending()
        self._kernel_status_changed()

    async def switch_kernel(self, provider: KernelProvider, choice: KernelChoice) -> None:
        """Stop our old kernel, start ``choice`` from ``provider``, record it in the notebook."""
        try:
            await self.kernels.switch(provider, choice)
        except (KernelStartError, KernelConnectionError) as exc:
            self._start_failed(str(exc))
            return
        self._kernel_started()

    async def _restart(self, then_run: list[Cell] | None = None) -> None:
        try:
            await self.kernels.restart()
        except (KernelStartError, KernelConnectionError) as exc:
            self._start_failed(str(exc))
            return
        self._offered_restart_for = None
        self.notify("Kernel restarted.", timeout=3)
        if then_run:
            self.kernels.run(then_run)

    async def _interrupt(self) -> None:
        if isinstance(self.screen, StdinPromptScreen):
            self.screen.dismiss("")
        self.kernels.clear_queue()
        runner = self.kernels.runner
        running = runner.running if runner is not None else None
        try:
            await self.kernels.interrupt()
        except (KernelConnectionError, TimeoutError) as exc:
            self.notify(f"Interrupt failed: {exc}", severity="error", markup=False)
        if running is not None:
            self.set_timer(INTERRUPT_PATIENCE, lambda: self._interrupt_took(running))

    def _interrupt_took(self, cell: Cell) -> None:
        runner = self.kernels.runner
        if runner is None or runner.running is not cell:
            return
        self.push_screen(
            ConfirmScreen(
                f"The kernel has not stopped {INTERRUPT_PATIENCE:g} s after the interrupt.\n"
                "Restart it? (its variables are lost; your notebook is kept)"
            ),
            self._restart_answered,
        )

    # ----------------------------------------------------------------- kernel: requests

    def on_notebook_screen_run_requested(self, event: NotebookScreen.RunRequested) -> None:
        """Queue the cells; start a kernel first when there is none."""
        kernels = self.kernels
        if event.mode == "restart_all":
            if kernels.backend is None:
                self._queue_until_started(event.cells)
            else:
                self._kernel_worker(self._restart(then_run=event.cells))
            return
        if kernels.runner is None:
            self._queue_until_started(event.cells)
            return
        if kernels.status == "dead":
            self._offered_restart_for = None
            self._offer_restart(kernels.failure or "the kernel is not running")
            return
        kernels.run(event.cells)

    def _queue_until_started(self, cells: list[Cell]) -> None:
        self.kernels.run(cells)  # they wait in the session until a kernel is there
        if not self._starting:
            self._kernel_worker(self._start_initial())

    def on_notebook_screen_kernel_requested(self, event: NotebookScreen.KernelRequested) -> None:
        """Interrupt, restart (already confirmed) or change the kernel."""
        if event.action == "change":
            backend = self.kernels.backend
            note = f"Choosing one replaces {backend.choice.display_name}." if backend else ""
            if not self._open_picker(note):
                self.notify("This build has no kernel picker; use --kernel NAME.", timeout=6)
            return
        if self.kernels.backend is None:
            self.notify("No kernel is running.", timeout=4)
            return
        if event.action == "interrupt":
            self._kernel_worker(self._interrupt())
        else:
            self._kernel_worker(self._restart())

    # ----------------------------------------------------------------- kernel: help

    def on_cell_editor_completion_requested(self, event: CellEditor.CompletionRequested) -> None:
        """Tab in the editor: ask the kernel (in a worker) and show a popup."""
        self.run_worker(
            self._complete(event.editor, event.code, event.offset),
            group="complete",
            exclusive=True,
            exit_on_error=False,
        )

    async def _ask_kernel(
        self, request: Awaitable[_Reply | None], *, failed: str, no_kernel: str
    ) -> _Reply | None:
        """A completion or help request (bounded), or None after telling the user why not."""
        try:
            reply = await asyncio.wait_for(request, 10)
        except (KernelConnectionError, TimeoutError) as exc:
            self.notify(f"{failed}: {exc}", timeout=3, markup=False)
            return None
        if reply is None:
            self.notify(no_kernel, timeout=3)
        return reply

    async def _complete(self, editor: CellEditor, code: str, offset: int) -> None:
        from tnb.ui.screens.completion import CompletionScreen

        reply = await self._ask_kernel(
            self.kernels.complete(code, offset),
            failed="No completion",
            no_kernel="No kernel to complete with (run a cell to start one).",
        )
        if reply is None:
            return
        if editor.text != code or not reply.matches:
            if not reply.matches:
                self.bell()
            return
        start, end = reply.cursor_start, reply.cursor_end
        if len(reply.matches) == 1:
            editor.replace_range(start, end, reply.matches[0])
            return
        prefix = os.path.commonprefix(reply.matches)  # noqa: RUF071 (strings, not paths)
        if len(prefix) > end - start:
            editor.replace_range(start, end, prefix)
            end = start + len(prefix)
            code = editor.text

        def chosen(match: str | None) -> None:
            if match is not None and editor.text == code:
                editor.replace_range(start, end, match)

        x, y = editor.cursor_screen_offset
        self.push_screen(CompletionScreen(reply.matches, at=(x, y)), chosen)

    def on_cell_editor_inspect_requested(self, event: CellEditor.InspectRequested) -> None:
        """shift+tab: the kernel's help for the name under the cursor, in the pager."""
        self.run_worker(
            self._inspect(event.code, event.offset),
            group="inspect",
            exclusive=True,
            exit_on_error=False,
        )

    async def _inspect(self, code: str, offset: int) -> None:
        from tnb.ui.render import strip_ansi
        from tnb.ui.screens.pager import PagerScreen

        reply = await self._ask_kernel(
            self.kernels.inspect(code, offset),
            failed="No help",
            no_kernel="No kernel to ask for help (run a cell to start one).",
        )
        if reply is None:
            return
        text = str(reply.data.get("text/plain", "")) if reply.found else ""
        if not text:
            self.notify("The kernel has no help for this name.", timeout=3)
            return
        self.push_screen(PagerScreen("Help from the kernel", strip_ansi(text)))


def _follow(screen: NotebookScreen, cell: Cell) -> None:
    """The selected cell's output grew: keep its end on screen if it was (command mode)."""
    view = screen.view
    cursor = view.cursor
    if screen.mode == "command" and 0 <= cursor < len(view.cells) and view.cells[cursor] is cell:
        view.follow_output(cursor)


def _kernel_language(metadata: dict[str, Any] | None) -> str:
    """The running kernel's language, as its kernelspec or language_info names it."""
    meta = metadata or {}
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        source = meta.get(key)
        name = source.get(field) if isinstance(source, dict) else None
        if isinstance(name, str) and name:
            return name.lower()
    return ""
