"""The inline answer box for input() and getpass(), docked above the status bar."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class StdinPromptScreen(ModalScreen[str]):
    """Answers a kernel's input request; the password variant masks what is typed."""

    CSS_PATH = Path(__file__).with_name("stdin_prompt.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        # The kernel waits for an answer whatever happens: esc sends an empty line.
        Binding("escape", "answer_empty", "send empty line"),
    ]

    def __init__(self, prompt: str, *, password: bool = False) -> None:
        super().__init__()
        self.prompt = prompt
        self.password = password

    def compose(self) -> ComposeResult:
        """The kernel's prompt and the answer box."""
        with Vertical(id="stdin-box"):
            what = "password requested by the kernel" if self.password else "input requested"
            yield Label(f"{what} · enter sends · esc sends an empty line", id="stdin-hint")
            yield Label(self.prompt or "›", id="stdin-prompt", markup=False)
            yield Input(password=self.password, id="stdin-input")

    def on_mount(self) -> None:
        """Type straight away."""
        self.set_focus(self.query_one(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Send the line."""
        self.dismiss(event.value)

    def action_answer_empty(self) -> None:
        """Send an empty line."""
        self.dismiss("")
