"""The keys help screen (`?` / `h`), generated from the key table."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tnb.ui.keys import EDITOR_KEYS, KEY_ACTIONS


def help_table() -> Table:
    """Every key of the table, grouped by mode."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    seen: set[tuple[str, str]] = set()
    for mode, heading in (
        ("any", "Anywhere"),
        ("command", "Command mode (esc)"),
        ("edit", "Edit mode (enter)"),
    ):
        table.add_row(Text(heading, style="bold underline"), "")
        for item in KEY_ACTIONS:
            if item.mode != mode or not item.keys or (item.display_keys, item.title) in seen:
                continue
            seen.add((item.display_keys, item.title))
            table.add_row(item.display_keys, item.title)
        if mode == "edit":
            for keys, title in EDITOR_KEYS:
                table.add_row(keys, title)
        table.add_row("", "")
    table.add_row(Text("Terminals", style="bold underline"), "")
    table.add_row(
        "",
        "tnb asks the terminal for the kitty keyboard protocol so that ctrl+enter and "
        "shift+enter arrive. Where they do not (tmux: set -g extended-keys on), use "
        "ctrl+r / F5 to run and ctrl+e to run and select the next cell.",
    )
    table.add_row("", "Every action is also in the command palette (ctrl+p).")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every key; any of esc, q, ? or h closes it."""

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("help_screen.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,h", "dismiss", "close"),
    ]

    def compose(self) -> ComposeResult:
        """The key table in a scrolling panel."""
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = "tnb keys"
            panel.border_subtitle = "esc closes"
            yield Static(help_table(), id="help-table")
