"""The completion popup: the kernel's matches in a list at the editor's cursor."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList

# Enough to choose from; the kernel can send thousands (`import ` lists every module).
MAX_SHOWN = 200


class CompletionScreen(ModalScreen[str | None]):
    """Pick one match (enter or tab); esc or any other key closes it."""

    CSS_PATH = Path(__file__).with_name("completion.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,tab", "choose", "insert", priority=True),
        Binding("escape", "dismiss(None)", "close", priority=True),
    ]

    def __init__(self, matches: list[str], *, at: tuple[int, int]) -> None:
        super().__init__()
        self.matches = matches[:MAX_SHOWN]
        self.at = at

    def compose(self) -> ComposeResult:
        """The list of matches."""
        yield OptionList(*self.matches, id="matches")

    def on_mount(self) -> None:
        """Place the list under the cursor, above it when there is no room below."""
        options = self.query_one(OptionList)
        height = min(len(self.matches), 10) + 2
        x, y = self.at
        screen_height = self.app.size.height
        top = y + 1 if y + 1 + height <= screen_height else max(0, y - height)
        width = min(max(len(m) for m in self.matches) + 4, 60)
        x = max(0, min(x, self.app.size.width - width))
        options.styles.offset = (x, top)
        options.styles.width = width
        options.styles.height = height
        options.highlighted = 0
        self.set_focus(options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click or enter picks the match."""
        self.dismiss(self.matches[event.option_index])

    def action_choose(self) -> None:
        """Insert the highlighted match."""
        index = self.query_one(OptionList).highlighted
        self.dismiss(self.matches[index] if index is not None else None)

    def on_key(self, event: events.Key) -> None:
        """Typing goes on in the editor: close and let the key through."""
        if event.key in ("up", "down", "pageup", "pagedown", "home", "end"):
            return
        if event.is_printable or event.key == "backspace":
            self.dismiss(None)
            # Forward the key to what is under the popup (the editor) once it is gone.
            self.app.call_later(self.app.simulate_key, event.key)
            event.stop()
