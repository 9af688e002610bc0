"""Outputs to Rich renderables: MIME ranking, sanitised ANSI text, tables, LaTeX, pictures."""

from __future__ import annotations

from tnb.render.graphics import GraphicsMethod, detect_graphics, picture_of
from tnb.render.html import render_html
from tnb.render.images import HalfBlockImage, ImageError, decode_image, describe_svg
from tnb.render.latex import latex_to_unicode
from tnb.render.mime import IMAGE_TYPES, RANKED_TYPES, best_mime, rank_mime
from tnb.render.output import (
    DEFAULT_MAX_LINES,
    PALETTES,
    ImageMode,
    Theme,
    output_text,
    render_ansi,
    render_mime,
    render_output,
    render_output_lines,
)
from tnb.render.sanitize import sanitize, strip_ansi
from tnb.render.window import TextWindow, line_count, text_window

__all__ = [
    "DEFAULT_MAX_LINES",
    "IMAGE_TYPES",
    "PALETTES",
    "RANKED_TYPES",
    "GraphicsMethod",
    "HalfBlockImage",
    "ImageError",
    "ImageMode",
    "TextWindow",
    "Theme",
    "best_mime",
    "decode_image",
    "describe_svg",
    "detect_graphics",
    "latex_to_unicode",
    "line_count",
    "output_text",
    "picture_of",
    "rank_mime",
    "render_ansi",
    "render_html",
    "render_mime",
    "render_output",
    "render_output_lines",
    "sanitize",
    "strip_ansi",
    "text_window",
]
