"""The header (file name, dirty marker) and status bar (mode, cell, kernel) of the notebook."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class _Bar(Widget):
    """A one-line bar; updating it never triggers a layout (Static.update would)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def render(self) -> Text:
        """The current text."""
        return self._text

    def _set(self, text: Text) -> None:
        if text != self._text:
            self._text = text
            self.refresh()


class HeaderBar(_Bar):
    """The notebook's name with a dirty marker."""

    def show(self, name: str, *, dirty: bool, new: bool) -> None:
        """Update the name and markers."""
        text = Text.assemble(("tnb ", "bold"), name)
        if new:
            text.append("  (new file)", "italic")
        if dirty:
            text.append("  ● modified", "bold")
        self._set(text)
        self.set_class(dirty, "-dirty")


class StatusBar(_Bar):
    """Mode, cursor position, language and the kernel's state."""

    def show(self, *, mode: str, cursor: int, count: int, selected: int, language: str,
             kernel: str, note: str = "") -> None:  # fmt: skip
        """Update every field at once (one refresh)."""
        text = Text.assemble((f" {mode.upper()} ", "bold reverse"), " ")
        position = f"cell {cursor + 1}/{count}" if count else "no cells"
        if selected > 1:
            position += f" ({selected} selected)"
        text.append(position)
        text.append(f" · {language} · {kernel}")
        if note:
            text.append(f" · {note}")
        self._set(text)
        self.set_class(mode == "edit", "-edit")

    @property
    def text(self) -> str:
        """The bar's plain text (for tests)."""
        return self._text.plain
