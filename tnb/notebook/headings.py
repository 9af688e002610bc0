"""Markdown headings: levels, sections, collapsed state in cell metadata as JupyterLab keeps it."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from tnb.notebook.model import Cell, Notebook

# What JupyterLab 4 writes in a collapsed heading cell's metadata (and deletes on expanding).
COLLAPSED_KEY = "jp-MarkdownHeadingCollapsed"
# What the classic notebook's collapsible_headings extension wrote; still honoured when read.
CLASSIC_COLLAPSED_KEY = "heading_collapsed"

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Heading:
    """A heading found in a markdown cell."""

    level: int  # 1 (#) to 6 (######)
    text: str


def headings(source: str) -> list[Heading]:
    """Every heading of a markdown source, in order (ATX, setext and HTML ``<hN>``).

    Lines in fenced code are not headings.
    """
    found: list[Heading] = []
    fence = ""
    lines = source.split("\n")
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence:
            if (
                opened
                and opened.group(1).startswith(fence[0])
                and len(opened.group(1)) >= len(fence)
            ):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        atx = _ATX.match(line)
        if atx:
            found.append(Heading(len(atx.group(1)), (atx.group(2) or "").strip()))
            continue
        below = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and _SETEXT.match(below) and not line.startswith((" " * 4, "\t")):
            found.append(Heading(1 if below.strip().startswith("=") else 2, line.strip()))
            continue
        for html in _HTML.finditer(line):
            found.append(Heading(int(html.group(1)), _TAGS.sub("", html.group(2)).strip()))
    return found


_LEVELS: weakref.WeakKeyDictionary[Cell, tuple[str, int | None]] = weakref.WeakKeyDictionary()


def heading_level(cell: Cell) -> int | None:
    """The level of a markdown cell's highest heading (JupyterLab's rule), or None."""
    if cell.cell_type != "markdown":
        return None
    # Asked for every cell on every layout: remembered until the source changes.
    known = _LEVELS.get(cell)
    if known is not None and known[0] is cell.source:
        return known[1]
    found = headings(cell.source)
    level = min(h.level for h in found) if found else None
    _LEVELS[cell] = (cell.source, level)
    return level


def is_collapsed(cell: Cell) -> bool:
    """Whether this heading cell is collapsed in its metadata."""
    meta = cell.metadata
    return meta.get(COLLAPSED_KEY) is True or meta.get(CLASSIC_COLLAPSED_KEY) is True


def set_collapsed(notebook: Notebook, cell: Cell, collapsed: bool) -> bool:
    """Collapse or expand a heading cell as JupyterLab records it; True if anything changed.

    Collapsing writes ``jp-MarkdownHeadingCollapsed: true``; expanding deletes it (and the
    classic notebook's ``heading_collapsed``), so a notebook expanded again is unchanged.
    """
    if is_collapsed(cell) == collapsed or heading_level(cell) is None:
        return False
    if collapsed:
        cell.metadata[COLLAPSED_KEY] = True
    else:
        cell.metadata.pop(COLLAPSED_KEY, None)
        if cell.metadata.get(CLASSIC_COLLAPSED_KEY) is True:
            del cell.metadata[CLASSIC_COLLAPSED_KEY]
    notebook.dirty = True
    return True


def section_end(cells: list[Cell], index: int) -> int:
    """The index after the last cell of the section that heading cell ``index`` starts."""
    level = heading_level(cells[index])
    if level is None:
        return index + 1
    end = index + 1
    while end < len(cells):
        other = heading_level(cells[end])
        if other is not None and other <= level:
            break
        end += 1
    return end


def hidden_cells(cells: list[Cell]) -> list[bool]:
    """For each cell, whether a collapsed heading above it hides it."""
    hidden = [False] * len(cells)
    levels = [heading_level(cell) for cell in cells]
    collapsed_at: int | None = None  # level of the collapsed heading whose section we are in
    for index, cell in enumerate(cells):
        level = levels[index]
        if collapsed_at is not None:
            if level is not None and level <= collapsed_at:
                collapsed_at = None
            else:
                hidden[index] = True
                continue
        if level is not None and is_collapsed(cell):
            collapsed_at = level
    return hidden


def owning_headings(cells: list[Cell], index: int) -> list[int]:
    """The heading cells whose sections hold cell ``index``, innermost first."""
    owners: list[int] = []
    level = heading_level(cells[index]) or 7
    for above in range(index - 1, -1, -1):
        other = heading_level(cells[above])
        if other is not None and other < level:
            owners.append(above)
            level = other
            if level == 1:
                break
    return owners
