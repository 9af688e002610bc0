"""Boxes of text lines with a baseline: how display math is laid out in a terminal grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Box:
    """Lines of equal cell width; ``baseline`` is the row that lines up with the text around it."""

    lines: tuple[str, ...]
    baseline: int = 0

    @property
    def width(self) -> int:
        """Cells per line."""
        return cell_len(self.lines[0]) if self.lines else 0

    @property
    def height(self) -> int:
        """Rows."""
        return len(self.lines)

    @property
    def ascent(self) -> int:
        """Rows above the baseline."""
        return self.baseline

    @property
    def descent(self) -> int:
        """Rows below the baseline."""
        return self.height - 1 - self.baseline

    @property
    def flat(self) -> str | None:
        """The one line of a one-line box, else None."""
        return self.lines[0] if len(self.lines) == 1 else None


def text(value: str) -> Box:
    """A one-line box."""
    return Box((value,), 0)


EMPTY = text("")


def pad(line: str, width: int, align: Align = "left") -> str:
    """``line`` padded with spaces to ``width`` cells."""
    gap = max(0, width - cell_len(line))
    if align == "right":
        return " " * gap + line
    if align == "center":
        left = gap // 2
        return " " * left + line + " " * (gap - left)
    return line + " " * gap


def box(lines: Sequence[str], baseline: int = 0, align: Align = "left") -> Box:
    """A box from lines of any width (padded to the widest)."""
    width = max((cell_len(line) for line in lines), default=0)
    return Box(tuple(pad(line, width, align) for line in lines) or ("",), baseline)


def hcat(boxes: Sequence[Box]) -> Box:
    """Boxes side by side, their baselines on one row."""
    boxes = [b for b in boxes if b.width or b.height > 1]
    if not boxes:
        return EMPTY
    if len(boxes) == 1:
        return boxes[0]
    ascent = max(b.ascent for b in boxes)
    descent = max(b.descent for b in boxes)
    rows = [""] * (ascent + descent + 1)
    for b in boxes:
        blank = " " * b.width
        top = ascent - b.ascent
        for row in range(len(rows)):
            inside = top <= row < top + b.height
            rows[row] += b.lines[row - top] if inside else blank
    return Box(tuple(rows), ascent)


def vstack(boxes: Sequence[Box], baseline_of: int, align: Align = "center") -> Box:
    """Boxes one above the other; the result's baseline is that of box ``baseline_of``."""
    width = max(b.width for b in boxes)
    lines: list[str] = []
    baseline = 0
    for index, b in enumerate(boxes):
        if index == baseline_of:
            baseline = len(lines) + b.baseline
        lines.extend(pad(line, width, align) for line in b.lines)
    return Box(tuple(lines), baseline)


def fraction(numerator: Box, denominator: Box) -> Box:
    """A stacked fraction: the bar is the baseline."""
    width = max(numerator.width, denominator.width) + 2
    bar = text("─" * width)
    return vstack([numerator, bar, denominator], baseline_of=1)


def stack(top: Box, bottom: Box) -> Box:
    """``top`` over ``bottom`` without a bar (binomials), centred on the gap."""
    lines = [*top.lines, *bottom.lines]
    return box(lines, baseline=top.height - 1 if top.height > 1 else 0, align="center")


def limits(base: Box, over: Box | None, under: Box | None) -> Box:
    """Limits above and below a big operator, as display-style sums and lims draw them."""
    parts = [b for b in (over, base, under) if b is not None]
    return vstack(parts, baseline_of=1 if over is not None else 0)


def scripts(base: Box, sup: Box | None, sub: Box | None) -> Box:
    """A superscript raised beside ``base`` and a subscript lowered beside it."""
    sup_bottom = -1 if base.ascent == 0 else 0  # rows relative to base's top
    sub_top = base.height if base.descent == 0 else base.height - 1
    top = min(0, sup_bottom - (sup.height - 1)) if sup is not None else 0
    bottom = max(base.height - 1, sub_top + sub.height - 1) if sub is not None else base.height - 1
    height = bottom - top + 1
    base_width = base.width
    script_width = max(sup.width if sup else 0, sub.width if sub else 0)
    rows = [" " * (base_width + script_width)] * height

    def put(b: Box, row0: int, column: int, width: int) -> None:
        for i, line in enumerate(b.lines):
            row = row0 - top + i
            rows[row] = _overlay(rows[row], line, column, width)

    put(base, 0, 0, base_width)
    if sup is not None:
        put(sup, sup_bottom - (sup.height - 1), base_width, script_width)
    if sub is not None:
        put(sub, sub_top, base_width, script_width)
    return Box(tuple(rows), base.baseline - top)


def _overlay(row: str, piece: str, column: int, width: int) -> str:
    """``row`` with cells ``column .. column+width`` replaced by ``piece`` (padded)."""
    head = _cut(row, column)
    tail = _cut_from(row, column + width)
    return head + pad(piece, width) + tail


def _cut(line: str, cells: int) -> str:
    """The first ``cells`` cells of ``line``."""
    out, used = [], 0
    for char in line:
        size = cell_len(char)
        if used + size > cells:
            break
        out.append(char)
        used += size
    return "".join(out)


def _cut_from(line: str, cells: int) -> str:
    """``line`` without its first ``cells`` cells."""
    used = 0
    for index, char in enumerate(line):
        if used >= cells and cell_len(char) > 0:
            return line[index:]
        used += cell_len(char)
    return ""


def over_under(body: Box, mark: str, *, below: bool = False) -> Box:
    """A mark line (overline, arrow, brace) drawn over or under ``body``."""
    line = text(mark)
    if below:
        return vstack([body, line], baseline_of=0)
    return vstack([line, body], baseline_of=1)


# Tall delimiters drawn from pieces: (top, middle, bottom, filler) for three or more rows and
# (top, bottom) for two.
_TALL: dict[str, tuple[str, str, str, str]] = {
    "(": ("⎛", "⎜", "⎝", "⎜"),
    ")": ("⎞", "⎟", "⎠", "⎟"),
    "[": ("⎡", "⎢", "⎣", "⎢"),
    "]": ("⎤", "⎥", "⎦", "⎥"),
    "{": ("⎧", "⎨", "⎩", "⎪"),
    "}": ("⎫", "⎬", "⎭", "⎪"),
    "⌈": ("⎡", "⎢", "⎢", "⎢"),
    "⌉": ("⎤", "⎥", "⎥", "⎥"),
    "⌊": ("⎢", "⎢", "⎣", "⎢"),
    "⌋": ("⎥", "⎥", "⎦", "⎥"),
    "|": ("│", "│", "│", "│"),
    "‖": ("‖", "‖", "‖", "‖"),
}
_TWO_ROWS = {"(": "⎛⎝", ")": "⎞⎠", "{": "⎰⎱", "}": "⎱⎰", "[": "⎡⎣", "]": "⎤⎦"}


def delimiter(char: str, height: int, baseline: int) -> Box:
    """``char`` (a bracket, brace or bar) stretched to ``height`` rows."""
    if not char:
        return Box(("",) * height, baseline)
    if height <= 1:
        return Box((char,), 0)
    if char in ("⟨", "⟩"):
        half = height // 2
        up, down = ("╱", "╲") if char == "⟨" else ("╲", "╱")
        rows = [up] * half + ([char] if height % 2 else []) + [down] * half
        return Box(tuple(rows), baseline)
    if height == 2 and char in _TWO_ROWS:
        pair = _TWO_ROWS[char]
        return Box((pair[0], pair[1]), baseline)
    top, middle, bottom, filler = _TALL.get(char, (char, char, char, char))
    rows = [filler] * height
    rows[0], rows[-1] = top, bottom
    if middle != filler:
        rows[height // 2] = middle
    return Box(tuple(rows), baseline)


def fenced(body: Box, left: str, right: str) -> Box:
    """``body`` between delimiters as tall as it is."""
    return hcat(
        [
            delimiter(left, body.height, body.baseline),
            body,
            delimiter(right, body.height, body.baseline),
        ]
    )


def radical(body: Box, index: str = "") -> Box:
    """A square (or ``index``-th) root drawn over ``body``."""
    if body.height == 1:
        sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(index, index + "√")
        if body.width <= 1:
            return text(sign + body.lines[0])
        over = " " * cell_len(sign) + "─" * body.width
        return Box((over, sign + body.lines[0]), 1)
    height = body.height
    rows = [" " * (height + 1) + "─" * body.width]
    for i, line in enumerate(body.lines):
        slash = " " * (height - i) + "╱" + " " * i
        if i == height - 1:
            slash = "╲╱" + " " * (height - 1)
        rows.append(slash + line)
    if index:
        rows[0] = pad(index, height + 1) + rows[0][height + 1 :]
    return Box(tuple(rows), body.baseline + 1)


def grid(
    rows: Sequence[Sequence[Box]],
    aligns: Sequence[Align],
    gaps: Sequence[int],
) -> Box:
    """Cells in rows and columns; ``gaps[i]`` spaces go before column ``i + 1``.

    Rows are separated by a blank line when any cell is taller than one line. The baseline is
    the middle row, so a matrix sits centred on the text around it.
    """
    columns = max((len(row) for row in rows), default=0)
    if not columns:
        return EMPTY
    widths = [
        max((row[c].width for row in rows if c < len(row)), default=0) for c in range(columns)
    ]
    tall = any(cell.height > 1 for row in rows for cell in row)
    lines: list[str] = []
    for index, row in enumerate(rows):
        cells: list[Box] = []
        for c in range(columns):
            cell = row[c] if c < len(row) else EMPTY
            align = aligns[c] if c < len(aligns) else "center"
            gap = gaps[c - 1] if 0 < c <= len(gaps) else (2 if c else 0)
            padded = Box(tuple(pad(line, widths[c], align) for line in cell.lines), cell.baseline)
            cells.append(hcat([text(" " * gap), padded]) if gap else padded)
        if index and tall:
            lines.append("")
        lines.extend(hcat(cells).lines)
    width = max(cell_len(line) for line in lines)
    lines = [pad(line, width) for line in lines]
    return Box(tuple(lines), (len(lines) - 1) // 2)
