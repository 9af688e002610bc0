"""Find and replace in cell sources: plain text or regex, case, whole words."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tnb.notebook.model import Cell


class SearchError(ValueError):
    """The search term is not a valid regular expression (the message says why)."""


@dataclass(frozen=True)
class SearchOptions:
    """What to look for and how."""

    term: str
    case_sensitive: bool = False
    whole_word: bool = False
    regex: bool = False

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled search, or None for an empty term.

        Raises:
            SearchError: the regular expression does not compile.
        """
        if not self.term:
            return None
        body = self.term if self.regex else re.escape(self.term)
        if self.whole_word:
            body = rf"\b(?:{body})\b"
        try:
            return re.compile(body, 0 if self.case_sensitive else re.IGNORECASE)
        except re.error as error:
            raise SearchError(f"not a valid regular expression: {error}") from error


@dataclass(frozen=True)
class SourceMatch:
    """One match in a cell's source: character offsets ``start`` to ``end``."""

    cell: int
    start: int
    end: int


def source_matches(cells: Sequence[Cell], pattern: re.Pattern[str]) -> list[SourceMatch]:
    """Every match in every source, in notebook order (empty matches are skipped)."""
    return [
        SourceMatch(index, match.start(), match.end())
        for index, cell in enumerate(cells)
        for match in pattern.finditer(cell.source)
        if match.end() > match.start()
    ]


def matching_cells(
    cells: Sequence[Cell], pattern: re.Pattern[str], output_text: Callable[[Cell], str] | None
) -> list[int]:
    """Indices of the cells whose source (or, given ``output_text``, outputs) match."""
    found: list[int] = []
    for index, cell in enumerate(cells):
        if pattern.search(cell.source) or (
            output_text is not None and cell.outputs and pattern.search(output_text(cell))
        ):
            found.append(index)
    return found


def expand(pattern: re.Pattern[str], matched: re.Match[str], replacement: str, regex: bool) -> str:
    """The text that replaces one match: with ``regex``, ``\\1`` and ``\\g<name>`` refer to
    groups; otherwise the replacement is taken literally."""
    if not regex:
        return replacement
    try:
        return matched.expand(replacement)
    except (re.error, IndexError) as error:
        raise SearchError(f"bad replacement: {error}") from error


def replace_in(
    source: str,
    pattern: re.Pattern[str],
    replacement: str,
    *,
    regex: bool,
    start: int | None = None,
) -> tuple[str, int]:
    """``source`` with every match replaced (or only the one at offset ``start``), and the count."""
    if start is not None:
        matched = pattern.match(source, start)
        if matched is None or matched.end() == matched.start():
            return source, 0
        text = expand(pattern, matched, replacement, regex)
        return source[: matched.start()] + text + source[matched.end() :], 1
    count = 0

    def one(matched: re.Match[str]) -> str:
        nonlocal count
        if matched.end() == matched.start():
            return matched.group(0)
        count += 1
        return expand(pattern, matched, replacement, regex)

    return pattern.sub(one, source), count
