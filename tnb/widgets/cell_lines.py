"""One cell -> a list of Strips: prompt gutter, highlighted source or rendered markdown, outputs."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme as RichTheme
from textual.strip import Strip

from tnb.highlight import lexer_for, syntax_theme
from tnb.notebook.model import Cell
from tnb.render import Theme, render_markdown, render_output_lines

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
class RenderedCell:
    """The cached lines of one cell and where its source starts and ends among them."""

    key: tuple[object, ...]
    strips: list[Strip]
    source_top: int
    source_height: int


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
) -> tuple[object, ...]:
    """What a cell's rendering depends on: when the key is equal, cached strips are reused."""
    return (
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
) -> RenderedCell:
    """Render ``cell`` for a view ``width`` columns wide, without the cursor bar.

    ``editing_lines`` reserves that many blank source lines: the live editor is drawn over them.
    ``running`` is the prompt of a cell that is queued (``*``) or running (its elapsed time).
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

    if editing_lines is not None:
        source_lines = [[Segment(" " * body, styles.code)] for _ in range(editing_lines)]
    elif cell.cell_type == "code":
        syntax = Syntax(
            cell.source or " ",
            lexer_for(language),
            theme=syntax_theme(styles.dark),
            background_color=styles.code.bgcolor.name if styles.code.bgcolor else None,
            line_numbers=line_numbers,
            word_wrap=True,
            code_width=body,
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
        source_lines = _lines(console, options, Text(cell.source or " ", style=styles.raw), body)

    for i, line in enumerate(source_lines):
        prompt = _prompt(prompt_text, styles.prompt) if i == 0 and prompt_text else blank_prompt
        strips.append(Strip([prompt, *line, margin], width - BAR_WIDTH))
    source_height = len(source_lines)

    if cell.cell_type == "code" and cell.outputs:
        if outputs_hidden:
            note = Text(f"… {len(cell.outputs)} output(s) hidden (o shows)", style=styles.muted)
            for line in _lines(console, options, note, body):
                strips.append(Strip([blank_prompt, *line, margin], width - BAR_WIDTH))
        else:
            theme: Theme = "dark" if styles.dark else "light"
            for output in cell.outputs:
                for line in render_output_lines(output, body, console=console, theme=theme):
                    pad = body - Segment.get_line_length(line)
                    segments = [blank_prompt, *line]
                    if pad > 0:
                        segments.append(Segment(" " * pad))
                    strips.append(Strip([*segments, margin], width - BAR_WIDTH))

    strips.append(Strip([Segment(" " * (width - BAR_WIDTH))], width - BAR_WIDTH))
    return RenderedCell(key, strips, 0, source_height)


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
