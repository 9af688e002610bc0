"""The one live editor, drawn over the source of the cell being edited."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TextArea

from tnb.keys import bindings_for


class CellEditor(TextArea):
    """A syntax-highlighted TextArea with the notebook's edit-mode keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bindings_for("edit"),
        # Else shift+tab moves focus out of the editor, as it does between widgets.
        Binding("shift+tab", "dedent", "dedent", show=False, priority=True),
    ]

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
        usable = max(1, width - (self.gutter_width if self.show_line_numbers else 0) - 1)
        return sum(max(1, -(-len(line) // usable)) for line in self.text.split("\n"))

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
