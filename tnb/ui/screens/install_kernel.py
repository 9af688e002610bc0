"""Asks before installing ipykernel into an environment, then shows the installer's progress."""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Log

from tnb.kernels.raw.install import install_command, install_ipykernel
from tnb.session.sanitize import sanitize


class InstallKernelScreen(ModalScreen[bool]):
    """ipykernel is missing in ``prefix``: install it (enter) or not (esc). True once it is in.

    Nothing runs before the user says so; the command is shown first, its output as it comes,
    and a failure in the installer's own words, with the dialog left open to read it.
    """

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "install", "install"),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, prefix: Path, label: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.label = label
        self.command = shlex.join(install_command(prefix))
        self._installing: asyncio.Task[str | None] | None = None
        self.failure: str | None = None

    def compose(self) -> ComposeResult:
        """The question, the command, a log for its output and two buttons."""
        with Vertical(classes="dialog install-kernel"):
            yield Label(
                f"{sanitize(self.label)} has no ipykernel, so it cannot run a notebook.\n"
                f"Install it now with:\n  {sanitize(self.command)}",
                id="install-question",
                classes="question",
            )
            log = Log(id="install-log", max_lines=500)
            log.display = False
            log.can_focus = False  # enter belongs to the buttons
            yield log
            with Horizontal(classes="buttons"):
                yield Button("Install \\[enter]", id="install", variant="primary")
                yield Button("Cancel \\[esc]", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons answer like their keys."""
        if event.button.id == "install":
            self.action_install()
        else:
            self.action_cancel()

    def action_install(self) -> None:
        """Run the installer (once)."""
        if self._installing is not None or self.failure is not None:
            return
        log = self.query_one("#install-log", Log)
        log.display = True
        self.query_one("#install", Button).disabled = True
        self.query_one("#install-question", Label).update(
            f"Installing ipykernel into {sanitize(str(self.prefix))}…\n  {sanitize(self.command)}"
        )

        def line(text: str) -> None:
            log.write_line(sanitize(text))

        self._installing = asyncio.ensure_future(install_ipykernel(self.prefix, line))
        self._installing.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[str | None]) -> None:
        self._installing = None
        if task.cancelled() or not self.is_attached:
            return
        error = task.exception()
        failure = str(error) if error is not None else task.result()
        if failure is None:
            self.dismiss(True)
            return
        self.failure = failure
        self.query_one("#install-question", Label).update(
            f"ipykernel could not be installed into {sanitize(str(self.prefix))}:\n"
            f"{sanitize(failure)}"
        )
        self.query_one("#cancel", Button).label = "Close \\[esc]"

    def action_cancel(self) -> None:
        """Close; an installer still running is stopped."""
        if self._installing is not None:
            self._installing.cancel()
            self._installing = None
        self.dismiss(False)
