"""The Textual app: opens one notebook on the notebook screen and owns what outlives screens."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import Screen

from tnb.keys import KEY_ACTIONS
from tnb.notebook.model import Cell, Notebook
from tnb.screens.notebook_screen import NotebookScreen
from tnb.widgets.notebook_view import NotebookView

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

    def __init__(self, notebook: Notebook, *, language: str | None = None) -> None:
        super().__init__()
        self.notebook = notebook
        self.language = language or notebook.language
        self.clipboard_cells: list[Cell] = []
        # Set by the execution layer once a kernel answers: {"kernelspec": {...},
        # "language_info": {...}} as Jupyter stores them, written into the file on save.
        self.kernel_metadata: dict[str, Any] | None = None

    def on_mount(self) -> None:
        """Show the notebook."""
        self.push_screen(NotebookScreen(self.notebook, language=self.language))

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

    def save_notebook(self) -> bool:
        """Write the notebook atomically; on failure tell the user and keep everything."""
        from tnb.notebook.io import NotebookError, save_notebook

        nb = self.notebook
        known = self.kernel_metadata or {}
        spec = known.get("kernelspec")
        if isinstance(spec, dict) and spec.get("name"):
            nb.set_kernelspec(
                str(spec["name"]),
                str(spec.get("display_name") or spec["name"]),
                str(spec.get("language") or nb.language),
            )
        if isinstance(known.get("language_info"), dict):
            nb.set_language_info(known["language_info"])
        try:
            save_notebook(nb)
        except (NotebookError, OSError) as error:
            self.notify(f"Not saved: {error}", title="Save failed", severity="error", timeout=15)
            return False
        return True

    def on_notebook_screen_run_requested(self, event: NotebookScreen.RunRequested) -> None:
        """No kernel yet: say so instead of silently ignoring the key."""
        self.notify("No kernel: this version of tnb opens notebooks without one.", timeout=4)

    def on_notebook_screen_kernel_requested(self, event: NotebookScreen.KernelRequested) -> None:
        """No kernel yet: say so instead of silently ignoring the key."""
        self.notify("No kernel is running.", timeout=4)

    def on_notebook_view_painted(self, event: NotebookView.Painted) -> None:
        """Write the first-paint timestamp when the benchmark asks for it."""
        target = os.environ.get(FIRST_PAINT_ENV)
        if target:
            Path(target).write_text(f"{time.time()}\n", encoding="utf-8")


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

    path: Path = args.notebook if args.notebook is not None else _untitled_path(Path.cwd())
    try:
        notebook = load_notebook(path, missing_ok=True)
    except NotebookError as error:
        print(f"tnb: {error}", file=sys.stderr)
        return 1
    app = TnbApp(notebook)
    result = app.run()
    return result or 0
