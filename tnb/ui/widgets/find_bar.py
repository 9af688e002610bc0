"""The find bar: a search box over inputs and outputs with a hit counter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from tnb.notebook.model import Cell
from tnb.ui.render import output_text


class FindBar(Horizontal):
    """Type to search; enter / ↓ next hit, shift+enter / ↑ previous, esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close find", show=False, priority=True),
        Binding("down", "step(1)", "next hit", priority=True),
        Binding("up,shift+enter", "step(-1)", "previous hit", priority=True),
    ]

    @dataclass
    class Changed(Message):
        """The search term changed."""

        term: str

    @dataclass
    class Step(Message):
        """Jump to the next (1) or previous (-1) hit."""

        direction: int

    class Closed(Message):
        """The bar was closed."""

    def compose(self) -> ComposeResult:
        """A label, the input and the hit counter."""
        yield Label("find ", classes="find-label")
        yield Input(placeholder="text in inputs and outputs", id="find-input")
        yield Label("", id="find-count")

    @property
    def input(self) -> Input:
        """The search box."""
        return self.query_one("#find-input", Input)

    def set_count(self, text: str) -> None:
        """Show where the current hit is among all hits."""
        self.query_one("#find-count", Label).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the user types."""
        event.stop()
        self.post_message(self.Changed(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter jumps to the next hit."""
        event.stop()
        self.post_message(self.Step(1))

    def action_step(self, direction: int) -> None:
        """Jump to a neighbouring hit."""
        self.post_message(self.Step(direction))

    def action_close(self) -> None:
        """Hide the bar."""
        self.post_message(self.Closed())


def cell_text(cell: Cell) -> str:
    """Everything find looks through in a cell: its source and its outputs' plain text."""
    return "\n".join([cell.source, *(output_text(output) for output in cell.outputs)])


def find_hits(cells: list[Cell], term: str) -> list[int]:
    """Indices of the cells whose source or outputs contain ``term`` (case-insensitive)."""
    if not term:
        return []
    needle = term.lower()
    return [i for i, cell in enumerate(cells) if needle in cell_text(cell).lower()]
