"""The few styles outputs need per theme (dark or light), and the dim notes drawn with them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.style import Style
from rich.text import Text

from tnb.ui.render.images import RGB

Theme = Literal["dark", "light"]


@dataclass(frozen=True)
class Palette:
    """Styles for one theme; kernel colours (SGR) come on top of these."""

    note: Style
    stderr: Style
    error: Style
    code_theme: str  # Pygments style for code in markdown
    image_background: RGB  # what transparent pixels are drawn on


PALETTES: dict[str, Palette] = {
    # stderr gets a faint red ground, as JupyterLab gives it (--jp-rendermime-error-background).
    "dark": Palette(
        note=Style(dim=True, italic=True),
        stderr=Style(bgcolor="#2e1a1a"),
        error=Style(color="red", bold=True),
        code_theme="monokai",
        image_background=(0, 0, 0),
    ),
    "light": Palette(
        note=Style(dim=True, italic=True),
        stderr=Style(bgcolor="#ffdddd"),
        error=Style(color="red", bold=True),
        code_theme="default",
        image_background=(255, 255, 255),
    ),
}


def note(text: str, palette: Palette) -> Text:
    """A dim remark drawn in place of, or beside, an output's content."""
    return Text(text, style=palette.note)


def hidden_note(hidden_lines: int, cut_chars: bool, where: str, palette: Palette) -> Text:
    """ "… 1,234 more lines above" (and/or "long lines cut") for a truncated text."""
    parts = []
    if hidden_lines:
        parts.append(f"{hidden_lines:,} more line{'s' if hidden_lines != 1 else ''} {where}")
    if cut_chars:
        parts.append("long lines cut")
    return note("… " + ", ".join(parts), palette)
