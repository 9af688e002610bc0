"""The picture viewer: one output's image at full size with real terminal graphics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage


def graphics_ready() -> bool:
    """Whether textual-image already probed the terminal."""
    return "textual_image.widget" in sys.modules


def probe_graphics(app: App[object]) -> None:
    """Let textual-image ask the terminal what graphics it has (sixel, kitty), once.

    Its import writes queries to the terminal and reads the answers from stdin, which
    Textual's input thread would swallow: so the app is suspended for it. Doing this on
    first use rather than at start keeps up to 0.2 s of probing off every start-up.
    """
    if graphics_ready():
        return
    from textual.app import SuspendNotSupported

    try:
        with app.suspend():
            import textual_image.widget
    except SuspendNotSupported:
        # Headless (tests) or no real terminal: nothing would answer the queries anyway.
        import textual_image.widget  # noqa: F401


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
        # probe_graphics ran first (see action_view_picture): the import is free now.
        from textual_image.widget import Image

        size = f"{self.image.width}×{self.image.height} px"
        yield Label(f"{self.title_text} · {size}", id="picture-title", markup=False)
        yield Image(self.image, id="picture")
        yield Footer()
