"""Outputs and markdown to Rich renderables: MIME ranking, ANSI text, tables, math, pictures."""

from __future__ import annotations

from tnb.render.bundle import DEFAULT_MAX_LINES, render_ansi, render_mime
from tnb.render.graphics import GraphicsMethod, detect_graphics, picture_of
from tnb.render.html import render_html
from tnb.render.images import HalfBlockImage, ImageError, decode_image, describe_svg
from tnb.render.latex import latex_to_unicode, render_latex
from tnb.render.markdown import render_markdown
from tnb.render.math import math_text, render_math
from tnb.render.mime import IMAGE_TYPES, RANKED_TYPES, best_mime, rank_mime
from tnb.render.output import ImageMode, output_text, render_output, render_output_lines
from tnb.render.palette import PALETTES, Palette, Theme
from tnb.render.window import TextWindow, line_count, text_window
from tnb.sanitize import sanitize, shown_source, strip_ansi

__all__ = [
    "DEFAULT_MAX_LINES",
    "IMAGE_TYPES",
    "PALETTES",
    "RANKED_TYPES",
    "GraphicsMethod",
    "HalfBlockImage",
    "ImageError",
    "ImageMode",
    "Palette",
    "TextWindow",
    "Theme",
    "best_mime",
    "decode_image",
    "describe_svg",
    "detect_graphics",
    "latex_to_unicode",
    "line_count",
    "math_text",
    "output_text",
    "picture_of",
    "rank_mime",
    "render_ansi",
    "render_html",
    "render_latex",
    "render_markdown",
    "render_math",
    "render_mime",
    "render_output",
    "render_output_lines",
    "sanitize",
    "shown_source",
    "strip_ansi",
    "text_window",
]
