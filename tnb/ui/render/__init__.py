"""Outputs and markdown to Rich renderables: MIME ranking, ANSI text, tables, math, pictures."""

from __future__ import annotations

from tnb.session.sanitize import sanitize, shown_source, strip_ansi
from tnb.ui.render.bundle import DEFAULT_MAX_LINES, render_ansi, render_mime
from tnb.ui.render.graphics import GraphicsMethod, detect_graphics, picture_of
from tnb.ui.render.html import render_html
from tnb.ui.render.images import HalfBlockImage, ImageError, decode_image, describe_svg
from tnb.ui.render.latex import latex_to_unicode, render_latex
from tnb.ui.render.markdown import render_markdown
from tnb.ui.render.math import math_text, render_math
from tnb.ui.render.mime import IMAGE_TYPES, RANKED_TYPES, best_mime, rank_mime
from tnb.ui.render.output import ImageMode, output_text, render_output, render_output_lines
from tnb.ui.render.palette import PALETTES, Palette, Theme
from tnb.ui.render.window import TextWindow, line_count, text_window

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
