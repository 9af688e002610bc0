"""A text field hidden and out of the focus chain until a panel asks for a line."""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Input


class InlineInput(Input):
    """Shown, enabled and focused by ``ask``, hidden again by ``done``: the panel's own keys
    (letters, arrows) reach the panel except while a line is being typed."""

    DEFAULT_CSS: ClassVar[str] = """
    InlineInput { display: none; }
    InlineInput.asking { display: block; }
    """

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, disabled=True)

    @property
    def asking(self) -> bool:
        """Whether a line is being typed."""
        return self.has_class("asking")

    def ask(self, value: str = "", *, password: bool = False) -> None:
        """Show the field with ``value`` and type into it."""
        self.password = password
        self.value = value
        self.add_class("asking")
        self.disabled = False
        self.focus()

    def done(self) -> None:
        """Hide the field; the panel gets the keys again."""
        self.remove_class("asking")
        self.disabled = True
        self.screen.set_focus(None)
