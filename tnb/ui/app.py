"""The Textual app: opens one notebook on the notebook screen and owns what outlives screens."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Awaitable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.filter import LineFilter
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tnb.kernels.events import InputRequested
from tnb.kernels.protocol import (
    KernelChoice,
    KernelConnectionError,
    KernelProvider,
    KernelStartError,
)
from tnb.notebook.model import Cell, Notebook
from tnb.session.bounded_exit import EXIT
from tnb.session.kernel_session import KernelSession, NeedsPicker, PickerReason, UiHooks
from tnb.session.launch import LaunchOptions
from tnb.session.runner import CellResult
from tnb.ui.keys import KEY_ACTIONS
from tnb.ui.screens.dialogs import ChoiceScreen, ConfirmScreen
from tnb.ui.screens.notebook_screen import NotebookScreen
from tnb.ui.screens.stdin_prompt import StdinPromptScreen
from tnb.ui.terminal_guard import TerminalGuard
from tnb.ui.widgets.cell_editor import CellEditor
from tnb.ui.widgets.notebook_view import NotebookView

if TYPE_CHECKING:
    from tnb.notebook.readonly import ReadOnlyError

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

# The benchmark asks for a timestamp of the first cell line drawn (see benchmarks/).
FIRST_PAINT_ENV = "TNB_FIRST_PAINT_FILE"


class TnbApp(App[int]):
    """A terminal notebook for one notebook file."""

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "tnb"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        notebook: Notebook,
        *,
        language: str | None = None,
        kernel_args: argparse.Namespace | LaunchOptions | None = None,
        start_kernel: bool = False,
        handle_signals: bool = False,
        recover: bool = False,
        local_kernels: KernelProvider | None = None,
    ) -> None:
        """``start_kernel`` starts one after the first paint as ``kernel_args`` (the command
        line) say; otherwise the first run starts the notebook's kernel (or python).
        ``recover`` journals unsaved edits and offers back those a killed tnb left.
        ``local_kernels`` stands for this computer's kernels (tests give a fake kernel's)."""
        super().__init__()
        self._guard = TerminalGuard()
        self.notebook = notebook
        self.language = language or notebook.language
        self.clipboard_cells: list[Cell] = []
        # Set by the execution layer once a kernel answers: {"kernelspec": {...},
        # "language_info": {...}} as Jupyter stores them, written into the file on save.
        self.kernel_metadata: dict[str, Any] | None = None
        self.kernel_args = LaunchOptions.of(kernel_args)
        self._start_on_paint = start_kernel
        self._handle_signals = handle_signals
        self._starting = False  # a start worker is choosing or starting a kernel
        self._recover = recover
        self.journal: Any = None  # the notebook's RecoveryJournal when recovering
        self._journal_warned = False
        self._journal_writing = False
        self._discarding = False
        self._offered_restart_for: str | None = None
        self.kernels = KernelSession(
            notebook,
            UiHooks(
                status_changed=self._kernel_status_changed,
                runs_changed=self._runs_changed,
                cell_changed=self._cell_changed,
                cell_finished=self._cell_finished,
                ask_input=self._ask_input,
                ask_confirm=self._ask_confirm,
            ),
            local=local_kernels,
        )

    def get_line_filters(self) -> list[LineFilter]:
        """Textual's filters, then the terminal guard on every line of every widget."""
        return [*super().get_line_filters(), self._guard]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification shown as typed: messages carry file names, kernel names and servers'
        errors, whose brackets must never be read as markup (links, click actions, a MarkupError).
        """
        del markup  # Widget.notify passes markup=True explicitly: the default cannot be relied on
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        """Show the notebook; the kernel starts after the first paint."""
        self.push_screen(
            NotebookScreen(self.notebook, language=self.language, run_mark=self.kernels.run_mark)
        )
        if self._recover and self.notebook.path is not None:
            self._open_journal()
        if self.kernel_args.record_timing:
            from tnb.ui.screens.format_actions import set_record_timing

            set_record_timing(self, True)
        # A clock for the running cell's elapsed time and a reconnect's countdown only: the
        # session publishes every change of state itself.
        self.set_interval(1.0, self._clock)
        if self._handle_signals:
            # Journal, then leave; bounded even if the loop never gets to it (bounded_exit.py).
            EXIT.attach(asyncio.get_running_loop(), self._on_terminate_signal, self._journal_now)

    async def on_unmount(self) -> None:
        """Keep unsaved edits in the journal; stop the kernel we started (attached ones stay)."""
        if not self._discarding:
            self._journal_now()
        await self.kernels.shutdown()

    def _on_terminate_signal(self) -> None:
        # SSH dropped or we were asked to stop: no dialog can be answered, leave cleanly.
        self._journal_now()
        self.exit(0)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, made safe for a terminal that vanishes (terminal_driver.py)."""
        from tnb.ui.terminal_driver import safe_driver

        return safe_driver(super().get_driver_class())

    # ----------------------------------------------------------------- recovery journal

    def _open_journal(self) -> None:
        from tnb.notebook.errors import NotebookError
        from tnb.notebook.recovery import RecoveryJournal

        nb = self.notebook
        try:
            self.journal = RecoveryJournal.for_notebook(nb)
            found = self.journal.pending(nb)
        except (NotebookError, OSError, ValueError) as error:
            self.notify(f"Recovery is off: {error}", severity="warning", markup=False)
            self.journal = None
            return
        self.set_interval(5.0, self._journal_tick)
        if found is None:
            return
        if found.owner_running:
            # Its journal is the other tnb's: writing (or discarding) it here would lose them.
            self.journal = None
            self.notify(
                f"Another tnb (pid {found.pid}) has this notebook open with unsaved edits; "
                "edits made here are not journalled.",
                title="Open twice",
                severity="warning",
                timeout=15,
            )
            return
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(found.saved_at))
        question = (
            f"Unsaved edits of {nb.path.name if nb.path else 'this notebook'} from {when} "
            f"were kept after tnb stopped: {found.summary()}.\nRestore them?"
        )

        def answered(answer: str | None) -> None:
            if answer == "restore":
                self._replace_notebook(found.restore(), "restored the unsaved edits")
            elif answer == "discard":
                found.discard()
            else:
                # Kept for a later session: journalling this one would replace it.
                self.journal = None
                self.notify(
                    "The recovered edits are kept for next time; edits made now are not "
                    "journalled.",
                    severity="warning",
                    timeout=10,
                )

        self.push_screen(
            ChoiceScreen(
                question,
                [
                    ("restore", "r", "Restore"),
                    ("discard", "d", "Discard"),
                    ("cancel", "l", "Later"),
                ],
            ),
            answered,
        )

    def _journal_now(self) -> None:
        """Write the journal synchronously (exit, signals); never raises."""
        from tnb.notebook.errors import NotebookError

        if self.journal is None:
            return
        # Leaving anyway: on failure there is nothing better to do than exit.
        with contextlib.suppress(NotebookError, OSError):
            self.journal.write(self.notebook)

    def _journal_tick(self) -> None:
        from tnb.notebook.errors import NotebookError

        if self.journal is None or self._journal_writing:
            return
        try:
            # Serialised here, on the loop, so the model cannot change under it.
            snapshot = self.journal.snapshot(self.notebook)
        except (NotebookError, OSError) as error:
            self._journal_failed(str(error))
            return
        if snapshot is not None:
            self._journal_writing = True
            self.run_worker(self._commit_journal(snapshot), group="journal", exit_on_error=False)

    async def _commit_journal(self, snapshot: Any) -> None:
        from tnb.notebook.errors import NotebookError

        try:
            await asyncio.to_thread(snapshot.commit)  # fsync off the event loop
        except (NotebookError, OSError) as error:
            self._journal_failed(str(error))
        finally:
            self._journal_writing = False

    def _journal_failed(self, reason: str) -> None:
        if not self._journal_warned:
            self._journal_warned = True
            self.notify(reason, title="Recovery journal", severity="warning", markup=False)

    def discard_recovery(self) -> None:
        """The user quits discarding their edits: forget the journal too."""
        self._discarding = True
        if self.journal is not None:
            self.journal.discard()

    def _replace_notebook(self, notebook: Notebook, note: str) -> None:
        """Show ``notebook`` instead (restored or reloaded); the kernel stays."""
        self.notebook = notebook
        self.kernels.notebook = notebook
        self.kernels.clear_queue()
        self.kernels.drop_pending()
        runner = self.kernels.runner
        if runner is not None:
            runner.notebook = notebook
        screen = NotebookScreen(notebook, language=self.language, run_mark=self.kernels.run_mark)
        if self.notebook_screen is self.screen:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self.call_after_refresh(screen.update_bars, note)

    @property
    def notebook_screen(self) -> NotebookScreen | None:
        """The notebook screen, wherever it is in the stack."""
        for screen in self.screen_stack:
            if isinstance(screen, NotebookScreen):
                return screen
        return None

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands plus every notebook action, with its keys as help."""
        yield from super().get_system_commands(screen)
        notebook_screen = self.notebook_screen
        if notebook_screen is None:
            return
        seen: set[str] = set()
        for item in KEY_ACTIONS:
            if item.action in seen or item.action == "command_palette":
                continue
            seen.add(item.action)
            action = "delete_selected" if item.action == "chord('d')" else item.action
            # Help text is Textual markup: keys like "[" must not open a tag.
            keys = escape(item.display_keys) if item.keys else "palette only"
            where = f"{item.mode} mode · " if item.mode != "any" else ""
            yield SystemCommand(
                item.title,
                f"{where}{keys}",
                partial(self._run_screen_action, notebook_screen, action, item.mode),
            )

    async def _run_screen_action(self, screen: NotebookScreen, action: str, mode: str) -> None:
        if mode == "command" and screen.mode == "edit":
            # Cell-level actions from the palette act on cells, not on the text being edited.
            screen.action_command_mode()
        if action == "delete_selected":
            screen.delete_selected()
        else:
            await screen.run_action(action)

    async def on_event(self, event: events.Event) -> None:
        """Show every key to the notebook screen first: `d d` must see keys bindings consume."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            screen = self.screen
            if isinstance(screen, NotebookScreen):
                screen.note_key(event.key)
        await super().on_event(event)

    def action_quit(self) -> None:  # type: ignore[override]
        """ctrl+q asks about unsaved changes like q does."""
        screen = self.notebook_screen
        if screen is None or not isinstance(self.screen, NotebookScreen):
            self.exit()
        else:
            screen.action_quit()

    def save_notebook(
        self, *, overwrite_external: bool = False, overwrite_readonly: bool = False
    ) -> bool:
        """Write the notebook atomically; on failure tell the user and keep everything.

        A file changed on disk by another program is not overwritten without asking
        (overwrite / reload / save as); the answer saves again, reloads or saves elsewhere.
        Nor is a read-only file (save anyway / save as / cancel), even for root.
        """
        from tnb.notebook.io import NotebookError, ReadOnlyError
        from tnb.notebook.ondisk import ExternalChangeError

        try:
            self._write(
                None,
                overwrite_external=overwrite_external,
                overwrite_readonly=overwrite_readonly,
            )
        except ExternalChangeError as error:
            self._ask_external_change(error.check.describe())
            return False
        except ReadOnlyError as error:
            self._ask_read_only(error, overwrite_external=overwrite_external)
            return False
        except (NotebookError, OSError) as error:
            self.notify(f"Not saved: {error}", title="Save failed", severity="error", timeout=15)
            return False
        return True

    def _write(
        self, path: Path | None, *, overwrite_external: bool, overwrite_readonly: bool = False
    ) -> None:
        """Save to ``path`` (default: the notebook's own) with the kernel's metadata; the
        journal is dropped once the file holds the edits.

        Raises:
            ExternalChangeError, NotebookError, OSError: as ``save_notebook``; nothing written.
        """
        from tnb.notebook.io import save_notebook

        nb = self.notebook
        known = self.kernel_metadata or {}
        spec, info = known.get("kernelspec"), known.get("language_info")
        nb.record_kernel(
            spec if isinstance(spec, dict) and spec.get("name") else None,
            info if isinstance(info, dict) else None,
        )
        save_notebook(
            nb,
            path,
            overwrite_external=overwrite_external,
            overwrite_readonly=overwrite_readonly,
        )
        if self.journal is not None:
            self.journal.discard()

    def _ask_read_only(self, error: ReadOnlyError, *, overwrite_external: bool) -> None:
        def answered(answer: str | None) -> None:
            screen = self.notebook_screen
            if answer == "overwrite":
                saved = self.save_notebook(
                    overwrite_external=overwrite_external, overwrite_readonly=True
                )
                if saved and screen is not None:
                    screen.update_bars("saved over the read-only file (it stays read-only)")
            elif answer == "save-as":
                self.save_as()

        self.push_screen(
            ChoiceScreen(
                f"{error.path.name} is read-only ({error.reason}).\nYour version was not "
                "saved. Save it under another name, or save over the file anyway (it stays "
                "read-only)?",
                [
                    ("cancel", "c", "Cancel"),
                    ("save-as", "a", "Save as…"),
                    ("overwrite", "o", "Save anyway"),
                ],
            ),
            answered,
        )

    def _ask_external_change(self, what: str) -> None:
        def answered(answer: str | None) -> None:
            screen = self.notebook_screen
            if answer == "overwrite":
                if self.save_notebook(overwrite_external=True) and screen is not None:
                    screen.update_bars("saved (overwrote the file on disk)")
            elif answer == "reload":
                self._reload()
            elif answer == "save-as":
                self.save_as()

        self.push_screen(
            ChoiceScreen(
                f"{what}.\nYour version was not saved. Save it under another name, "
                "overwrite the file with it, or reload the file (your edits are lost).",
                [
                    ("cancel", "c", "Cancel"),
                    ("save-as", "a", "Save as…"),
                    ("overwrite", "o", "Overwrite"),
                    ("reload", "r", "Reload"),
                ],
            ),
            answered,
        )

    def save_as(self) -> None:
        """Ask for another file name and save there; the notebook is that file from then on."""
        from tnb.notebook.io import NotebookError
        from tnb.notebook.ondisk import ExternalChangeError
        from tnb.ui.screens.dialogs import SaveAsScreen, unused_path

        nb = self.notebook
        current = nb.path or _untitled_path(Path.cwd())
        old_journal = self.journal

        def save(path: Path) -> str | None:
            try:
                # Never over another file without asking: an existing name is refused.
                self._write(path, overwrite_external=False)
            except ExternalChangeError as error:
                return f"{error.check.describe()}: choose another name."
            except (NotebookError, OSError) as error:
                return f"Not saved: {error}"
            return None

        def saved(path: Path | None) -> None:
            if path is None:
                return
            if old_journal is not None:
                from tnb.notebook.recovery import RecoveryJournal

                old_journal.discard()
                # Unsaved edits from now on belong to the new file's journal.
                self.journal = RecoveryJournal.for_notebook(nb)
            screen = self.notebook_screen
            if screen is not None:
                screen.update_bars(f"saved as {path.name}")

        self.push_screen(SaveAsScreen(unused_path(current), save), saved)

    def _reload(self) -> None:
        from tnb.notebook.io import NotebookError, load_notebook

        path = self.notebook.path
        if path is None:
            return
        try:
            notebook = load_notebook(path, missing_ok=False)
        except NotebookError as error:
            self.notify(f"Not reloaded: {error}", severity="error", markup=False)
            return
        self._replace_notebook(notebook, f"reloaded {path.name}")

    # ----------------------------------------------------------------- kernel: UI hooks

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

    def _cell_finished(self, result: CellResult) -> None:
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

    def on_notebook_view_painted(self, event: NotebookView.Painted) -> None:
        """Start the kernel after the first frame; write the benchmark's timestamp."""
        target = os.environ.get(FIRST_PAINT_ENV)
        if target:
            Path(target).write_text(f"{time.time()}\n", encoding="utf-8")
        if self._start_on_paint:
            self._start_on_paint = False
            if self.kernels.backend is None and not self._starting:
                self._kernel_worker(self._start_initial())


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


def _untitled_path(folder: Path) -> Path:
    candidate = folder / "Untitled.ipynb"
    number = 1
    while candidate.exists():
        candidate = folder / f"Untitled{number}.ipynb"
        number += 1
    return candidate


def run_app(args: argparse.Namespace) -> int:
    """Open ``args.notebook`` (or a new untitled one) and run until the user quits."""
    from tnb.notebook.io import NotebookError, load_notebook

    EXIT.install()  # from here on SIGHUP/SIGTERM end tnb within a bound, whatever it does
    path: Path = args.notebook if args.notebook is not None else _untitled_path(Path.cwd())
    try:
        notebook = load_notebook(path, missing_ok=True)
    except NotebookError as error:
        print(f"tnb: {error}", file=sys.stderr)
        return 1
    options = LaunchOptions.of(args)
    if options.server:
        from tnb.kernels.server.url import needs_token
        from tnb.session.cli_token import terminal_token_prompt

        # Asked here, before Textual owns the terminal; the token stays in memory only.
        server = options.server
        ask = terminal_token_prompt(server) if needs_token(server, options.token) else None
        if ask is not None:
            options = dataclasses.replace(options, token=ask() or None)
    app = TnbApp(
        notebook,
        kernel_args=options,
        start_kernel=not options.no_kernel,
        handle_signals=True,
        recover=True,
    )
    result = app.run()
    EXIT.detach()
    kept = app.kernels.kept_connection_file
    if kept is not None:
        with contextlib.suppress(OSError):  # the terminal may be gone
            print(f"tnb: the kernel is still running; attach with: tnb --existing {kept}")
    return result or 0
