"""The debugger's actions of the notebook screen: breakpoints, debug a cell, step, variables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from textual.message import Message

from tnb.notebook.model import Cell
from tnb.ui.screens.reading import ReadingActions

DebugAction = Literal[
    "debug_cell", "variables", "continue", "next", "stepIn", "stepOut", "pause", "stop"
]


class DebugActions(ReadingActions):
    """Breakpoints live in the view (per cell, across edits); the app runs the debugger."""

    @dataclass
    class DebugRequested(Message):
        """The debugger should act: debug ``cell`` with ``lines`` as breakpoints, step, stop."""

        action: DebugAction
        cell: Cell | None = None
        lines: frozenset[int] = field(default_factory=frozenset)

    def _code_cell(self) -> Cell | None:
        cells = self.notebook.cells
        cell = cells[self.view.cursor] if cells else None
        if cell is None or cell.cell_type != "code":
            self.app.bell()
            self.update_bars("breakpoints and debugging are for code cells")
            return None
        return cell

    def action_toggle_breakpoint(self) -> None:
        """A breakpoint on the editor's line (in command mode: the cell's first line)."""
        cell = self._code_cell()
        if cell is None:
            return
        line = self.editor.cursor_location[0] + 1 if self.mode == "edit" else 1
        lines = self.view.breakpoints.setdefault(id(cell), set())
        lines ^= {line}
        if not lines:
            del self.view.breakpoints[id(cell)]
        self.view.refresh_cell(cell)
        self.update_bars(f"breakpoint {'on' if line in lines else 'off'}: line {line}")

    def action_remove_all_breakpoints(self) -> None:
        """Every breakpoint of the notebook."""
        count = sum(len(lines) for lines in self.view.breakpoints.values())
        self.view.breakpoints.clear()
        self.view.refresh_all()
        self.update_bars(f"{count} breakpoint(s) removed")

    def action_debug_cell(self) -> None:
        """Run the cell with the debugger: it stops at its breakpoints and on exceptions."""
        cell = self._code_cell()
        if cell is not None:
            lines = frozenset(self.view.breakpoints.get(id(cell), ()))
            self.post_message(self.DebugRequested("debug_cell", cell, lines))

    def action_show_variables(self) -> None:
        """The kernel's variables (the variable explorer)."""
        self.post_message(self.DebugRequested("variables"))

    def action_debug(self, action: DebugAction) -> None:
        """Continue, step over/into/out, pause or stop the debugger."""
        self.post_message(self.DebugRequested(action))
