"""Cut a huge text to the lines a viewer shows (head or tail) without copying the whole of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TextWindow:
    """The part of a text to draw, and how much of it is hidden."""

    shown: str
    total_lines: int
    hidden_lines: int  # whole or partial lines left out
    cut_chars: bool  # True when the character cap cut inside the shown lines


def line_count(text: str) -> int:
    """Lines in ``text``; a final newline does not start another line."""
    end = len(text) - 1 if text.endswith("\n") else len(text)
    return text.count("\n", 0, end) + 1 if end > 0 else 0


def text_window(
    text: str, max_lines: int | None, *, keep: Literal["head", "tail"], max_chars: int | None = None
) -> TextWindow:
    """The first or last ``max_lines`` lines of ``text``, at most ``max_chars`` characters of them.

    Only the kept part is copied: for a 100 MB output this searches from one end and slices a
    small piece, so memory stays proportional to what is shown, not to the output.
    """
    end = len(text) - 1 if text.endswith("\n") else len(text)
    total = text.count("\n", 0, end) + 1 if end > 0 else 0
    start, stop = 0, end
    if max_lines is not None and total > max_lines:
        if keep == "tail":
            pos = end
            for _ in range(max_lines):
                pos = text.rfind("\n", 0, pos)
            start = pos + 1
        else:
            pos = -1
            for _ in range(max_lines):
                pos = text.find("\n", pos + 1, end)
            stop = pos
    cut_chars = max_chars is not None and stop - start > max_chars
    if cut_chars and max_chars is not None:
        if keep == "tail":
            start = stop - max_chars
        else:
            stop = start + max_chars
    shown = text[start:stop]
    shown_lines = shown.count("\n") + 1 if shown else 0
    return TextWindow(shown, total, max(0, total - shown_lines), cut_chars)
