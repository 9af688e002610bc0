"""render_output: one notebook output to a Rich renderable, picking the best MIME type, cached."""

from __future__ import annotations

import json
import weakref
from io import StringIO
from typing import Literal

from rich.console import Console, Group, RenderableType
from rich.segment import Segment
from rich.text import Text

from tnb.notebook.model import Output
from tnb.session.sanitize import strip_ansi
from tnb.ui.render.bundle import DEFAULT_MAX_LINES, plain_source, render_ansi, render_mime
from tnb.ui.render.html import render_html
from tnb.ui.render.mime import IMAGE_TYPES, rank_mime
from tnb.ui.render.palette import PALETTES, Theme, note

ImageMode = Literal["auto", "halfblock", "none"]


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
                return Group(note(f"[{', '.join(skipped)} not shown]", palette), renderable)
            return renderable
    kinds = ", ".join(strip_ansi(str(mime)) for mime in output.data) or "empty"
    return note(f"[nothing to draw in a terminal: {kinds}]", palette)


def _last_frames(frames: list[str], max_lines: int | None) -> tuple[list[str], int]:
    """The last traceback entries holding at least ``max_lines`` lines, and the lines left out."""
    if max_lines is None:
        return frames, 0
    start, kept = len(frames), 0
    while start > 0 and kept < max_lines:
        start -= 1
        kept += frames[start].count("\n") + 1
    return frames[start:], sum(frame.count("\n") + 1 for frame in frames[:start])


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
            # The exception itself is at the bottom of a traceback: keep the tail, and join only
            # the frames that can show (a runaway recursion sends thousands).
            frames, hidden = _last_frames(output.traceback, max_lines)
            return render_ansi(
                "\n".join(frames),
                max_lines=max_lines,
                keep="tail",
                palette=palette,
                hidden_before=hidden,
            )
        return Text(error_summary(output), style=palette.error)
    if output.output_type in ("display_data", "execute_result"):
        return _render_bundle(output, width, max_lines, theme, images)
    return note(f"[unknown output type {strip_ansi(output.output_type)!r}]", palette)


def error_summary(output: Output) -> str:
    """One line for an error output that has no traceback.

    Shell-like kernels (bash_kernel) send no name and the exit status as the value.
    """
    name, value = strip_ansi(output.ename), strip_ansi(output.evalue)
    if name:
        return f"{name}: {value}" if value else name
    if value.isdigit():
        return f"error (exit status {value})"
    return f"error: {value}" if value else "error"


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
        return error_summary(output)
    for mime in ("text/plain", "text/markdown", "text/latex"):
        if mime in output.data:
            return strip_ansi(plain_source(output.data[mime]))
    if "application/json" in output.data:
        return strip_ansi(
            json.dumps(output.data["application/json"], indent=2, ensure_ascii=False, default=str)
        )
    if "text/html" in output.data:
        html = render_html(plain_source(output.data["text/html"]), max_rows=1_000_000, width=1_000)
        if html is not None:
            console = Console(file=StringIO(), width=1_000, color_system=None, legacy_windows=False)
            with console.capture() as capture:
                console.print(html)
            return capture.get()
    return ""
