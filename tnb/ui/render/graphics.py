"""Real terminal graphics via textual-image: what the terminal supports, the picture to give it."""

from __future__ import annotations

import base64
import binascii
import io
from typing import Literal

from PIL import Image as PILImage

from tnb.notebook.model import Output
from tnb.ui.render.images import MAX_PIXELS
from tnb.ui.render.mime import IMAGE_TYPES, rank_mime

GraphicsMethod = Literal["sixel", "tgp", "halfcell", "unicode"]


def detect_graphics() -> GraphicsMethod:
    """The picture method textual-image picked for this terminal: sixel, kitty's TGP, or cells.

    Importing ``textual_image.renderable`` probes the terminal: it writes a DA1 query (sixel) and
    a kitty graphics query to the real stdout and reads the replies from stdin in cbreak mode,
    with 0.1 s timeouts. Once a Textual app runs, its input thread takes those replies, so call
    this (or import ``textual_image.widget``) before ``App.run()``. Without a tty the answer is
    "unicode" (grey-level characters) and nothing is written.
    """
    import textual_image.renderable as renderable

    module = renderable.Image.__module__.rsplit(".", 1)[-1]
    methods: dict[str, GraphicsMethod] = {
        "sixel": "sixel",
        "tgp": "tgp",
        "halfcell": "halfcell",
        "unicode": "unicode",
    }
    return methods.get(module, "halfcell")


def picture_of(output: Output) -> PILImage.Image | None:
    """The best picture of a display output, decoded at full size, for textual-image's widget.

    None when the output has no picture or it cannot be decoded or declares more than
    ``MAX_PIXELS`` pixels (the half-block rendering then shows why).
    """
    for mime in rank_mime(output.data):
        if mime not in IMAGE_TYPES:
            continue
        value = output.data[mime]
        try:
            raw = base64.b64decode(value) if isinstance(value, str) else bytes(value)
            image = PILImage.open(io.BytesIO(raw))
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
        except (OSError, ValueError, TypeError, binascii.Error, PILImage.DecompressionBombError):
            return None
        return image
    return None
