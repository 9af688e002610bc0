"""One entry of a MIME bundle to a renderable: a small function per type, chosen by MIME type."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.style import Style
from rich.text import Text

from tnb.session.sanitize import sanitize, strip_ansi
from tnb.ui.render.html import render_html
from tnb.ui.render.images import HalfBlockImage, ImageError, decode_image, describe_svg
from tnb.ui.render.latex import render_latex
from tnb.ui.render.markdown import render_markdown
from tnb.ui.render.mime import IMAGE_TYPES
from tnb.ui.render.palette import PALETTES, Palette, Theme, hidden_note, note
from tnb.ui.render.window import TextWindow, text_window

DEFAULT_MAX_LINES = 1000
# With no line limit a single 100 MB line could still be asked for: this caps what is drawn.
UNLIMITED_MAX_CHARS = 2_000_000
_CHARS_PER_LINE = 400


def max_chars_for(max_lines: int | None) -> int:
    """Characters kept for a text shown with at most ``max_lines`` lines."""
    return UNLIMITED_MAX_CHARS if max_lines is None else max(10_000, max_lines * _CHARS_PER_LINE)


def _with_note(
    body: RenderableType, window: TextWindow, palette: Palette, where: str = "below"
) -> RenderableType:
    if not window.hidden_lines and not window.cut_chars:
        return body
    remark = hidden_note(window.hidden_lines, window.cut_chars, where, palette)
    return Group(remark, body) if where == "above" else Group(body, remark)


def render_ansi(
    text: str,
    *,
    max_lines: int | None,
    keep: Literal["head", "tail"],
    palette: Palette,
    style: Style | None = None,
    hidden_before: int = 0,
) -> RenderableType:
    """Terminal text with colours: only the kept window is sanitised and decoded.

    ``hidden_before`` counts lines the caller already left out before ``text`` (for the note).
    """
    window = text_window(text, max_lines, keep=keep, max_chars=max_chars_for(max_lines))
    if hidden_before:
        window = replace(window, hidden_lines=window.hidden_lines + hidden_before)
    # The model leaves a final "\r" or "\b" in stream text to mark where the cursor stands: not
    # an edit still to apply (tnb.notebook.outputs already applied those), so drop it here.
    body = Text.from_ansi(sanitize(window.shown.rstrip("\r\b")), style=style or "")
    return _with_note(body, window, palette, "above" if keep == "tail" else "below")


def plain_source(value: Any) -> str:
    """A bundle value as one string (nbformat may leave a multiline string as a list)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return str(value)


@dataclass(frozen=True)
class _Request:
    mime: str
    value: Any
    metadata: Mapping[str, Any]
    width: int
    max_lines: int | None
    palette: Palette

    def head(self, text: str) -> TextWindow:
        return text_window(
            text, self.max_lines, keep="head", max_chars=max_chars_for(self.max_lines)
        )


def _image(request: _Request) -> RenderableType:
    meta = request.metadata.get(request.mime)
    meta = meta if isinstance(meta, Mapping) else {}
    background = {"light": (255, 255, 255), "dark": (0, 0, 0)}.get(
        str(meta.get("needs_background")), request.palette.image_background
    )

    def size(key: str) -> int | None:
        number = meta.get(key)
        return int(number) if isinstance(number, int | float) and number > 0 else None

    try:
        decoded = decode_image(
            plain_source(request.value),
            background=background,
            width=size("width"),
            height=size("height"),
        )
    except ImageError as error:
        return note(f"[{request.mime}: cannot draw: {error}]", request.palette)
    return HalfBlockImage(decoded, max_width=request.width, max_height=request.max_lines)


def _markdown(request: _Request) -> RenderableType:
    window = request.head(plain_source(request.value))
    body = render_markdown(strip_ansi(window.shown), code_theme=request.palette.code_theme)
    return _with_note(body, window, request.palette)


def _html(request: _Request) -> RenderableType | None:
    source = plain_source(request.value)
    limit = max_chars_for(request.max_lines)
    html = render_html(source[:limit], max_rows=request.max_lines or 1_000_000, width=request.width)
    if html is None or len(source) <= limit:
        return html
    return Group(
        html, note(f"… HTML cut at {limit:,} of {len(source):,} characters", request.palette)
    )


def _latex(request: _Request) -> RenderableType:
    window = request.head(plain_source(request.value))
    body = render_latex(strip_ansi(window.shown), width=request.width, code_style=Style(dim=True))
    return _with_note(body, window, request.palette)


def _json(request: _Request) -> RenderableType:
    value = request.value
    if isinstance(value, str):  # some kernels send the JSON text rather than the value
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    try:
        dumped = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        dumped = repr(value)
    window = request.head(dumped)
    text = Text(strip_ansi(window.shown))
    JSONHighlighter().highlight(text)
    return _with_note(text, window, request.palette)


def _svg(request: _Request) -> RenderableType:
    return note(f"[{strip_ansi(describe_svg(plain_source(request.value)))}]", request.palette)


def _plain(request: _Request) -> RenderableType:
    return render_ansi(
        plain_source(request.value),
        max_lines=request.max_lines,
        keep="head",
        palette=request.palette,
    )


_RENDERERS: dict[str, Callable[[_Request], RenderableType | None]] = {
    **dict.fromkeys(IMAGE_TYPES, _image),
    "text/markdown": _markdown,
    "text/html": _html,
    "text/latex": _latex,
    "application/json": _json,
    "image/svg+xml": _svg,
    "text/plain": _plain,
}


def render_mime(
    mime: str,
    value: Any,
    *,
    metadata: Mapping[str, Any] | None = None,
    width: int = 80,
    max_lines: int | None = DEFAULT_MAX_LINES,
    theme: Theme = "dark",
) -> RenderableType | None:
    """One entry of a MIME bundle as a renderable, or None when it draws nothing.

    Args:
        mime: The MIME type, one of ``RANKED_TYPES`` or any ``...+json`` type.
        value: The bundle's value for it (base64 text for pictures, a JSON value for JSON).
        metadata: The output's metadata (pictures read their display size and background there).
        width: Columns available.
        max_lines: Lines of text kept (head); tables keep as many rows, pictures as many rows.
        theme: Dark or light terminal background.
    """
    renderer = _RENDERERS.get(mime, _json if mime.endswith("+json") else None)
    if renderer is None:
        return None
    return renderer(_Request(mime, value, metadata or {}, width, max_lines, PALETTES[theme]))
