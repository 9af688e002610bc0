"""Pictures: real PNG and JPEG made with Pillow, drawn as half-blocks that fit the width."""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib

from PIL import Image, ImageDraw

from tests.render.terminal import to_plain, to_terminal
from tnb.notebook.model import Output
from tnb.ui.render import HalfBlockImage, ImageError, decode_image, render_output

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _encoded(image: Image.Image, fmt: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _top_red_bottom_blue(width: int = 200, height: int = 100) -> Image.Image:
    image = Image.new("RGB", (width, height), BLUE)
    ImageDraw.Draw(image).rectangle((0, 0, width, height // 2 - 1), fill=RED)
    return image


def _cells(drawn: str) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(foreground, background) colours of each half-block cell, in order."""
    pattern = re.compile(r"\x1b\[38;2;(\d+);(\d+);(\d+);48;2;(\d+);(\d+);(\d+)m(▀+)")
    cells = []
    for match in pattern.finditer(drawn):
        colours = tuple(int(v) for v in match.groups()[:6])
        cells += [(colours[:3], colours[3:])] * len(match[7])
    return cells


def test_png_draws_as_half_blocks_with_its_colours() -> None:
    output = Output(
        "display_data",
        data={"image/png": _encoded(_top_red_bottom_blue()), "text/plain": "<Figure>"},
    )
    drawn = to_terminal(render_output(output, 80))
    lines = [line for line in to_plain(render_output(output, 80)).splitlines() if line]
    # 200×100 px at 10 px per cell: 20 columns, 100 px / 20 px per row: 5 rows.
    assert [len(line) for line in lines] == [20] * 5
    assert set("".join(lines)) == {"▀"}
    cells = _cells(drawn)
    assert len(cells) == 100
    assert cells[0] == (RED, RED)  # top row: red over red
    assert cells[-1] == (BLUE, BLUE)  # bottom row: blue over blue
    assert "<Figure>" not in drawn


def test_picture_shrinks_to_the_width_and_keeps_its_proportions() -> None:
    output = Output("display_data", data={"image/png": _encoded(_top_red_bottom_blue(1000, 500))})
    lines = [line for line in to_plain(render_output(output, 40), 40).splitlines() if line]
    assert {len(line) for line in lines} == {40}
    assert len(lines) == 10  # 40 columns of 10 px = 400 px wide -> 200 px tall -> 10 rows


def test_metadata_display_size_is_honoured() -> None:
    data = {"image/png": _encoded(_top_red_bottom_blue(400, 200))}
    output = Output("display_data", data=data, metadata={"image/png": {"width": 100, "height": 50}})
    lines = [line for line in to_plain(render_output(output, 80)).splitlines() if line]
    assert {len(line) for line in lines} == {10}


def test_jpeg_draws_too() -> None:
    output = Output("display_data", data={"image/jpeg": _encoded(_top_red_bottom_blue(), "JPEG")})
    cells = _cells(to_terminal(render_output(output, 80)))
    assert len(cells) == 100
    top, bottom = cells[0][0], cells[-1][1]
    assert top[0] > 200 and top[2] < 60  # still red after JPEG compression
    assert bottom[2] > 200 and bottom[0] < 60


def test_transparency_sits_on_the_theme_background() -> None:
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    data = {"image/png": _encoded(image)}
    dark = _cells(to_terminal(render_output(Output("display_data", data=data), theme="dark")))
    light = _cells(to_terminal(render_output(Output("display_data", data=data), theme="light")))
    assert dark[0] == ((0, 0, 0), (0, 0, 0))
    assert light[0] == ((255, 255, 255), (255, 255, 255))


def test_lines_are_cached_per_width() -> None:
    picture = HalfBlockImage(
        decode_image(_encoded(_top_red_bottom_blue()), background=(0, 0, 0)), max_width=80
    )
    assert picture.lines(30) is picture.lines(30)
    assert picture.cell_size(30) == (20, 5)
    assert picture.cell_size(8) == (8, 2)


def test_broken_image_data_raises_image_error() -> None:
    for data in ("not base64 at all!!", base64.b64encode(b"GIF89a garbage").decode()):
        try:
            decode_image(data, background=(0, 0, 0))
        except ImageError:
            continue
        raise AssertionError(f"{data!r} decoded")


def _png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge canvas (a decompression bomb's first bytes)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def test_a_picture_declaring_a_huge_canvas_is_refused_before_decoding() -> None:
    data = base64.b64encode(_png_header_claiming(100_000, 100_000)).decode()
    drawn = to_plain(render_output(Output("display_data", data={"image/png": data})))
    assert "cannot draw" in drawn
