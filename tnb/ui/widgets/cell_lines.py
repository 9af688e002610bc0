"""One cell -> a list of Strips: prompt gutter, highlighted source or rendered markdown, outputs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme as RichTheme
from textual.strip import Strip

from tnb.notebook.model import Cell, Output
from tnb.session.widgets import VIEW_MIME, WidgetModel
from tnb.ui.highlight import lexer_for, syntax_theme
from tnb.ui.render import Theme, render_markdown, render_output_lines, shown_source
from tnb.ui.render.palette import PALETTES
from tnb.ui.render.widgets import WidgetContext, render_widget
from tnb.ui.widgets.long_source import LONG_SOURCE_CHARS, LongSourceRows

PROMPT_WIDTH = 7  # "[1234]:" fits; Jupyter's own gutter is as wide
BAR_WIDTH = 1  # the cursor / selection bar left of the prompt
RIGHT_MARGIN = 1


@dataclass(frozen=True)
class CellStyles:
    """Styles the view resolves from its component classes (theme variables live in tcss)."""

    code: Style
    prompt: Style
    raw: Style
    muted: Style
    dark: bool
    theme: str
    markdown: RichTheme | None = None  # Rich's markdown.* styles mapped to the Textual theme


@dataclass(frozen=True)
class OutputWindow:
    """How a cell's outputs may be shown in a bounded region that scrolls on its own."""

    scrolled: bool | None  # the cell's metadata.scrolled; None: scrolled when long
    offset: int | None  # first output line shown; None: the top (the end while running)
    height: int  # lines of the region
    follow_end: bool = False  # the cell is running: new lines stay in view


@dataclass(frozen=True)
class RenderedCell:
    """The cached lines of one cell and where its source and outputs are among them."""

    key: tuple[object, ...]
    strips: Sequence[Strip]  # a long source's rows are made when drawn (LongSourceRows)
    source_top: int
    source_height: int
    output_top: int = 0  # first strip of the outputs
    output_lines: int = 0  # lines the outputs take in full
    output_offset: int = 0  # first output line shown (scrolled region)
    output_height: int = 0  # lines of the scrolled region; 0 when the outputs show whole


def auto_scroll_threshold(region: int) -> int:
    """Outputs longer than this scroll in their region unless their cell says otherwise."""
    return 2 * region


def body_width(width: int) -> int:
    """Columns left for a cell's source and outputs in a view ``width`` wide."""
    return max(10, width - BAR_WIDTH - PROMPT_WIDTH - RIGHT_MARGIN)


def cell_key(
    cell: Cell,
    width: int,
    styles: CellStyles,
    *,
    line_numbers: bool,
    outputs_hidden: bool,
    editing_lines: int | None,
    version: int,
    running: str | None = None,
    hidden_below: int = 0,
    window: OutputWindow | None = None,
    breakpoints: frozenset[int] = frozenset(),
    stopped_line: int | None = None,
) -> tuple[object, ...]:
    """What a cell's rendering depends on: when the key is equal, cached strips are reused."""
    return (
        breakpoints,
        stopped_line,
        hidden_below,
        window,
        cell.cell_type,
        cell.source,
        cell.execution_count,
        len(cell.outputs),
        tuple(id(o) for o in cell.outputs),
        width,
        styles.theme,
        line_numbers,
        outputs_hidden,
        editing_lines,
        version,
        running,
    )


def _lines(
    console: Console, options: ConsoleOptions, renderable: RenderableType, width: int
) -> list[list[Segment]]:
    return console.render_lines(renderable, options.update_width(width), pad=True)


def _prompt(text: str, style: Style) -> Segment:
    return Segment(text.rjust(PROMPT_WIDTH - 1) + " ", style)


def render_cell(
    cell: Cell,
    *,
    language: str,
    width: int,
    console: Console,
    styles: CellStyles,
    line_numbers: bool = False,
    outputs_hidden: bool = False,
    editing_lines: int | None = None,
    running: str | None = None,
    key: tuple[object, ...] = (),
    hidden_below: int = 0,
    window: OutputWindow | None = None,
    widgets: Mapping[str, WidgetModel] | None = None,
    breakpoints: frozenset[int] = frozenset(),
    stopped_line: int | None = None,
) -> RenderedCell:
    """Render ``cell`` for a view ``width`` columns wide, without the cursor bar.

    ``editing_lines`` reserves that many blank source lines: the live editor is drawn over them.
    ``running`` is the prompt of a cell that is queued (``*``) or running (its elapsed time).
    ``hidden_below`` counts the cells a collapsed heading hides (drawn as a note under it).
    ``window`` lets long outputs show in a region of their own that scrolls.
    ``widgets`` are the widget models outputs may show live (their text repr otherwise).
    ``breakpoints`` (1-based source lines) get a mark in the gutter; ``stopped_line`` is where
    the debugger stopped (highlighted). Either shows the line numbers they refer to.
    """
    body = body_width(width)
    options = console.options
    blank_prompt = Segment(" " * PROMPT_WIDTH)
    margin = Segment(" " * RIGHT_MARGIN)
    strips: list[Strip] = []

    if cell.cell_type == "code":
        count = cell.execution_count
        shown = running if running else (count if count is not None else " ")
        prompt_text = f"[{shown}]:"
    else:
        prompt_text = ""

    long_source = editing_lines is None and len(cell.source) > LONG_SOURCE_CHARS
    if editing_lines is not None:
        source_lines = [[Segment(" " * body, styles.code)] for _ in range(editing_lines)]
    elif long_source:
        source_lines = []  # drawn a row at a time, below
    elif cell.cell_type == "code":
        syntax = Syntax(
            shown_source(cell.source) or " ",
            lexer_for(language),
            theme=syntax_theme(styles.dark),
            background_color=styles.code.bgcolor.name if styles.code.bgcolor else None,
            line_numbers=line_numbers or bool(breakpoints) or stopped_line is not None,
            word_wrap=True,
            code_width=body,
            highlight_lines={stopped_line} if stopped_line is not None else None,
        )
        source_lines = _lines(console, options, syntax, body)
    elif cell.cell_type == "markdown":
        if cell.source.strip():
            markdown = render_markdown(cell.source, code_theme=syntax_theme(styles.dark))
            # Rich's own markdown styles are fixed colours (inline code is cyan on black).
            with console.use_theme(styles.markdown or RichTheme()):
                source_lines = _collapse_blank_runs(_lines(console, options, markdown, body))
            # Rich pads headings and paragraphs with blank lines at the end.
            while len(source_lines) > 1 and not "".join(s.text for s in source_lines[-1]).strip():
                source_lines.pop()
        else:
            hint = Text("empty markdown cell (enter to edit)", style=styles.muted)
            source_lines = _lines(console, options, hint, body)
    else:
        source_lines = _lines(
            console, options, Text(shown_source(cell.source) or " ", style=styles.raw), body
        )

    marked = _breakpoint_rows(source_lines, breakpoints) if breakpoints else set()
    for i, line in enumerate(source_lines):
        prompt = _prompt(prompt_text, styles.prompt) if i == 0 and prompt_text else blank_prompt
        gutter = _with_breakpoint(prompt) if i in marked else [prompt]
        strips.append(Strip([*gutter, *line, margin], width - BAR_WIDTH))
    source_height = len(source_lines)

    if hidden_below:
        plural = "s" if hidden_below != 1 else ""
        note = Text(f"▶ {hidden_below} cell{plural} hidden (→ expands)", style=styles.muted)
        for line in _lines(console, options, note, body):
            strips.append(Strip([blank_prompt, *line, margin], width - BAR_WIDTH))

    output_top = len(strips)
    region: tuple[int, int, int] = (0, 0, 0)
    if cell.cell_type == "code" and cell.outputs:
        if outputs_hidden:
            note = Text(f"… {len(cell.outputs)} output(s) hidden (o shows)", style=styles.muted)
            for line in _lines(console, options, note, body):
                strips.append(Strip([blank_prompt, *line, margin], width - BAR_WIDTH))
        else:
            region = _outputs(cell, strips, body, width, console, styles, window, widgets)

    strips.append(Strip([Segment(" " * (width - BAR_WIDTH))], width - BAR_WIDTH))
    if long_source:
        prompt = _prompt(prompt_text, styles.prompt) if prompt_text else blank_prompt

        def frame(row: int, segments: list[Segment]) -> Strip:
            return Strip(
                [prompt if row == 0 else blank_prompt, *segments, margin], width - BAR_WIDTH
            )

        rows = LongSourceRows(
            shown_source(cell.source),
            body=body,
            language={"code": language, "markdown": "markdown"}.get(cell.cell_type, "text"),
            theme=syntax_theme(styles.dark),
            code=styles.code if cell.cell_type == "code" else styles.raw,
            frame=frame,
            tail=strips,
        )
        source_height = rows.source_rows
        return RenderedCell(key, rows, 0, source_height, output_top + source_height, *region)
    return RenderedCell(key, strips, 0, source_height, output_top, *region)


def _outputs(
    cell: Cell,
    strips: list[Strip],
    body: int,
    width: int,
    console: Console,
    styles: CellStyles,
    window: OutputWindow | None,
    widgets: Mapping[str, WidgetModel] | None = None,
) -> tuple[int, int, int]:
    """Append the output lines (all, or a scrolled window of them); (total, offset, height)."""
    theme: Theme = "dark" if styles.dark else "light"
    lines = [
        line
        for output in cell.outputs
        for line in _output_lines(output, body, console, theme, widgets)
    ]
    total = len(lines)
    blank_prompt = Segment(" " * PROMPT_WIDTH)
    scrolled = window is not None and (
        window.scrolled
        if window.scrolled is not None
        else total > auto_scroll_threshold(window.height)
    )
    if window is None or not scrolled or total <= window.height:
        for line in lines:
            strips.append(_output_strip(line, body, width, Segment(" " * RIGHT_MARGIN)))
        return total, 0, 0
    height = window.height
    last = total - height
    if window.offset is None:
        offset = last if window.follow_end else 0
    else:
        offset = max(0, min(window.offset, last))
    # A scrollbar in the right margin: where the region is within the whole output.
    thumb = max(1, height * height // total)
    thumb_top = round(offset * (height - thumb) / last) if last else 0
    for row, line in enumerate(lines[offset : offset + height]):
        on_thumb = thumb_top <= row < thumb_top + thumb
        bar = Segment("┃" if on_thumb else "│", styles.prompt if on_thumb else styles.muted)
        strips.append(_output_strip(line, body, width, bar))
    note = Text(
        f"lines {offset + 1}–{offset + height} of {total} · ctrl+↓/↑ scroll · O pager",
        style=styles.muted,
    )
    for line in console.render_lines(note, console.options.update_width(body), pad=True):
        strips.append(Strip([blank_prompt, *line, Segment(" " * RIGHT_MARGIN)], width - BAR_WIDTH))
    return total, offset, height


_LINE_NUMBER = re.compile(r"^\s*(?:❱\s*)?(\d+)\s")
BREAKPOINT_STYLE = Style(color="red", bold=True)


def _breakpoint_rows(lines: list[list[Segment]], breakpoints: frozenset[int]) -> set[int]:
    """The rows that begin a breakpoint's source line (Rich numbers the first row of each)."""
    rows = set()
    for row, line in enumerate(lines):
        found = _LINE_NUMBER.match("".join(segment.text for segment in line[:4]))
        if found and int(found.group(1)) in breakpoints:
            rows.add(row)
    return rows


def _with_breakpoint(prompt: Segment) -> list[Segment]:
    """The gutter with a breakpoint's red dot in its last column (after any ``[n]:``)."""
    text = prompt.text[: PROMPT_WIDTH - 1].ljust(PROMPT_WIDTH - 1)
    return [Segment(text, prompt.style), Segment("●", BREAKPOINT_STYLE)]


def widget_id(output: Output) -> str | None:
    """The model id of the widget an output shows, if it shows one."""
    view = output.data.get(VIEW_MIME) if output.output_type != "stream" else None
    model_id = view.get("model_id") if isinstance(view, dict) else None
    return str(model_id) if model_id else None


def _output_lines(
    output: Output,
    body: int,
    console: Console,
    theme: Theme,
    widgets: Mapping[str, WidgetModel] | None,
) -> list[list[Segment]]:
    model_id = widget_id(output)
    if model_id is None or widgets is None or model_id not in widgets:
        return render_output_lines(output, body, console=console, theme=theme)
    # A live widget: drawn afresh each time its cell is (the view redraws it on a change).
    ctx = WidgetContext(widgets, PALETTES[theme], theme)
    options = console.options.update(width=body, min_width=1, max_width=body, height=None)
    return console.render_lines(
        render_widget(model_id, ctx, body), options, pad=False, new_lines=False
    )


def _output_strip(line: list[Segment], body: int, width: int, margin: Segment) -> Strip:
    pad = body - Segment.get_line_length(line)
    segments = [Segment(" " * PROMPT_WIDTH), *line]
    if pad > 0:
        segments.append(Segment(" " * pad))
    return Strip([*segments, margin], width - BAR_WIDTH)


def _collapse_blank_runs(lines: list[list[Segment]]) -> list[list[Segment]]:
    """Rich puts two blank lines between some blocks (a heading then a table): keep one."""
    kept: list[list[Segment]] = []
    previous_blank = False
    for line in lines:
        blank = not "".join(segment.text for segment in line).strip()
        if not (blank and previous_blank):
            kept.append(line)
        previous_blank = blank
    return kept


def markdown_theme(code: Style, heading: Style, accent: Style, link: Style) -> RichTheme:
    """Rich markdown styles drawn from the Textual theme's component styles."""
    return RichTheme(
        {
            "markdown.code": code,
            "markdown.code_block": code,
            "markdown.h1": heading + Style(bold=True),
            "markdown.h1.border": heading,
            "markdown.h2": heading + Style(underline=True),
            "markdown.h3": heading,
            "markdown.h4": heading + Style(italic=True),
            "markdown.block_quote": accent,
            "markdown.list": accent,
            "markdown.item.number": accent,
            "markdown.table.border": accent,
            "markdown.table.header": accent + Style(bold=True),
            "markdown.link": link,
            "markdown.link_url": link + Style(underline=True),
            "markdown.kbd": code,
            "markdown.u": Style(underline=True),
            "markdown.math": accent,
        }
    )


def estimate_height(cell: Cell, width: int) -> int:
    """A cheap guess of a cell's rendered height, used until it is first drawn."""
    body = body_width(width)
    lines = 0
    for line in cell.source.split("\n"):
        lines += max(1, -(-len(line) // body))
    if cell.cell_type == "code":
        for output in cell.outputs:
            text = (
                output.text or "\n".join(output.traceback) or str(output.data.get("text/plain", ""))
            )
            lines += max(1, text.count("\n") + 1)
    return lines + 1
