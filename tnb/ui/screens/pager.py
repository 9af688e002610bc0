"""The pager: a whole output, a traceback or the kernel's help, scrollable and selectable."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, TextArea


class PagerScreen(Screen[None]):
    """Plain text (already stripped of escapes) in a read-only editor: search-free, copyable."""

    CSS_PATH = Path(__file__).with_name("pager.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "close"),
        Binding("c", "copy_all", "copy all"),
        Binding("g", "top", "top", show=False),
        Binding("G", "bottom", "bottom", show=False),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        """Title, text, footer."""
        lines = self.text.count("\n") + 1
        yield Label(f"{self.title_text} · {lines} lines", id="pager-title", markup=False)
        yield TextArea(self.text, read_only=True, soft_wrap=False, id="pager-text")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the text so the arrows scroll it."""
        self.set_focus(self.query_one(TextArea))

    def action_copy_all(self) -> None:
        """The whole text (or the selection) to the clipboard via OSC 52."""
        area = self.query_one(TextArea)
        text = area.selected_text or self.text
        self.app.copy_to_clipboard(text)
        self.notify(f"copied {len(text)} characters", timeout=3)

    def action_top(self) -> None:
        """Go to the first line."""
        self.query_one(TextArea).move_cursor((0, 0))

    def action_bottom(self) -> None:
        """Go to the last line."""
        area = self.query_one(TextArea)
        area.move_cursor((area.document.line_count - 1, 0))
