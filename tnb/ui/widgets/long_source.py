"""Sources too long to lay out at once (a 50 MB line): rows drawn when they reach the screen."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import overload

from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from textual.strip import Strip

from tnb.ui.highlight import lexer_for

# Longer sources are cut into rows by arithmetic and drawn a row at a time: laying a 500 kB
# line out with Rich takes 12 s (it wraps the whole text), a row of it well under 1 ms.
LONG_SOURCE_CHARS = 100_000
_KEPT_ROWS = 512


class LongSourceRows(Sequence[Strip]):
    """The strips of a cell whose source is long: its rows made on demand, then ``tail``.

    Each source line takes ``ceil(len / body)`` rows, so the height is known without drawing;
    a row is a slice of the source, highlighted on its own (a long line's colours are those
    of its pieces: close enough, and the cost of a row stays that of a row).
    """

    def __init__(
        self,
        source: str,
        *,
        body: int,
        language: str,
        theme: str,
        code: Style,
        frame: Callable[[int, list[Segment]], Strip],
        tail: list[Strip],
    ) -> None:
        self.source = source
        self.body = body
        self.frame = frame
        self.tail = tail
        self._lexer = lexer_for(language)
        self._theme = Syntax.get_theme(theme)
        self._code = code
        # Line starts and the first row of each line, found without splitting the source.
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._first_rows: list[int] = []
        rows, position = 0, 0
        while True:
            self._starts.append(position)
            self._first_rows.append(rows)
            end = source.find("\n", position)
            end = len(source) if end < 0 else end
            self._ends.append(end)
            rows += max(1, -(-(end - position) // body))
            if end == len(source):
                break
            position = end + 1
        self.source_rows = rows
        self._made: OrderedDict[int, Strip] = OrderedDict()

    def __len__(self) -> int:
        return self.source_rows + len(self.tail)

    @overload
    def __getitem__(self, index: int) -> Strip: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Strip]: ...

    def __getitem__(self, index: int | slice) -> Strip | Sequence[Strip]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index >= self.source_rows:
            return self.tail[index - self.source_rows]
        made = self._made.get(index)
        if made is None:
            made = self._row(index)
            self._made[index] = made
            if len(self._made) > _KEPT_ROWS:
                self._made.popitem(last=False)
        return made

    def _row(self, row: int) -> Strip:
        line = bisect_right(self._first_rows, row) - 1
        start = self._starts[line] + (row - self._first_rows[line]) * self.body
        line_end = self._ends[line]
        piece = self.source[start : min(line_end, start + self.body)].expandtabs(4)
        segments: list[Segment] = []
        for token_type, value in self._lexer.get_tokens(piece) if piece else ():
            value = value.replace("\n", "")
            if value:
                colour = self._theme.get_style_for_token(token_type)
                segments.append(Segment(value, self._code + colour))
        width = sum(s.cell_length for s in segments)
        if width < self.body:
            segments.append(Segment(" " * (self.body - width), self._code))
        return self.frame(row, list(Strip(segments).crop(0, self.body)))
