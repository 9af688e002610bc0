"""The find-and-replace panel: a term, a replacement, case / whole word / regex switches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label

from tnb.notebook.search import SearchOptions


class FindReplacePanel(Vertical):
    """Find in sources and outputs, replace in sources; every key also works from the boxes.

    enter / ↓ next match, shift+enter / ↑ previous, enter in the replace box replaces the
    current match, ctrl+a replaces all (one undo step), F2 / F3 / F4 switch case, whole word
    and regex (alt+c / alt+w / alt+r too where the terminal reports alt), esc closes.
    Terminals send alt+letter as ESC then the letter, which Textual does not read as alt:
    the function keys arrive everywhere, tmux included.
    """

    DEFAULT_CSS = """
    FindReplacePanel {
        height: auto;
        width: 100%;
        padding: 0 1;
        background: $panel;
    }
    FindReplacePanel Horizontal { height: 1; }
    FindReplacePanel Label { padding: 0 1 0 0; width: 9; color: $text-muted; }
    FindReplacePanel Input, FindReplacePanel Input:focus {
        width: 1fr; border: none; height: 1; padding: 0;
    }
    FindReplacePanel Checkbox, FindReplacePanel Checkbox:focus {
        border: none; height: 1; padding: 0 1 0 0; background: $panel; width: auto;
    }
    FindReplacePanel #replace-count { width: auto; min-width: 16; padding: 0 1; }
    FindReplacePanel #replace-keys { color: $text-muted; width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", show=False, priority=True),
        Binding("down", "step(1)", "next match", show=False, priority=True),
        Binding("up,shift+enter", "step(-1)", "previous match", show=False, priority=True),
        Binding("ctrl+a,alt+a", "replace_all", "replace all", show=False, priority=True),
        Binding("f2,alt+c", "switch('case')", "case", show=False, priority=True),
        Binding("f3,alt+w", "switch('word')", "whole word", show=False, priority=True),
        Binding("f4,alt+r", "switch('regex')", "regex", show=False, priority=True),
    ]

    @dataclass
    class Changed(Message):
        """What to find changed."""

        options: SearchOptions

    @dataclass
    class Step(Message):
        """Go to the next (1) or previous (-1) match."""

        direction: int

    @dataclass
    class Replace(Message):
        """Replace the current match (``all``: every match) with ``replacement``."""

        options: SearchOptions
        replacement: str
        all: bool

    class Closed(Message):
        """The panel was closed."""

    def compose(self) -> ComposeResult:
        """Two rows of boxes, then the switches and the match count."""
        with Horizontal():
            yield Label("find")
            yield Input(placeholder="text or regex in sources and outputs", id="replace-find")
        with Horizontal():
            yield Label("replace")
            yield Input(
                placeholder="replacement (enter: this match, ctrl+a: all)", id="replace-with"
            )
        with Horizontal():
            yield Checkbox("case", id="replace-case")
            yield Checkbox("word", id="replace-word")
            yield Checkbox("regex", id="replace-regex")
            yield Label("", id="replace-count")
            yield Label("F2 case · F3 word · F4 regex · ^a all · esc", id="replace-keys")

    @property
    def find_input(self) -> Input:
        """The search box."""
        return self.query_one("#replace-find", Input)

    @property
    def replace_input(self) -> Input:
        """The replacement box."""
        return self.query_one("#replace-with", Input)

    @property
    def options(self) -> SearchOptions:
        """What the panel asks for now."""
        return SearchOptions(
            self.find_input.value,
            case_sensitive=self.query_one("#replace-case", Checkbox).value,
            whole_word=self.query_one("#replace-word", Checkbox).value,
            regex=self.query_one("#replace-regex", Checkbox).value,
        )

    def set_count(self, text: str) -> None:
        """Show where the current match is among all, or why there is none."""
        self.query_one("#replace-count", Label).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the user types."""
        event.stop()
        if event.input.id == "replace-find":
            self.post_message(self.Changed(self.options))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """A switch changed the search."""
        event.stop()
        self.post_message(self.Changed(self.options))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the next match from the find box, replace it from the replace box."""
        event.stop()
        if event.input.id == "replace-with":
            self.post_message(self.Replace(self.options, self.replace_input.value, all=False))
        else:
            self.post_message(self.Step(1))

    def action_step(self, direction: int) -> None:
        """Go to a neighbouring match."""
        self.post_message(self.Step(direction))

    def action_replace_all(self) -> None:
        """Replace every match."""
        self.post_message(self.Replace(self.options, self.replace_input.value, all=True))

    def action_switch(self, which: str) -> None:
        """Flip case, whole word or regex."""
        box = self.query_one(f"#replace-{which}", Checkbox)
        box.value = not box.value

    def action_close(self) -> None:
        """Hide the panel."""
        self.post_message(self.Closed())
