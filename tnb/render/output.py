"""render_output: one notebook output to a Rich renderable, picking the best MIME type, cached."""

from __future__ import annotations

import contextlib
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from io import StringIO
from typing import Any, Literal

from rich.console import Console, Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.markdown import Markdown
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from tnb.notebook.model import Output
from tnb.render.html import render_html
from tnb.render.images import RGB, HalfBlockImage, ImageError, decode_image, describe_svg
from tnb.render.latex import latex_to_unicode
from tnb.render.mime import IMAGE_TYPES, rank_mime
from tnb.render.sanitize import sanitize, strip_ansi
from tnb.render.window import text_window

Theme = Literal["dark", "light"]
ImageMode = Literal["auto", "halfblock", "none"]

DEFAULT_MAX_LINES = 1000
# With no line limit a single 100 MB line could still be asked for: this caps what is drawn.
UNLIMITED_MAX_CHARS = 2_000_000
_CHARS_PER_LINE = 400


@dataclass(frozen=True)
class Palette:
    """The few styles outputs need, per theme; kernel colours (SGR) come on top of these."""

    note: Style
    stderr: Style
    error: Style
    code_theme: str
    image_background: RGB


PALETTES: dict[str, Palette] = {
    # stderr gets a faint red ground, as JupyterLab gives it (--jp-rendermime-error-background).
    "dark": Palette(
        note=Style(dim=True, italic=True),
        stderr=Style(bgcolor="#2e1a1a"),
        error=Style(color="red", bold=True),
        code_theme="monokai",
        image_background=(0, 0, 0),
    ),
    "light": Palette(
        note=Style(dim=True, italic=True),
        stderr=Style(bgcolor="#ffdddd"),
        error=Style(color="red", bold=True),
        code_theme="default",
        image_background=(255, 255, 255),
    ),
}


def _note(text: str, palette: Palette) -> Text:
    return Text(text, style=palette.note)


def _hidden_note(hidden: int, cut_chars: bool, where: str) -> str:
    parts = []
    if hidden:
        parts.append(f"{hidden:,} more line{'s' if hidden != 1 else ''} {where}")
    if cut_chars:
        parts.append("long lines cut")
    return "… " + ", ".join(parts)


def _max_chars(max_lines: int | None) -> int:
    return UNLIMITED_MAX_CHARS if max_lines is None else max(10_000, max_lines * _CHARS_PER_LINE)


def render_ansi(
    text: str,
    *,
    max_lines: int | None,
    keep: Literal["head", "tail"],
    palette: Palette,
    style: Style | None = None,
) -> RenderableType:
    """Terminal text with colours: only the kept window is sanitised and decoded."""
    window = text_window(text, max_lines, keep=keep, max_chars=_max_chars(max_lines))
    # The model leaves a final "\r" or "\b" in stream text to mark where the cursor stands: not
    # an edit still to apply (tnb.notebook.outputs already applied those), so drop it here.
    body = Text.from_ansi(sanitize(window.shown.rstrip("\r\b")), style=style or "")
    if not window.hidden_lines and not window.cut_chars:
        return body
    if keep == "tail":
        return Group(
            _note(_hidden_note(window.hidden_lines, window.cut_chars, "above"), palette), body
        )
    return Group(body, _note(_hidden_note(window.hidden_lines, window.cut_chars, "below"), palette))


def _plain_source(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # a multiline string nbformat did not join
        return "".join(str(part) for part in value)
    return str(value)


def render_mime(
    mime: str,
    value: Any,
    *,
    metadata: Mapping[str, Any] | None = None,
    width: int = 80,
    max_lines: int | None = DEFAULT_MAX_LINES,
    theme: Theme = "dark",
) -> RenderableType | None:
    """One entry of a MIME bundle as a renderable, or None when it draws nothing (broken, empty).

    Args:
        mime: The MIME type, one of ``RANKED_TYPES``.
        value: The bundle's value for it (base64 text for pictures, a JSON value for JSON).
        metadata: The output's metadata (pictures read their display size and background there).
        width: Columns available.
        max_lines: Lines of text kept (head); tables keep as many rows.
        theme: Dark or light terminal background.
    """
    palette = PALETTES[theme]
    max_chars = _max_chars(max_lines)
    if mime in IMAGE_TYPES:
        meta = (metadata or {}).get(mime)
        meta = meta if isinstance(meta, Mapping) else {}
        background = palette.image_background
        if meta.get("needs_background") == "light":
            background = (255, 255, 255)
        elif meta.get("needs_background") == "dark":
            background = (0, 0, 0)

        def size(key: str) -> int | None:
            number = meta.get(key)
            return int(number) if isinstance(number, int | float) and number > 0 else None

        try:
            decoded = decode_image(
                _plain_source(value),
                background=background,
                width=size("width"),
                height=size("height"),
            )
        except ImageError as error:
            return _note(f"[{mime}: cannot draw: {error}]", palette)
        return HalfBlockImage(decoded, max_width=width, max_height=max_lines)
    if mime == "text/markdown":
        window = text_window(_plain_source(value), max_lines, keep="head", max_chars=max_chars)
        markdown = Markdown(
            strip_ansi(window.shown), code_theme=palette.code_theme, hyperlinks=False
        )
        if window.hidden_lines or window.cut_chars:
            return Group(
                markdown,
                _note(_hidden_note(window.hidden_lines, window.cut_chars, "below"), palette),
            )
        return markdown
    if mime == "text/html":
        source = _plain_source(value)
        html = render_html(source[:max_chars], max_rows=max_lines or 1_000_000, width=width)
        if html is not None and len(source) > max_chars:
            return Group(
                html, _note(f"… HTML cut at {max_chars:,} of {len(source):,} characters", palette)
            )
        return html
    if mime == "text/latex":
        window = text_window(_plain_source(value), max_lines, keep="head", max_chars=max_chars)
        return Text(latex_to_unicode(strip_ansi(window.shown)))
    if mime == "application/json" or mime.endswith("+json"):
        if isinstance(value, str):  # some kernels send the JSON text rather than the value
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        try:
            dumped = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            dumped = repr(value)
        window = text_window(dumped, max_lines, keep="head", max_chars=max_chars)
        text = Text(strip_ansi(window.shown))
        JSONHighlighter().highlight(text)
        if window.hidden_lines or window.cut_chars:
            return Group(
                text, _note(_hidden_note(window.hidden_lines, window.cut_chars, "below"), palette)
            )
        return text
    if mime == "image/svg+xml":
        return _note(f"[{strip_ansi(describe_svg(_plain_source(value)))}]", palette)
    if mime == "text/plain":
        return render_ansi(_plain_source(value), max_lines=max_lines, keep="head", palette=palette)
    return None


def _render_bundle(
    output: Output, width: int, max_lines: int | None, theme: Theme, images: ImageMode
) -> RenderableType:
    palette = PALETTES[theme]
    ranked = rank_mime(output.data, images=images != "none")
    for mime in ranked:
        renderable = render_mime(
            mime,
            output.data[mime],
            metadata=output.metadata,
            width=width,
            max_lines=max_lines,
            theme=theme,
        )
        if renderable is not None:
            skipped = [m for m in output.data if m in IMAGE_TYPES] if images == "none" else []
            if skipped:
                return Group(_note(f"[{', '.join(skipped)} not shown]", palette), renderable)
            return renderable
    kinds = ", ".join(strip_ansi(str(mime)) for mime in output.data) or "empty"
    return _note(f"[nothing to draw in a terminal: {kinds}]", palette)


def _render(
    output: Output, width: int, max_lines: int | None, theme: Theme, images: ImageMode
) -> RenderableType:
    palette = PALETTES[theme]
    if output.output_type == "stream":
        style = palette.stderr if output.name == "stderr" else None
        return render_ansi(
            output.text, max_lines=max_lines, keep="tail", palette=palette, style=style
        )
    if output.output_type == "error":
        if output.traceback:
            # The exception itself is at the bottom of a traceback: keep the tail.
            return render_ansi(
                "\n".join(output.traceback), max_lines=max_lines, keep="tail", palette=palette
            )
        return Text(strip_ansi(f"{output.ename}: {output.evalue}"), style=palette.error)
    if output.output_type in ("display_data", "execute_result"):
        return _render_bundle(output, width, max_lines, theme, images)
    return _note(f"[unknown output type {strip_ansi(output.output_type)!r}]", palette)


def _signature(output: Output, *options: object) -> tuple[object, ...]:
    """What a rendering depends on. Strings are immutable, so holding them is enough to compare."""
    bundle = tuple(item for pair in output.data.items() for item in pair)
    return (
        *options,
        output.output_type,
        output.name,
        output.text,
        output.ename,
        output.evalue,
        *output.traceback,
        len(output.traceback),
        *bundle,
        len(bundle),
        output.metadata,
    )


def _same(left: tuple[object, ...], right: tuple[object, ...]) -> bool:
    # Identity first: the common case is the very same strings, and comparing 100 MB is costly.
    return len(left) == len(right) and all(
        a is b or a == b for a, b in zip(left, right, strict=True)
    )


_CACHE: weakref.WeakKeyDictionary[Output, tuple[tuple[object, ...], RenderableType]] = (
    weakref.WeakKeyDictionary()
)


def render_output(
    output: Output,
    width: int = 80,
    *,
    max_lines: int | None = DEFAULT_MAX_LINES,
    theme: Theme = "dark",
    images: ImageMode = "auto",
) -> RenderableType:
    """A renderable for one output, at most ``width`` cells wide.

    Every kernel string is sanitised (only SGR colours survive). Streams and tracebacks keep their
    last ``max_lines`` lines, other text its first, with a "N more lines" note; memory stays
    proportional to what is shown. The result is cached per output until its content changes.

    Args:
        output: The output, as the notebook model holds it.
        width: Columns available; pictures fit it.
        max_lines: Lines of text shown (None: all, still capped at ``UNLIMITED_MAX_CHARS``).
        theme: "dark" or "light" terminal background (code colours, picture transparency).
        images: "auto" and "halfblock" draw pictures with half-blocks (the UI swaps in real
            graphics itself), "none" draws the next best MIME type instead.
    """
    signature = _signature(output, width, max_lines, theme, images)
    cached = _CACHE.get(output)
    if cached is not None and _same(cached[0], signature):
        return cached[1]
    renderable = _render(output, width, max_lines, theme, images)
    _CACHE[output] = (signature, renderable)
    return renderable


_LINES_CACHE: weakref.WeakKeyDictionary[Output, tuple[tuple[object, ...], list[list[Segment]]]] = (
    weakref.WeakKeyDictionary()
)


def render_output_lines(
    output: Output,
    width: int,
    *,
    console: Console,
    max_lines: int | None = DEFAULT_MAX_LINES,
    theme: Theme = "dark",
    images: ImageMode = "auto",
) -> list[list[Segment]]:
    """:func:`render_output` laid out as lines of segments ``width`` cells wide, cached.

    Laying out is the costly half (a 1000-line coloured stream: ~10 ms to build, ~19 ms to lay
    out here), so a line-based view should call this: the second call for an unchanged output
    returns the same list. Lines are not padded; wrap each in a Textual ``Strip``.

    Args:
        output: The output.
        width: Columns available.
        console: The console whose theme resolves named styles (a Textual app's ``app.console``).
        max_lines: As for :func:`render_output`.
        theme: As for :func:`render_output`.
        images: As for :func:`render_output`.
    """
    signature = (console, *_signature(output, width, max_lines, theme, images))
    cached = _LINES_CACHE.get(output)
    if cached is not None and _same(cached[0], signature):
        return cached[1]
    renderable = render_output(output, width, max_lines=max_lines, theme=theme, images=images)
    options = console.options.update(width=width, min_width=1, max_width=width, height=None)
    lines = console.render_lines(renderable, options, pad=False, new_lines=False)
    _LINES_CACHE[output] = (signature, lines)
    return lines


_TEXT_CACHE: weakref.WeakKeyDictionary[Output, tuple[tuple[object, ...], str]] = (
    weakref.WeakKeyDictionary()
)


def output_text(output: Output) -> str:
    """An output as plain text without any escape sequence: for find, the pager and the clipboard.

    Unlike :func:`render_output` this is the whole output, however long (a 100 MB stream takes
    seconds to clean), so the result is cached until the output changes.
    """
    signature = _signature(output)
    cached = _TEXT_CACHE.get(output)
    if cached is not None and _same(cached[0], signature):
        return cached[1]
    text = _output_text(output)
    _TEXT_CACHE[output] = (signature, text)
    return text


def _output_text(output: Output) -> str:
    if output.output_type == "stream":
        return strip_ansi(output.text.rstrip("\r\b"))
    if output.output_type == "error":
        if output.traceback:
            return strip_ansi("\n".join(output.traceback))
        return strip_ansi(f"{output.ename}: {output.evalue}")
    for mime in ("text/plain", "text/markdown", "text/latex"):
        if mime in output.data:
            return strip_ansi(_plain_source(output.data[mime]))
    if "application/json" in output.data:
        return strip_ansi(
            json.dumps(output.data["application/json"], indent=2, ensure_ascii=False, default=str)
        )
    if "text/html" in output.data:
        html = render_html(_plain_source(output.data["text/html"]), max_rows=1_000_000, width=1_000)
        if html is not None:
            console = Console(file=StringIO(), width=1_000, color_system=None, legacy_windows=False)
            with console.capture() as capture:
                console.print(html)
            return capture.get()
    return ""
