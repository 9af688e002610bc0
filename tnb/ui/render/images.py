"""Pictures as Unicode half-blocks (a Rich renderable), and a text stand-in for SVG."""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass

from PIL import Image as PILImage
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

# The cell size textual-image assumes when the terminal does not tell (VT340): with it a half-block
# "pixel" is square, so pictures keep their proportions in common terminal fonts.
CELL_WIDTH_PX = 10
CELL_HEIGHT_PX = 20
# Refuse to decode beyond this: a hostile PNG can declare a huge canvas in a few bytes.
MAX_PIXELS = 50_000_000
# Decoded pictures are kept reduced to this width: no terminal is wider in cells.
MAX_COLUMNS = 500

RGB = tuple[int, int, int]


class ImageError(ValueError):
    """The data is not a picture Pillow can decode, or it is too large to decode safely."""


@dataclass(frozen=True)
class DecodedImage:
    """A picture, reduced for the terminal, flattened on a background colour."""

    image: PILImage.Image  # RGB, at most MAX_COLUMNS wide
    width_px: int  # the size to show it at, in CSS pixels (the original, or the kernel's metadata)
    height_px: int
    format: str


def decode_image(
    data: str | bytes, *, background: RGB, width: int | None = None, height: int | None = None
) -> DecodedImage:
    """Decode base64 (or raw) image bytes, reduce them and flatten transparency on ``background``.

    Args:
        data: The base64 text of a Jupyter ``image/*`` entry, or raw bytes.
        background: The colour transparent pixels are shown on.
        width: Display width in CSS pixels from the output's metadata, if the kernel gave one.
        height: Display height likewise.

    Raises:
        ImageError: When the data cannot be decoded or is too large.
    """
    try:
        raw = base64.b64decode(data) if isinstance(data, str) else data
        image = PILImage.open(io.BytesIO(raw))
        if image.width * image.height > MAX_PIXELS:
            raise ImageError(f"{image.width}×{image.height} pixels is too large to draw")
        image_format = image.format or "image"
        original = image.size
        # draft() lets JPEG decode at a fraction of its size; thumbnail() never enlarges.
        image.draft("RGB", (MAX_COLUMNS, MAX_COLUMNS * 4))
        image.thumbnail((MAX_COLUMNS, MAX_COLUMNS * 4))
        rgba = image.convert("RGBA")
    except ImageError:
        raise
    except (OSError, ValueError, binascii.Error, PILImage.DecompressionBombError) as error:
        raise ImageError(str(error) or type(error).__name__) from error
    flat = PILImage.new("RGBA", rgba.size, (*background, 255))
    flat.alpha_composite(rgba)
    width_px = width or original[0]
    height_px = height or (round(width_px * original[1] / original[0]) if original[0] else 0)
    return DecodedImage(flat.convert("RGB"), width_px, height_px, image_format)


class HalfBlockImage:
    """A picture drawn with "▀": each cell shows two pixels, its foreground over its background.

    It fits the width it is given (never enlarging beyond the picture's own size in cells) and keeps
    its proportions. Lines are cached per width: drawing again costs nothing.
    """

    def __init__(
        self, decoded: DecodedImage, *, max_width: int, max_height: int | None = None
    ) -> None:
        self.decoded = decoded
        self.max_width = max_width
        self.max_height = max_height
        self._lines: dict[int, list[list[Segment]]] = {}

    def cell_size(self, max_width: int) -> tuple[int, int]:
        """Columns and rows the picture takes when at most ``max_width`` columns are available."""
        if not self.decoded.width_px or not self.decoded.height_px:
            return 0, 0
        natural = max(1, round(self.decoded.width_px / CELL_WIDTH_PX))
        cols = max(1, min(natural, max_width, self.max_width, MAX_COLUMNS))
        rows = max(
            1,
            round(
                cols
                * self.decoded.height_px
                * CELL_WIDTH_PX
                / self.decoded.width_px
                / CELL_HEIGHT_PX
            ),
        )
        if self.max_height is not None and rows > self.max_height:
            rows = max(1, self.max_height)
            cols = max(
                1,
                round(
                    rows
                    * CELL_HEIGHT_PX
                    * self.decoded.width_px
                    / self.decoded.height_px
                    / CELL_WIDTH_PX
                ),
            )
            cols = min(cols, max_width)
        return cols, rows

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The picture's lines of segments at ``max_width`` (cached)."""
        cols, rows = self.cell_size(max_width)
        cached = self._lines.get(cols)
        if cached is not None:
            return cached
        if not cols:
            return []
        scaled = self.decoded.image.resize((cols, rows * 2), PILImage.Resampling.BOX)
        pixels = scaled.tobytes()
        styles: dict[tuple[int, ...], Style] = {}
        lines: list[list[Segment]] = []
        stride = cols * 3
        for row in range(rows):
            top_row = pixels[2 * row * stride : (2 * row + 1) * stride]
            bottom_row = pixels[(2 * row + 1) * stride : (2 * row + 2) * stride]
            line: list[Segment] = []
            run_key: tuple[int, ...] | None = None
            run = 0
            for x in range(0, stride, 3):
                key = (*top_row[x : x + 3], *bottom_row[x : x + 3])
                if key == run_key:
                    run += 1
                    continue
                if run_key is not None:
                    line.append(Segment("▀" * run, styles[run_key]))
                if key not in styles:
                    styles[key] = Style(
                        color=Color.from_rgb(*key[:3]), bgcolor=Color.from_rgb(*key[3:])
                    )
                run_key, run = key, 1
            if run_key is not None:
                line.append(Segment("▀" * run, styles[run_key]))
            lines.append(line)
        self._lines[cols] = lines
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        cols, _ = self.cell_size(options.max_width)
        return Measurement(cols, cols)


_SVG_TAG = re.compile(r"<svg\b([^>]*)>", re.IGNORECASE | re.DOTALL)
_SVG_TITLE = re.compile(r"<title[^>]*>([^<]{1,200})</title>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def describe_svg(source: str) -> str:
    """A one-line stand-in for an SVG: its size and title (no SVG renderer in a terminal)."""
    head = source[:20_000]  # the root tag and title sit at the start; never scan megabytes
    parts = ["SVG image"]
    match = _SVG_TAG.search(head)
    if match:
        attributes = {m[1].lower(): m[2] or m[3] or "" for m in _ATTRIBUTE.finditer(match[1])}
        width, height = attributes.get("width"), attributes.get("height")
        view_box = attributes.get("viewbox", "").replace(",", " ").split()
        if not (width and height) and len(view_box) == 4:
            width, height = view_box[2], view_box[3]
        if width and height:
            parts.append(f"{width}×{height}")
    title = _SVG_TITLE.search(head)
    if title:
        parts.append(f"“{title[1].strip()}”")
    size = len(source.encode("utf-8", "replace"))
    parts.append(f"({size / 1024:.1f} kB)" if size >= 1024 else f"({size} bytes)")
    return " ".join(parts)
