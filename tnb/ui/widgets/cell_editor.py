"""The one live editor, drawn over the source of the cell being edited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import Location

from tnb.ui.keys import bindings_for


class CellEditor(TextArea):
    """A syntax-highlighted TextArea with the notebook's edit-mode keys.

    As in JupyterLab: tab completes (indents at the start of a line), shift+tab asks the
    kernel for help, ctrl+] / ctrl+[ indent and dedent (alt+] / alt+[ where ctrl+[ is esc).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings_for("edit"),
        Binding("tab", "complete", "complete", show=False, priority=True),
        # Else shift+tab moves focus out of the editor, as it does between widgets.
        Binding("shift+tab", "inspect", "help", show=False, priority=True),
        Binding("ctrl+right_square_bracket", "indent", "indent", show=False),
        Binding("ctrl+left_square_bracket", "dedent", "dedent", show=False),
    ]

    @dataclass
    class CompletionRequested(Message):
        """Tab after a name: complete ``code`` at ``offset`` (code points)."""

        editor: CellEditor
        code: str
        offset: int

    @dataclass
    class InspectRequested(Message):
        """shift+tab: the kernel's help for the name at ``offset``."""

        editor: CellEditor
        code: str
        offset: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            soft_wrap=True,
            tab_behavior="indent",
            show_line_numbers=False,
            id=id,
        )

    def wrapped_height(self, width: int) -> int:
        """Lines the current text takes wrapped at ``width`` columns (gutter included)."""
        lines = self.document.lines
        if not self.soft_wrap:
            return len(lines)
        usable = max(1, width - (self.gutter_width if self.show_line_numbers else 0) - 1)
        return sum(max(1, -(-len(line) // usable)) for line in lines)

    @property
    def cursor_offset(self) -> int:
        """The cursor as an offset into ``text`` (what kernels call cursor_pos)."""
        return self.offset_of(self.cursor_location)

    def offset_of(self, location: Location) -> int:
        """A (row, column) location as an offset into ``text``."""
        row, column = location
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[:row]) + column

    def location_of(self, offset: int) -> Location:
        """An offset into ``text`` as a (row, column) location."""
        before = self.text[: max(0, offset)].split("\n")
        return (len(before) - 1, len(before[-1]))

    def replace_range(self, start: int, end: int, text: str) -> None:
        """Replace ``text[start:end]`` (offsets) and put the cursor after the new text."""
        self.replace(text, self.location_of(start), self.location_of(end))

    def action_complete(self) -> None:
        """Indent at the start of a line or with a selection, else ask the kernel."""
        row, column = self.cursor_location
        before = self.document.get_line(row)[:column]
        if self.selected_text or not before.strip():
            self.action_indent()
            return
        self.post_message(self.CompletionRequested(self, self.text, self.cursor_offset))

    def action_inspect(self) -> None:
        """Ask the kernel for help on the name at the cursor."""
        self.post_message(self.InspectRequested(self, self.text, self.cursor_offset))

    def action_indent(self) -> None:
        """Indent the selected lines, or insert an indent at the cursor."""
        start, end = self.selection
        if start == end:
            self.insert(" " * self.indent_width if self.indent_type == "spaces" else "\t")
            return
        first, last = sorted((start[0], end[0]))
        unit = " " * self.indent_width if self.indent_type == "spaces" else "\t"
        for row in range(first, last + 1):
            self.insert(unit, (row, 0))

    def action_dedent(self) -> None:
        """Remove one level of indentation from the selected lines (or the cursor's line)."""
        start, end = self.selection
        first, last = sorted((start[0], end[0]))
        for row in range(first, last + 1):
            line = self.document.get_line(row)
            if line.startswith("\t"):
                remove = 1
            else:
                remove = min(len(line) - len(line.lstrip(" ")), self.indent_width)
            if remove:
                self.delete((row, 0), (row, remove))
