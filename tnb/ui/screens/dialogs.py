"""Small modal dialogs: unsaved changes on quit, yes/no, a few answers, a file name to save as."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


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


def unused_path(path: Path, suffix: str = "-copy") -> Path:
    """``path`` with ``suffix`` (and a number, if needed) added to its stem, not existing yet."""
    candidate = path.with_name(f"{path.stem}{suffix}{path.suffix}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}{suffix}{number}{path.suffix}")
        number += 1
    return candidate


def _home_short(path: Path) -> str:
    home = Path.home()
    return (
        "~"
        if path == home
        else f"~/{path.relative_to(home)}"
        if path.is_relative_to(home)
        else str(path)
    )


class ConflictScreen(ChoiceScreen):
    """Someone else saved the notebook since tnb loaded it: save as, overwrite, reload, cancel."""

    def __init__(self, what: str, copy: str) -> None:
        """``what`` happened to ``copy`` ("the file", "the server's copy")."""
        super().__init__(
            f"{what}.\nYour version was not saved. Save it under another name, overwrite "
            f"{copy} with it, or reload {copy} (your edits are lost).",
            [
                ("cancel", "c", "Cancel"),
                ("save-as", "a", "Save as…"),
                ("overwrite", "o", "Overwrite"),
                ("reload", "r", "Reload"),
            ],
        )


class SaveAsScreen(ModalScreen[Path | None]):
    """Asks for a file name and saves there through ``save``; esc cancels (None).

    ``save(path)`` writes and returns None, or returns why it did not (the file exists, the
    folder is missing): the reason is shown and the dialog stays for another name.
    """

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, suggested: Path, save: Callable[[Path], str | None]) -> None:
        super().__init__()
        self.suggested = suggested.absolute()
        self.folder = self.suggested.parent  # relative names are taken from here
        self._save = save

    def compose(self) -> ComposeResult:
        """The question, the name (ready to edit), a status line, two buttons."""
        with Vertical(classes="dialog save-as"):
            folder = _home_short(self.folder)
            yield Label(f"Save as, in {folder} (or type a path):", classes="question", markup=False)
            yield Input(self.suggested.name, id="save-as-path", compact=True)
            yield Static("", id="save-as-status", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save \\[enter]", id="save", variant="primary")
                yield Button("Cancel \\[esc]", id="cancel")

    def on_mount(self) -> None:
        """Type straight away; the stem is what people change."""
        self.query_one("#save-as-status", Static).display = False
        box = self.query_one("#save-as-path", Input)
        box.focus()
        box.cursor_position = len(self.suggested.stem)

    @property
    def status(self) -> str:
        """Why the last attempt did not save ("" before any)."""
        return str(self.query_one("#save-as-status", Static).content)

    def path_from(self, text: str) -> Path | None:
        """The path typed, made absolute; ``.ipynb`` added to a name without a suffix."""
        text = text.strip()
        if not text:
            return None
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if not path.suffix:
            path = path.with_name(path.name + ".ipynb")
        return path

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter saves."""
        event.stop()
        self._attempt()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save tries, Cancel closes."""
        if event.button.id == "save":
            self._attempt()
        else:
            self.dismiss(None)

    def _attempt(self) -> None:
        path = self.path_from(self.query_one("#save-as-path", Input).value)
        status = self.query_one("#save-as-status", Static)
        status.display = True
        if path is None:
            status.update("Type a file name.")
            return
        if path.is_dir():
            status.update(f"{path} is a folder: add a file name.")
            return
        problem = self._save(path)
        if problem:
            status.update(problem)
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


class NameScreen(ModalScreen[str | None]):
    """Asks for a name (save as on a server, rename); enter answers it, esc cancels (None)."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, question: str, suggested: str) -> None:
        super().__init__()
        self.question = question
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        """The question and the name, ready to edit."""
        with Vertical(classes="dialog save-as"):
            yield Label(self.question, classes="question", markup=False)
            yield Input(self.suggested, id="name", compact=True)
            yield Label("enter: OK · esc: cancel", classes="hint")

    def on_mount(self) -> None:
        """Type straight away; the stem is what people change."""
        box = self.query_one("#name", Input)
        box.focus()
        stem, dot, _ = self.suggested.rpartition(".")
        box.cursor_position = len(stem) if dot else len(self.suggested)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter answers with the name (nothing typed: stays)."""
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without a name."""
        self.dismiss(None)
