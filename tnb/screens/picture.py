"""The picture viewer: one output's image at full size with real terminal graphics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage


def graphics_ready() -> bool:
    """Whether textual-image already probed the terminal (it must before the app runs)."""
    return "textual_image.widget" in sys.modules


class PictureScreen(Screen[None]):
    """Shows ``image`` with sixel, kitty graphics or half-cells, as the terminal supports."""

    CSS_PATH = Path(__file__).with_name("picture.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "close")]

    def __init__(self, title: str, image: PILImage) -> None:
        super().__init__()
        self.title_text = title
        self.image = image

    def compose(self) -> ComposeResult:
        """Title, picture, footer."""
        # Imported only when already probed (see graphics_ready): importing it now would
        # query a terminal whose replies Textual's input thread would swallow.
        from textual_image.widget import Image

        size = f"{self.image.width}×{self.image.height} px"
        yield Label(f"{self.title_text} · {size}", id="picture-title", markup=False)
        yield Image(self.image, id="picture")
        yield Footer()
