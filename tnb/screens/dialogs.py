"""Small modal dialogs: confirm quitting with unsaved changes, confirm a kernel restart."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class QuitScreen(ModalScreen[str]):
    """Asks what to do with unsaved changes: "save", "discard" or "cancel"."""

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "save and quit"),
        Binding("d", "choose('discard')", "discard and quit"),
        Binding("escape,c", "choose('cancel')", "cancel"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.notebook_name = name

    def compose(self) -> ComposeResult:
        """A question and three buttons."""
        with Vertical(classes="dialog"):
            yield Label(f"{self.notebook_name} has unsaved changes.", classes="question")
            with Horizontal(classes="buttons"):
                yield Button("Save and quit \\[s]", id="save", variant="primary")
                yield Button("Discard \\[d]", id="discard", variant="error")
                yield Button("Cancel \\[esc]", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons answer like their keys."""
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, answer: str) -> None:
        """Close with ``answer``."""
        self.dismiss(answer)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question (y / enter or n / esc)."""

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes \\[y]", id="yes", variant="primary")
                yield Button("No \\[n]", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons answer like their keys."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Close with ``answer``."""
        self.dismiss(answer)


def display_name(path: Path | None) -> str:
    """How a notebook is named in dialogs."""
    return path.name if path else "This notebook"


class ChoiceScreen(ModalScreen[str]):
    """A question with a few answers, each with its own key; esc answers "cancel"."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "choose('cancel')", "cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str, str]]) -> None:
        """``choices``: (answer, key, button label) in order; the first is the default."""
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        """The question and one button per answer."""
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question", markup=False)
            with Horizontal(classes="buttons"):
                for index, (answer, key, label) in enumerate(self.choices):
                    yield Button(
                        f"{label} \\[{key}]",
                        id=answer,
                        variant="primary" if index == 0 else "default",
                    )

    def on_key(self, event: events.Key) -> None:
        """Each answer's key picks it."""
        for answer, key, _label in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(answer)
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons answer like their keys."""
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, answer: str) -> None:
        """Close with ``answer``."""
        self.dismiss(answer)
