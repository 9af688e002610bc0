"""The Textual app: opens one notebook on the notebook screen and owns what outlives screens."""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.filter import LineFilter
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tnb.kernels.protocol import KernelProvider
from tnb.notebook.model import Cell, Notebook
from tnb.session.bounded_exit import EXIT
from tnb.session.kernel_session import KernelSession, UiHooks
from tnb.session.launch import LaunchOptions
from tnb.ui.debugging import DebugParts
from tnb.ui.kernel_actions import KernelParts
from tnb.ui.keys import KEY_ACTIONS
from tnb.ui.recovery import RecoveryParts
from tnb.ui.saving import SavingParts
from tnb.ui.screens.notebook_screen import NotebookScreen
from tnb.ui.server_notebooks import ServerNotebookParts
from tnb.ui.terminal_guard import TerminalGuard
from tnb.ui.widgets.notebook_view import NotebookView

# The benchmark asks for a timestamp of the first cell line drawn (see benchmarks/).
FIRST_PAINT_ENV = "TNB_FIRST_PAINT_FILE"


class TnbApp(RecoveryParts, SavingParts, ServerNotebookParts, KernelParts, DebugParts, App[int]):
    """A terminal notebook for one notebook file: owns the notebook, its kernel session and
    what outlives screens, and routes messages; recovery, saving, a server's notebooks, the
    kernel side and the debugger are its parts (recovery.py, saving.py, server_notebooks.py,
    kernel_actions.py, debugging.py)."""

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
        browse: str | None = None,
    ) -> None:
        """``start_kernel`` starts one after the first paint as ``kernel_args`` (the command
        line) say; otherwise the first run starts the notebook's kernel (or python).
        ``recover`` journals unsaved edits and offers back those a killed tnb left.
        ``local_kernels`` stands for this computer's kernels (tests give a fake kernel's).
        ``browse`` opens the server's file browser at that folder first (`tnb URL` of a
        folder): the kernel starts for the notebook chosen there."""
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
        self._journal_timer: Any = None
        self._journal_writing = False
        self._discarding = False
        self._offered_restart_for: str | None = None
        self._server_files = None
        self._server_saving = False
        self._browse_first = browse
        self.kernels = KernelSession(
            notebook,
            UiHooks(
                status_changed=self._kernel_status_changed,
                runs_changed=self._runs_changed,
                cell_changed=self._cell_changed,
                cell_finished=self._cell_finished,
                ask_input=self._ask_input,
                ask_confirm=self._ask_confirm,
                widgets_changed=self._widgets_changed,
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
            NotebookScreen(
                self.notebook,
                language=self.language,
                run_mark=self.kernels.run_mark,
                widgets=self.kernels.widgets,
            )
        )
        if self._browse_first is not None:
            self._start_on_paint = False
            self.browse_server(self._browse_first, first=True)
        elif self._recover and (self.notebook.path or self.notebook.remote) is not None:
            self.open_journal()
        if self.kernel_args.record_timing:
            from tnb.ui.screens.format_actions import set_record_timing

            set_record_timing(self, True)
        # A clock for the running cell's elapsed time and a reconnect's countdown only: the
        # session publishes every change of state itself.
        self.set_interval(1.0, self._clock)
        if self._handle_signals:
            # Journal, then leave; bounded even if the loop never gets to it (bounded_exit.py).
            EXIT.attach(asyncio.get_running_loop(), self._on_terminate_signal, self.journal_now)

    async def on_unmount(self) -> None:
        """Keep unsaved edits in the journal; stop the kernel we started (attached ones stay)."""
        if not self._discarding:
            self.journal_now()
        self.close_server_files()
        await self.kernels.shutdown()

    def _on_terminate_signal(self) -> None:
        # SSH dropped or we were asked to stop: no dialog can be answered, leave cleanly.
        self.journal_now()
        self.exit(0)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, made safe for a terminal that vanishes (terminal_driver.py)."""
        from tnb.ui.terminal_driver import safe_driver

        return safe_driver(super().get_driver_class())

    def replace_notebook(self, notebook: Notebook, note: str) -> None:
        """Show ``notebook`` instead (restored or reloaded); the kernel stays."""
        self.notebook = notebook
        self.kernels.notebook = notebook
        self.kernels.clear_queue()
        self.kernels.drop_pending()
        runner = self.kernels.runner
        if runner is not None:
            runner.notebook = notebook
        self.kernels.widgets.load(notebook)
        screen = NotebookScreen(
            notebook,
            language=self.language,
            run_mark=self.kernels.run_mark,
            widgets=self.kernels.widgets,
        )
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

    def on_notebook_screen_save_requested(self, event: NotebookScreen.SaveRequested) -> None:
        """Save (or save as); leave afterwards when asked to and the file holds the edits."""
        if self.notebook.remote is not None:
            if event.as_new:
                self.save_as_on_server()
            else:
                self.save_to_server(then_quit=event.then_quit)
            return
        if event.as_new:
            self.save_as()
            return
        saved = self.save_notebook()
        screen = self.notebook_screen
        if saved and event.then_quit:
            self.exit()
        elif screen is not None:
            path = self.notebook.path
            screen.update_bars(f"saved {path.name}" if saved and path else "")

    def on_notebook_screen_files_requested(self, event: NotebookScreen.FilesRequested) -> None:
        """The server's file browser, or a checkpoint to revert to."""
        if event.what == "revert":
            self.revert_to_checkpoint()
            return
        remote = self.notebook.remote
        if remote is None and not self.kernel_args.server:
            self.notify(
                "No Jupyter server: open one with `tnb URL` or `tnb --server URL`.",
                severity="warning",
            )
            return
        self.browse_server(remote.folder if remote is not None else "")

    def on_notebook_screen_quit_requested(self, event: NotebookScreen.QuitRequested) -> None:
        """Leave; a discard drops the recovery journal first (the edits are not wanted)."""
        if event.discard:
            self.discard_recovery()
        self.exit()

    def on_notebook_view_painted(self, event: NotebookView.Painted) -> None:
        """Start the kernel after the first frame; write the benchmark's timestamp."""
        target = os.environ.get(FIRST_PAINT_ENV)
        if target:
            Path(target).write_text(f"{time.time()}\n", encoding="utf-8")
        if self._start_on_paint:
            self._start_on_paint = False
            if self.kernels.backend is None and not self._starting:
                self._kernel_worker(self._start_initial())
