"""HTML to readable terminal text and Rich tables, with the stdlib parser (never a browser)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from tnb.session.sanitize import strip_ansi


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "math"})
_BLOCKS = _words(
    "p div section article header footer main nav aside figure figcaption blockquote "
    "pre h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table tr details summary form fieldset "
    "address"
)
_VOID = _words("br hr img input meta link area base col embed source track wbr")
_INLINE_STYLES = {
    "b": Style(bold=True),
    "strong": Style(bold=True),
    "th": Style(bold=True),
    "i": Style(italic=True),
    "em": Style(italic=True),
    "var": Style(italic=True),
    "cite": Style(italic=True),
    "u": Style(underline=True),
    "ins": Style(underline=True),
    "s": Style(strike=True),
    "del": Style(strike=True),
    "strike": Style(strike=True),
    "code": Style(bold=True),
    "kbd": Style(bold=True),
    "a": Style(underline=True),
    "h1": Style(bold=True, underline=True),
    "h2": Style(bold=True),
    "h3": Style(bold=True),
    "h4": Style(bold=True),
    "h5": Style(bold=True),
    "h6": Style(bold=True),
    "summary": Style(bold=True),
    "caption": Style(italic=True),
}
# What pandas right-aligns: numbers (with thousands separators, exponents, percent) and its
# missing-value markers.
_NUMBER = re.compile(
    r"[-+−]?(?:[\d,_ ]*\.?\d+|\d[\d,_ ]*\.?)(?:[eE][-+]?\d+)?%?|nan|NaN|inf|-inf|None|NaT|<NA>"
)
_SPACES = re.compile(r"\s+")


@dataclass
class _Cell:
    text: Text
    header: bool
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _TableBuilder:
    rows: list[tuple[list[_Cell], bool]] = field(default_factory=list)  # (cells, in <thead>)
    caption: Text = field(default_factory=Text)
    in_head: bool = False
    cell: _Cell | None = None
    in_caption: bool = False


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _grid(rows: list[list[_Cell]]) -> list[list[_Cell | None]]:
    """Lay cells out on a grid, honouring colspan and rowspan (pandas' MultiIndex uses both)."""
    grid: list[list[_Cell | None]] = []
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for cells in rows:
        row: list[_Cell | None] = []
        queue = deque(cells)
        col = 0
        while queue or any(n > 0 and c >= col for c, n in pending.items()):
            if pending.get(col, 0) > 0:
                pending[col] -= 1
                row.append(None)
                col += 1
            elif not queue:
                row.append(None)  # a gap before a column still covered from above
                col += 1
            else:
                cell = queue.popleft()
                row.append(cell)
                row.extend([None] * (cell.colspan - 1))
                if cell.rowspan > 1:
                    for spanned in range(col, col + cell.colspan):
                        pending[spanned] = cell.rowspan - 1
                col += cell.colspan
        grid.append(row)
    return grid


def _columns_that_fit(grid: list[list[_Cell | None]], width: int) -> int:
    """How many leading columns fit ``width`` at their natural width (always at least one)."""
    columns = max((len(row) for row in grid), default=0)
    used = 0
    for col in range(columns):
        natural = max(
            (
                max((cell_len(line) for line in row[col].text.plain.split("\n")), default=0)  # type: ignore[union-attr]
                for row in grid
                if col < len(row) and row[col] is not None
            ),
            default=0,
        )
        used += min(natural, 40) + 2  # cells of long text wrap; two cells of padding
        if used > width - 3 and col > 0:  # keep room for the "…" column
            return col if col < columns - 1 or used > width else columns
    return columns


def _is_number(text: str) -> bool:
    return bool(text) and _NUMBER.fullmatch(text.strip()) is not None


class _HtmlToRich(HTMLParser):
    def __init__(self, max_rows: int, width: int, links: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.max_rows = max_rows
        self.width = width
        self.links = links
        self.hrefs: list[tuple[str, int]] = []  # open <a>: its address, where its text starts
        self.blocks: list[RenderableType] = []
        self.text = Text()
        self.styles: list[tuple[str, Style]] = []
        self.skip: list[str] = []
        self.pre = 0
        self.lists: list[list[int]] = []  # one [counter] per open list; counter < 0 for <ul>
        self.tables: list[_TableBuilder] = []

    @property
    def target(self) -> Text:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.in_caption:
            return table.caption
        if table is not None and table.cell is not None:
            return table.cell.text
        return self.text

    def newline(self) -> None:
        target = self.target
        if target.plain and not target.plain.endswith("\n"):
            target.append("\n")

    def write(self, text: str) -> None:
        target = self.target
        if not self.pre:
            text = _SPACES.sub(" ", text)
            if not target.plain or target.plain.endswith(("\n", " ")):
                text = text.lstrip(" ")
        if not text:
            return
        style = Style.combine(style for _, style in self.styles) if self.styles else None
        target.append(text, style)

    def flush(self) -> None:
        self.text.rstrip()
        if self.text.plain.strip():
            self.blocks.append(self.text)
        self.text = Text()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _SKIPPED:
            self.skip.append(tag)
            return
        attributes = dict(attrs)
        if tag == "table":
            if not self.tables:
                self.flush()
            self.tables.append(_TableBuilder())
            return
        if self.tables:
            table = self.tables[-1]
            if tag == "thead":
                table.in_head = True
            elif tag == "tr":
                table.rows.append(([], table.in_head))
                return
            elif tag in ("td", "th"):
                if not table.rows:
                    table.rows.append(([], table.in_head))
                table.cell = _Cell(
                    Text(),
                    tag == "th",
                    _span(attributes.get("colspan")),
                    _span(attributes.get("rowspan")),
                )
                table.rows[-1][0].append(table.cell)
            elif tag == "caption":
                table.in_caption = True
        if tag in _BLOCKS:
            self.newline()
        if tag == "br":
            self.target.append("\n")
        elif tag == "hr":
            self.newline()
            self.target.append("─" * 20 + "\n", Style(dim=True))
        elif tag == "img":
            if self.links:
                label = image_label(attributes.get("alt") or "", attributes.get("src") or "")
                self.write(label)
            else:
                alt = attributes.get("alt") or (attributes.get("src") or "")[:40]
                self.write(f"[image: {alt}]")
        elif tag == "a" and self.links:
            self.hrefs.append((attributes.get("href") or "", len(self.target.plain)))
        elif tag == "summary":
            self.target.append("▼ ")
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append([-1 if tag == "ul" else int(attributes.get("start") or 1) - 1])
        elif tag == "li":
            depth = max(0, len(self.lists) - 1)
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] < 0:
                bullet = "• "
            else:
                counter[0] += 1
                bullet = f"{counter[0]}. "
            self.target.append("  " * depth + bullet)
        if tag in _INLINE_STYLES and tag not in _VOID:
            self.styles.append((tag, _INLINE_STYLES[tag]))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag == "a" and self.hrefs:
            href, start = self.hrefs.pop()
            shown = self.target.plain[start:].strip()
            # An address is worth showing once: not again after a link that spells it out.
            if href and not href.startswith("#") and shown != href and f"mailto:{shown}" != href:
                self.write(f" ({href})")
        for index in range(len(self.styles) - 1, -1, -1):
            if self.styles[index][0] == tag:
                del self.styles[index:]
                break
        if self.tables:
            table = self.tables[-1]
            if tag == "thead":
                table.in_head = False
            elif tag in ("td", "th"):
                table.cell = None
            elif tag == "caption":
                table.in_caption = False
            elif tag == "table":
                self.tables.pop()
                built = self.build_table(table)
                if self.tables:
                    # A table inside a cell: Rich could nest it, but a cell's text is a Text, so
                    # keep its words (nested tables in notebook outputs are rare and small).
                    self.write(" ".join(cell.text.plain for row, _ in table.rows for cell in row))
                else:
                    self.blocks.append(built)
                return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _BLOCKS:
            self.newline()
            if tag in ("p", "h1", "h2", "h3", "pre", "ul", "ol", "blockquote") and not self.lists:
                self.target.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            # Entities are decoded before this point, so "&#27;" arrives as a real ESC.
            self.write(strip_ansi(data))

    def build_table(self, builder: _TableBuilder) -> RenderableType:
        head_rows = [cells for cells, in_head in builder.rows if in_head]
        body_rows = [cells for cells, in_head in builder.rows if not in_head and cells]
        if not head_rows and body_rows and all(cell.header for cell in body_rows[0]):
            head_rows, body_rows = body_rows[:1], body_rows[1:]
        hidden = max(0, len(body_rows) - self.max_rows)
        grid = _grid(head_rows + body_rows[: self.max_rows])
        width = _columns_that_fit(grid, self.width)
        hidden_columns = max((len(row) for row in grid), default=0) - width
        head, body = grid[: len(head_rows)], grid[len(head_rows) :]
        table = Table(
            box=box.SIMPLE_HEAD,
            show_header=bool(head),
            header_style=Style(bold=True),
            pad_edge=False,
            collapse_padding=True,
            caption=builder.caption if builder.caption.plain.strip() else None,
        )
        for col in range(width):
            header = Text("\n").join(
                row[col].text if col < len(row) and row[col] is not None else Text()  # type: ignore[union-attr]
                for row in head
            )
            values = [row[col].text.plain for row in body if col < len(row) and row[col]]  # type: ignore[union-attr]
            numeric = bool(values) and all(
                _is_number(value) or not value.strip() for value in values
            )
            short = all(len(value) <= 40 for value in values)
            table.add_column(
                header,
                justify="right" if numeric else "left",
                no_wrap=short,
                overflow="ellipsis",
            )
        if hidden_columns:
            # Squeezing every column to "…" (what Rich does) shows nothing; pandas drops columns.
            table.add_column("…", no_wrap=True)
        for row in body:
            cells: list[Text] = []
            for col in range(width):
                cell = row[col] if col < len(row) else None
                text = cell.text.copy() if cell is not None else Text()
                text.rstrip()
                if cell is not None and cell.header:
                    text.stylize(Style(bold=True))
                cells.append(text)
            if hidden_columns:
                cells.append(Text("…"))
            table.add_row(*cells)
        notes = [f"{hidden:,} more rows"] if hidden else []
        notes += [f"{hidden_columns:,} more columns"] if hidden_columns else []
        if notes:
            return Group(table, Text("… " + ", ".join(notes), style=Style(dim=True)))
        return table


def render_html(
    source: str, *, max_rows: int = 200, width: int = 80, links: bool = False
) -> RenderableType | None:
    """HTML as readable text and tables, or None when it shows no text (e.g. only a script).

    Args:
        source: The HTML.
        max_rows: Body rows kept per table; the rest are counted in a note.
        width: Columns available: table columns beyond it are left out and counted in a note.
        links: Show each link's address after its text and where each picture lives, as
            markdown cells do (outputs keep to their text).
    """
    parser = _HtmlToRich(max_rows, width, links)
    try:
        parser.feed(source)
        parser.close()
    except (AssertionError, ValueError):  # the stdlib parser's reaction to some broken markup
        pass
    while parser.tables:
        table = parser.tables.pop()
        if not parser.tables:
            parser.blocks.append(parser.build_table(table))
    parser.flush()
    if not parser.blocks:
        return None
    return parser.blocks[0] if len(parser.blocks) == 1 else Group(*parser.blocks)


def image_label(alt: str, src: str) -> str:
    """How a picture in markdown reads in a terminal: its alt text and where it lives."""
    label = f"[image: {alt.strip() or 'no description'}]"
    if src.startswith("data:"):
        return label + " (embedded: p views it)"
    if src.startswith("attachment:"):
        return label + " (attached: p views it)"
    return f"{label} ({src})" if src else label
