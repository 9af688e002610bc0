"""The textual-image bridge: detection without a terminal, and full-size pictures for its widget."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

from PIL import Image

from tnb.notebook.model import Output
from tnb.ui.render import picture_of


def _png(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_picture_of_returns_the_full_size_image() -> None:
    output = Output("display_data", data={"text/plain": "<Figure>", "image/png": _png(1200, 900)})
    picture = picture_of(output)
    assert picture is not None
    assert picture.size == (1200, 900)
    assert picture.getpixel((0, 0)) == (1, 2, 3)


def test_picture_of_is_none_without_a_usable_picture() -> None:
    assert picture_of(Output("display_data", data={"text/plain": "x"})) is None
    assert picture_of(Output("display_data", data={"image/png": "bm90IGEgcG5n"})) is None
    assert picture_of(Output("stream", text="x")) is None


def test_detect_graphics_without_a_terminal_writes_nothing() -> None:
    # A fresh interpreter with pipes: textual-image must not probe, and picks grey-level cells.
    code = "from tnb.ui.render import detect_graphics; print(detect_graphics())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    assert done.stdout == "unicode\n"
    assert "\x1b" not in done.stdout + done.stderr


def test_importing_the_renderer_does_not_import_textual_image() -> None:
    code = (
        "import sys, tnb.ui.render; print(any(m.startswith('textual_image') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"
