"""The table of contents: the notebook's headings, indented by level; enter jumps to one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tnb.notebook.headings import headings, is_collapsed
from tnb.notebook.model import Cell
from tnb.ui.render import strip_ansi


@dataclass(frozen=True)
class TocEntry:
    """One heading: the cell that holds it, its level and text."""

    cell: int
    level: int
    text: str
    collapsed: bool


def toc_entries(cells: list[Cell]) -> list[TocEntry]:
    """Every heading of every markdown cell, in order."""
    entries: list[TocEntry] = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        found = headings(cell.source)
        for number, heading in enumerate(found):
            collapsed = number == 0 and is_collapsed(cell)
            entries.append(TocEntry(index, heading.level, heading.text, collapsed))
    return entries


class TableOfContents(OptionList):
    """Headings as a list; enter (or a click) jumps, esc goes back to the cells."""

    DEFAULT_CSS = """
    TableOfContents {
        dock: left;
        width: 32;
        max-width: 40%;
        border-right: vkey $primary 50%;
        background: $surface;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "back to the cells", show=False),
    ]

    @dataclass
    class Jump(Message):
        """Go to cell ``index``."""

        index: int

    class Left(Message):
        """Focus goes back to the cells."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[TocEntry] = []

    def show(self, cells: list[Cell], cursor: int) -> None:
        """List the headings; the one whose section holds the cursor is highlighted."""
        self.entries = toc_entries(cells)
        options: list[Option] = []
        for entry in self.entries:
            marker = "▶ " if entry.collapsed else ""
            label = Text("  " * (entry.level - 1) + marker)
            label.append(
                strip_ansi(entry.text) or "(untitled)", style="bold" if entry.level == 1 else ""
            )
            options.append(Option(label))
        self.set_options(
            options or [Option(Text("no headings: # Title in a markdown cell"), disabled=True)]
        )
        current = [i for i, entry in enumerate(self.entries) if entry.cell <= cursor]
        if current:
            self.highlighted = current[-1]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Jump to the chosen heading's cell."""
        event.stop()
        if 0 <= event.option_index < len(self.entries):
            self.post_message(self.Jump(self.entries[event.option_index].cell))

    def action_leave(self) -> None:
        """Back to the cells, the panel stays open."""
        self.post_message(self.Left())
