"""Cost of the terminal guard on each drawn line and of the sanitiser per output line."""

from __future__ import annotations

import timeit

from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from rich.text import Text
from textual.color import Color
from textual.filter import ANSIToTruecolor

from tests.fixtures.hostile import ALL
from tnb.session.sanitize import sanitize
from tnb.ui.terminal_guard import TerminalGuard

BLACK = Color(0, 0, 0)
STYLES = [Style(color="red"), Style(bold=True), None, Style(color="color(4)"), Style(italic=True)]
WORDS = "for index, value in enumerate(values): total += value * weights[index]"


def _line(extra: str = "") -> list[Segment]:
    words = (WORDS + extra).split(" ")
    return [Segment(word + " ", STYLES[i % len(STYLES)]) for i, word in enumerate(words)]


def _per_line_us(fn: object, number: int) -> float:
    best = min(timeit.repeat(fn, number=number, repeat=5))  # type: ignore[arg-type]
    return best / number * 1e6


def main() -> None:
    guard = TerminalGuard()
    truecolor = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    clean = _line()
    dirty = _line(" " + ALL)
    n = 20_000
    guard_clean = _per_line_us(lambda: guard.apply(clean, BLACK), n)
    guard_dirty = _per_line_us(lambda: guard.apply(dirty, BLACK), n // 10)
    textual = _per_line_us(lambda: truecolor.apply(clean, BLACK), n)
    print("guard on one drawn line (12 segments), against Textual's own ANSIToTruecolor filter")
    print(f"  Textual's filter        {textual:7.2f} µs/line")
    print(f"  guard, clean line       {guard_clean:7.2f} µs/line  ({guard_clean / textual:.2f}×)")
    print(f"  guard, hostile line     {guard_dirty:7.2f} µs/line  ({guard_dirty / textual:.2f}×)")

    plain_text = "\x1b[31mError\x1b[0m: value out of range in column 7 of the input table\n"
    hostile_text = plain_text + ALL
    from_ansi = _per_line_us(lambda: Text.from_ansi(plain_text), n)
    clean_cost = _per_line_us(lambda: sanitize(plain_text), n)
    dirty_cost = _per_line_us(lambda: sanitize(hostile_text), n // 10)
    print("sanitiser on one output line, against Rich's Text.from_ansi of the same line")
    print(f"  Text.from_ansi          {from_ansi:7.2f} µs/line")
    print(f"  sanitize, coloured line {clean_cost:7.2f} µs/line  ({clean_cost / from_ansi:.2f}×)")
    print(f"  sanitize, hostile line  {dirty_cost:7.2f} µs/line  ({dirty_cost / from_ansi:.2f}×)")


if __name__ == "__main__":
    main()
