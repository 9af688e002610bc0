"""The virtualized notebook: every cell drawn from cached Strips through Textual's Line API."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tnb.notebook.headings import hidden_cells
from tnb.notebook.model import Cell, Notebook
from tnb.notebook.scrolled import scrolled_setting
from tnb.session.widgets import WidgetModel
from tnb.ui.widgets.cell_lines import (
    BAR_WIDTH,
    PROMPT_WIDTH,
    CellStyles,
    OutputWindow,
    RenderedCell,
    auto_scroll_threshold,
    body_width,
    cell_key,
    estimate_height,
    markdown_theme,
    render_cell,
)

# Rendered cells kept in memory: a few screens' worth; the rest are drawn again when reached.
MAX_RENDERED = 300
# Lines of a scrolled output region (JupyterLab's scrolled outputs), fewer on a small screen.
SCROLLED_OUTPUT_LINES = 20


@lru_cache(maxsize=8)
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(re.escape(term), re.IGNORECASE)


class NotebookView(ScrollView, can_focus=True):
    """All cells of a notebook; only cells that reach the screen are ever rendered.

    Heights of cells not yet drawn are estimated; a cell's real height replaces its estimate the
    first time it is drawn, so a 1000-cell notebook costs what its first screen costs.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "notebook-view--code",
        "notebook-view--prompt",
        "notebook-view--raw",
        "notebook-view--muted",
        "notebook-view--cursor",
        "notebook-view--editing",
        "notebook-view--selected",
        "notebook-view--match",
        "notebook-view--md-code",
        "notebook-view--md-heading",
        "notebook-view--md-accent",
        "notebook-view--md-link",
    }

    @dataclass
    class CursorMoved(Message):
        """The cursor or the selection changed."""

        view: NotebookView
        index: int

    @dataclass
    class CellClicked(Message):
        """A cell was clicked (``chain`` 2 for a double click)."""

        view: NotebookView
        index: int
        chain: int
        on_output: bool = False  # the click landed on the cell's outputs

    @dataclass
    class Scrolled(Message):
        """The view scrolled: an editor drawn over it must follow."""

        view: NotebookView

    @dataclass
    class Painted(Message):
        """The first line of a cell reached the screen (start-up timing hook)."""

        view: NotebookView

    def __init__(
        self,
        notebook: Notebook,
        *,
        language: str = "python",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.notebook = notebook
        self.language = language
        self.cursor = 0
        self.selection_anchor = 0
        self.editing_lines: int | None = None
        self.line_numbers = False
        self.find_term = ""
        self.find_pattern: re.Pattern[str] | None = None  # find and replace: marks its matches
        self.hidden_outputs: set[int] = set()
        # The prompt of a cell that waits or runs ("*", "12s"), asked of the kernel session
        # (the one record of it) on every draw; None for the rest.
        self.run_mark: Callable[[Cell], str | None] = lambda cell: None
        # The kernel's widget models (the session's, by reference): widget outputs show live.
        self.widgets: Mapping[str, WidgetModel] | None = None
        self.breakpoints: dict[int, set[int]] = {}  # id(cell) -> its breakpoints' lines
        self.stopped_at: tuple[int, int] | None = None  # (id(cell), line) the debugger holds
        self._cache: OrderedDict[int, RenderedCell] = OrderedDict()  # least recently drawn first
        self._versions: dict[int, int] = {}
        self._estimates: dict[int, tuple[str, int, int, int]] = {}
        # Cells changed since they were measured (outputs of a run, often off screen).
        self._stale: set[int] = set()
        self._by_id: dict[int, Cell] = {}
        self._by_id_count = -1
        self._by_id_cells: list[Cell] | None = None
        self._heights: list[int] = []
        self._tops: list[int] = [0]
        self._styles: CellStyles | None = None
        self._layout_width = 0
        self._generation = 0  # bumped whenever cell positions change
        self.first_paint_done = False
        self._follow_y: int | None = None  # where follow_output scrolls after the refresh
        self._followed = (-1, -1)  # (cell, scroll y) where follow_output last left the view
        self._hidden: list[bool] = []  # cells hidden under collapsed headings
        self._hidden_below: dict[int, int] = {}  # collapsed heading cell -> cells it hides
        self.output_offsets: dict[int, int] = {}  # scrolled region's first line, per cell
        # Where the cursor cell was on screen at the last paint: (cell, row, scroll y). When
        # the layout changes under an unchanged scroll, the view moves to keep it there.
        # (cell, row, scroll y, layout generation, whole on screen)
        self._anchor: tuple[int, int, int, int, bool] | None = None

    # ----------------------------------------------------------------- public API

    @property
    def cells(self) -> list[Cell]:
        """The notebook's cells (the model's own list)."""
        return self.notebook.cells

    @property
    def selection(self) -> list[int]:
        """Indices of the selected cells, in order (always includes the cursor)."""
        if not self.cells:
            return []
        low, high = sorted((self.selection_anchor, self.cursor))
        return list(range(low, high + 1))

    @property
    def rendered_count(self) -> int:
        """How many cells have been rendered so far (the rest are estimates)."""
        return len(self._cache)

    def move_cursor(self, index: int, *, extend: bool = False, scroll: bool = True) -> None:
        """Put the cursor on cell ``index`` (clamped); ``extend`` keeps the selection anchor."""
        index = max(0, min(index, len(self.cells) - 1))
        before = set(self.selection)
        self.cursor = index
        if not extend:
            self.selection_anchor = index
        if scroll:
            self.scroll_to_cell(index)
        # Only the cursor bar of the cells whose state changed needs drawing again.
        self._refresh_bars(before ^ set(self.selection) | {index})
        self.post_message(self.CursorMoved(self, index))

    def _refresh_bars(self, indices: set[int]) -> None:
        if self.editing_lines is not None or not self._heights:
            self.refresh()
            return
        y = self.scroll_offset.y
        for index in indices:
            if 0 <= index < len(self._heights):
                self.refresh(Region(0, self._tops[index] - y, BAR_WIDTH, self._heights[index]))

    def select(self, indices: list[int]) -> None:
        """Select a contiguous run of cells, the cursor on its last one."""
        if indices:
            self.selection_anchor, self.cursor = min(indices), max(indices)
            self.move_cursor(self.cursor, extend=True)

    def cells_changed(self) -> None:
        """Cells were inserted, deleted, moved or edited: lay the view out again."""
        self._by_id_count = -1
        live = {id(cell) for cell in self.cells}
        for key in [k for k in self._cache if k not in live]:
            del self._cache[key]
        for key in [k for k in self._estimates if k not in live]:
            del self._estimates[key]
        self.hidden_outputs &= live
        self.output_offsets = {k: v for k, v in self.output_offsets.items() if k in live}
        self.cursor = max(0, min(self.cursor, len(self.cells) - 1))
        self.selection_anchor = max(0, min(self.selection_anchor, len(self.cells) - 1))
        self._layout()
        self.refresh()

    def refresh_cell(self, cell: Cell) -> None:
        """Redraw one cell whose outputs or source changed in place.

        Cheap enough to call per output message: the cell is drawn again only if it is on
        screen (its new height is patched in then), never the whole layout.
        """
        self._versions[id(cell)] = self._versions.get(id(cell), 0) + 1
        self._stale.add(id(cell))
        self.refresh()

    def follow_output(self, index: int) -> None:
        """Cell ``index`` has new output: if its end was on screen, keep it there.

        As a terminal follows what a command prints. Following goes on while the view stays
        where it last put it; a user who scrolls away (or a cell whose end was below the
        screen already) is left alone.
        """
        if not (0 <= index < len(self.cells)) or len(self._heights) != len(self.cells):
            return
        top, before = self._tops[index], self._heights[index]
        view_height = max(1, self.scrollable_content_region.height)
        pending = self._follow_y
        y = self.scroll_offset.y if pending is None else pending
        following = pending is not None or self._followed == (index, y)
        # The whole height: a scrollbar that appears for a moment (the vertical one makes
        # the lines too wide until they are wrapped again) must not end the following.
        if not following and top + before > y + max(view_height, self.size.height):
            return
        self._ensure_rendered(index, index)
        target = self._tops[index] + self._heights[index] - view_height
        if target > y:
            # After the refresh: the first overflow also adds the scrollbar, and until it
            # exists Textual ignores scrolling.
            self._follow_y = target
            self._followed = (index, -1)
            if pending is None:
                self.call_after_refresh(self._apply_follow, index)

    def _apply_follow(self, index: int) -> None:
        y, self._follow_y = self._follow_y, None
        if y is not None and y > self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, immediate=True)
            self.post_message(self.Scrolled(self))
        self._followed = (index, self.scroll_offset.y)

    def runs_changed(self, cells: list[Cell]) -> None:
        """These cells were queued, started, ended or dropped: draw their prompts anew."""
        for cell in cells:
            if self.run_mark(cell) is not None:
                self.output_offsets.pop(id(cell), None)  # a new run follows its output again
            elif id(cell) not in self.output_offsets:
                # A scrolled region followed the end while the cell ran: it stays there.
                self.output_offsets[id(cell)] = len(cell.outputs) and 1 << 30
            self.refresh_cell(cell)

    def refresh_all(self) -> None:
        """Drop every cached cell (theme or options changed)."""
        self._cache.clear()
        self._styles = None
        self._layout()
        self.refresh()

    def cell_top(self, index: int) -> int:
        """The virtual line where cell ``index`` starts."""
        if not self._heights:
            self._layout()
        return self._tops[max(0, min(index, len(self._heights)))]

    def cell_height(self, index: int) -> int:
        """Lines cell ``index`` takes (its estimate until drawn)."""
        return self._heights[index] if 0 <= index < len(self._heights) else 0

    def cell_at(self, line: int) -> int:
        """The index of the cell at virtual line ``line`` (clamped)."""
        return max(0, min(bisect_right(self._tops, line) - 1, len(self.cells) - 1))

    def is_hidden(self, index: int) -> bool:
        """Whether cell ``index`` is hidden under a collapsed heading."""
        if len(self._hidden) != len(self.cells):
            self._layout()
        return 0 <= index < len(self._hidden) and self._hidden[index]

    def visible_neighbour(self, index: int, step: int) -> int:
        """The next cell from ``index`` in direction ``step`` that is not hidden (or ``index``)."""
        probe = index + step
        while 0 <= probe < len(self.cells):
            if not self.is_hidden(probe):
                return probe
            probe += step
        return index

    def output_region(self, index: int) -> tuple[int, int, int, int] | None:
        """Cell ``index``'s scrolled output region: (first strip, lines shown, offset, total)."""
        if not 0 <= index < len(self.cells):
            return None
        rendered = self._cache.get(id(self.cells[index]))
        if rendered is None or not rendered.output_height:
            return None
        return (
            rendered.output_top,
            rendered.output_height,
            rendered.output_offset,
            rendered.output_lines,
        )

    def scroll_output(self, index: int, delta: int) -> bool:
        """Scroll the output region of cell ``index`` by ``delta`` lines; False if it has none."""
        self._ensure_rendered(index, index)
        region = self.output_region(index)
        if region is None:
            return False
        _top, height, offset, total = region
        wanted = max(0, min(offset + delta, total - height))
        if wanted == offset:
            return True
        self.output_offsets[id(self.cells[index])] = wanted
        self.refresh()
        return True

    def output_window_lines(self) -> int:
        """Lines of a scrolled output region at the current screen height."""
        view_height = self.scrollable_content_region.height or self.size.height or 40
        return min(SCROLLED_OUTPUT_LINES, max(5, view_height // 2))

    def outputs_scroll_by_default(self, index: int) -> bool:
        """Whether cell ``index``'s outputs are long enough to scroll without being told."""
        self._ensure_rendered(index, index)
        rendered = self._cache.get(id(self.cells[index]))
        total = rendered.output_lines if rendered is not None else 0
        return total > auto_scroll_threshold(self.output_window_lines())

    def scroll_to_cell(self, index: int) -> None:
        """Scroll the least needed for cell ``index`` (its top first) to be on screen."""
        if not self.cells:
            return
        self._ensure_rendered(index, index)
        top = self._tops[index]
        height = self._heights[index]
        view_height = max(1, self.scrollable_content_region.height)
        y = self.scroll_offset.y
        if top < y:
            y = top
        elif top + height > y + view_height:
            y = min(top, top + height - view_height)
        if y != self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, immediate=True)
            self.post_message(self.Scrolled(self))

    def set_editing(self, lines: int | None) -> None:
        """Reserve ``lines`` blank source lines in the cursor cell for the editor (None ends)."""
        if lines != self.editing_lines:
            self.editing_lines = lines
            self._layout()
            self.refresh()

    def source_region(self, index: int) -> Region:
        """Where cell ``index``'s source is drawn, relative to the view's visible top-left."""
        self._ensure_rendered(index, index)
        rendered = self._cache.get(id(self.cells[index]))
        top = self._tops[index] - self.scroll_offset.y
        height = rendered.source_height if rendered else 1
        width = self._layout_width or self._content_width()
        return Region(BAR_WIDTH + PROMPT_WIDTH, top, body_width(width), height)

    # ----------------------------------------------------------------- layout

    def _cell_styles(self) -> CellStyles:
        if self._styles is None:
            self._styles = CellStyles(
                # Not partial: translucent theme colours ($boost) must be blended to a real one.
                code=self.get_component_rich_style("notebook-view--code", partial=False),
                prompt=self.get_component_rich_style("notebook-view--prompt", partial=True),
                raw=self.get_component_rich_style("notebook-view--raw", partial=True),
                muted=self.get_component_rich_style("notebook-view--muted", partial=True),
                dark=self.app.current_theme.dark,
                theme=self.app.theme,
                markdown=markdown_theme(
                    code=self.get_component_rich_style("notebook-view--md-code", partial=False),
                    heading=self.get_component_rich_style(
                        "notebook-view--md-heading", partial=True
                    ),
                    accent=self.get_component_rich_style("notebook-view--md-accent", partial=True),
                    link=self.get_component_rich_style("notebook-view--md-link", partial=True),
                ),
            )
        return self._styles

    def _key(self, index: int, width: int) -> tuple[object, ...]:
        cell = self.cells[index]
        return cell_key(
            cell,
            width,
            self._cell_styles(),
            line_numbers=self.line_numbers,
            outputs_hidden=id(cell) in self.hidden_outputs,
            editing_lines=self.editing_lines if index == self.cursor else None,
            version=self._versions.get(id(cell), 0),
            running=self._running_mark(cell),
            hidden_below=self._hidden_below.get(index, 0),
            window=self._window(cell),
            breakpoints=frozenset(self.breakpoints.get(id(cell), ())),
            stopped_line=self._stopped_line(cell),
        )

    def _stopped_line(self, cell: Cell) -> int | None:
        stopped = self.stopped_at
        return stopped[1] if stopped is not None and stopped[0] == id(cell) else None

    def _window(self, cell: Cell) -> OutputWindow | None:
        if cell.cell_type != "code" or not cell.outputs:
            return None
        return OutputWindow(
            scrolled_setting(cell),
            self.output_offsets.get(id(cell)),
            self.output_window_lines(),
            follow_end=self.run_mark(cell) is not None,
        )

    def _running_mark(self, cell: Cell) -> str | None:
        return self.run_mark(cell)

    def _content_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def _layout(self) -> None:
        width = self._content_width()
        self._layout_width = width
        heights: list[int] = []
        estimates = self._estimates
        self._hidden = hidden = hidden_cells(self.cells)
        self._hidden_below = {}
        owner = -1
        for index, is_hidden in enumerate(hidden):
            if is_hidden and owner >= 0:
                self._hidden_below[owner] = self._hidden_below.get(owner, 0) + 1
            elif not is_hidden:
                owner = index
        for index, cell in enumerate(self.cells):
            if hidden[index]:
                heights.append(0)
                continue
            rendered = self._cache.get(id(cell))
            if rendered is not None:
                heights.append(len(rendered.strips))
                continue
            # Estimating splits the source: memoise it, the layout runs on every new cell drawn.
            memo = estimates.get(id(cell))
            if (
                memo is None
                or memo[0] is not cell.source
                or memo[1] != len(cell.outputs)
                or memo[2] != width
            ):
                memo = (cell.source, len(cell.outputs), width, estimate_height(cell, width))
                estimates[id(cell)] = memo
            heights.append(memo[3])
        self._heights = heights
        self._retop()

    def _retop(self) -> None:
        self._tops = [0, *accumulate(self._heights)]
        self._generation += 1
        self.virtual_size = Size(self._layout_width, self._tops[-1])

    def _render_cell(self, index: int, width: int) -> bool:
        """Render cell ``index`` if its cache is stale; True when its height changed."""
        cell = self.cells[index]
        key = self._key(index, width)
        cached = self._cache.get(id(cell))
        if cached is not None and cached.key == key:
            self._cache.move_to_end(id(cell))
            return False
        rendered = render_cell(
            cell,
            language=self.language,
            width=width,
            console=self.app.console,
            styles=self._cell_styles(),
            line_numbers=self.line_numbers,
            outputs_hidden=id(cell) in self.hidden_outputs,
            editing_lines=self.editing_lines if index == self.cursor else None,
            running=self._running_mark(cell),
            key=key,
            hidden_below=self._hidden_below.get(index, 0),
            window=self._window(cell),
            widgets=self.widgets,
            breakpoints=frozenset(self.breakpoints.get(id(cell), ())),
            stopped_line=self._stopped_line(cell),
        )
        self._cache[id(cell)] = rendered
        self._evict(width)
        return len(rendered.strips) != self._heights[index]

    def _evict(self, width: int) -> None:
        """Keep memory bounded: forget the least recently drawn cells beyond MAX_RENDERED.

        Their real heights stay known (as exact estimates) so the layout does not jump.
        """
        while len(self._cache) > MAX_RENDERED:
            cell_id, rendered = self._cache.popitem(last=False)
            cell = self._cells_by_id().get(cell_id)
            if cell is not None:
                self._estimates[cell_id] = (
                    cell.source,
                    len(cell.outputs),
                    width,
                    len(rendered.strips),
                )

    def _cells_by_id(self) -> dict[int, Cell]:
        if self._by_id_count != len(self.cells) or self._by_id_cells is not self.cells:
            self._by_id = {id(cell): cell for cell in self.cells}
            self._by_id_count = len(self.cells)
            self._by_id_cells = self.cells
        return self._by_id

    def _ensure_rendered(self, first: int, last: int) -> None:
        if self._layout_width != self._content_width() or len(self._heights) != len(self.cells):
            self._layout()
        width = self._layout_width
        hidden = self._hidden
        if self._stale:
            self._measure_stale(first, last)
        changed = [
            index
            for index in range(max(0, first), min(last, len(self.cells) - 1) + 1)
            if not hidden[index] and self._render_cell(index, width)
        ]
        if changed:
            # Only these heights moved: patching them beats a full layout (a key press
            # scrolling into new cells would otherwise re-measure all 1000 cells).
            for index in changed:
                self._heights[index] = len(self._cache[id(self.cells[index])].strips)
            self._retop()

    def _measure_stale(self, first: int, last: int) -> None:
        """Cells whose outputs changed out of view get their new heights (estimated), so the
        tops below them are right before anything scrolls there: after a run all, ``G``
        must land on the last cell, not where it was before the outputs came."""
        stale, self._stale = self._stale, set()
        width = self._layout_width
        moved = False
        for index, cell in enumerate(self.cells):
            if id(cell) not in stale or self._hidden[index] or first <= index <= last:
                continue  # unchanged, hidden, or about to be drawn exactly
            cached = self._cache.get(id(cell))
            if cached is not None:
                if cached.key == self._key(index, width):
                    continue
                del self._cache[id(cell)]  # drawn before the change: no longer its height
            memo = (cell.source, len(cell.outputs), width, estimate_height(cell, width))
            self._estimates[id(cell)] = memo
            if self._heights[index] != memo[3]:
                self._heights[index] = memo[3]
                moved = True
        if moved:
            self._retop()

    def _ensure_visible(self, top: int, bottom: int) -> None:
        if not self.cells:
            return
        # Rendering can shrink cells and pull more into view: repeat until the screen is covered.
        for _ in range(8):
            first, last = self.cell_at(top), self.cell_at(bottom)
            before = self._generation
            self._ensure_rendered(first, last)
            if self._generation == before:
                break

    # ----------------------------------------------------------------- drawing

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw cells in view first so their real heights are known before lines are read.

        When cells changed height under an unchanged scroll position (an output replaced,
        cells inserted or deleted above, a new width), the view first moves so that the
        selected cell stays where it was on screen, as a browser's scroll anchoring does.
        """
        if self._stale:
            # Cells changed (a run's outputs): their heights first, so that keeping the
            # anchor sees how far the selected cell moved.
            y = self.scroll_offset.y
            self._ensure_rendered(self.cell_at(y + crop.y), self.cell_at(y + crop.bottom))
        self._keep_anchor()
        y = self.scroll_offset.y
        self._ensure_visible(y + crop.y, y + crop.bottom)
        lines = super().render_lines(crop)
        self._set_anchor()
        return lines

    def _keep_anchor(self) -> None:
        anchor = self._anchor
        if anchor is None or not self.cells or self.editing_lines is not None:
            return
        cell_id, row, scrolled_to, generation, whole = anchor
        if generation == self._generation:
            return  # nothing moved
        y = self.scroll_offset.y
        # Textual clamping the scroll to a shorter view is not the user scrolling away.
        clamped = scrolled_to > y and y == self.max_scroll_y
        if scrolled_to != y and not clamped:
            return  # the user (or the program) scrolled since: that position wins
        index = self.cursor
        if id(self.cells[index]) != cell_id:
            return
        self._ensure_rendered(index, index)
        view_height = max(1, self.scrollable_content_region.height)
        height = max(1, self._heights[index])
        if whole and height <= view_height:
            row = max(0, min(row, view_height - height))  # it was whole on screen: it stays so
        else:
            row = max(min(row, view_height - 1), 1 - height)  # some of it stays on screen
        wanted = max(0, self._tops[index] - row)
        if wanted != y:
            self.scroll_to(y=wanted, animate=False, immediate=True)

    def _set_anchor(self) -> None:
        if not self.cells or not 0 <= self.cursor < len(self._heights):
            self._anchor = None
            return
        y = self.scroll_offset.y
        top, height = self._tops[self.cursor], max(1, self._heights[self.cursor])
        view_height = max(1, self.scrollable_content_region.height)
        if top >= y + view_height or top + height <= y:
            self._anchor = None  # scrolled away from the selected cell: nothing to keep
            return
        whole = y <= top and top + height <= y + view_height
        self._anchor = (id(self.cells[self.cursor]), top - y, y, self._generation, whole)

    def render_line(self, y: int) -> Strip:
        """One line of the view: cursor bar plus the cached line of the cell under it."""
        width = self._layout_width or self.size.width
        line = self.scroll_offset.y + y
        if not self.cells or line >= self._tops[-1]:
            return Strip.blank(width, self.rich_style)
        index = self.cell_at(line)
        cell = self.cells[index]
        rendered = self._cache.get(id(cell))
        if rendered is None:
            self._ensure_rendered(index, index)
            rendered = self._cache[id(cell)]
        offset = line - self._tops[index]
        if offset >= len(rendered.strips):
            return Strip.blank(width, self.rich_style)
        strip = rendered.strips[offset]
        if self.find_pattern is not None:
            strip = self._highlight(strip, self.find_pattern)
        elif self.find_term:
            strip = self._highlight(strip, _term_pattern(self.find_term))
        bar = self._bar(index)
        if not self.first_paint_done:
            self.first_paint_done = True
            self.call_later(self._first_paint)
        return Strip([bar, *strip], width)

    def _first_paint(self) -> None:
        self.post_message(self.Painted(self))

    def _bar(self, index: int) -> Segment:
        if index == self.cursor:
            name = (
                "notebook-view--editing"
                if self.editing_lines is not None
                else "notebook-view--cursor"
            )
            if not self.has_focus and self.editing_lines is None:
                name = "notebook-view--selected"
            return Segment("▌", self.get_component_rich_style(name, partial=True))
        low, high = sorted((self.selection_anchor, self.cursor))
        if low <= index <= high:
            return Segment(
                "▌", self.get_component_rich_style("notebook-view--selected", partial=True)
            )
        return Segment(" ")

    def _highlight(self, strip: Strip, pattern: re.Pattern[str]) -> Strip:
        cuts: list[int] = []
        for match in pattern.finditer(strip.text):
            if match.end() > match.start():
                cuts += [match.start(), match.end()]
        if not cuts:
            return strip
        style: Style = self.get_component_rich_style("notebook-view--match", partial=True)
        pieces = strip.divide([*cuts, strip.cell_length])
        out: list[Segment] = []
        for i, piece in enumerate(pieces):
            out.extend(piece.apply_style(style) if i % 2 == 1 else piece)
        return Strip(out, strip.cell_length)

    # ----------------------------------------------------------------- events

    def on_mount(self) -> None:
        """Redraw every cell when the theme changes (code colours follow dark / light)."""
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh_all())

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap every cell for the new width (cache keys carry the width)."""
        self._layout()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Tell an overlaid editor to follow the scroll."""
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled(self))

    def on_focus(self) -> None:
        """The cursor bar shows whether the view has focus."""
        self.refresh()

    def on_blur(self) -> None:
        """The cursor bar shows whether the view has focus."""
        self.refresh()

    def _output_under(self, y: int) -> int | None:
        """The cell whose scrolled output region is at screen row ``y``, if any."""
        line = self.scroll_offset.y + y
        if not self.cells or line >= self._tops[-1]:
            return None
        index = self.cell_at(line)
        region = self.output_region(index)
        if region is None:
            return None
        first = self._tops[index] + region[0]
        return index if first <= line < first + region[1] else None

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        index = self._output_under(event.y)
        if index is not None and self.scroll_output(index, 3):
            event.prevent_default()
            event.stop()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        index = self._output_under(event.y)
        if index is not None and self.scroll_output(index, -3):
            event.prevent_default()
            event.stop()

    def on_click(self, event: events.Click) -> None:
        """Select the clicked cell; the screen decides what a double click does."""
        line = self.scroll_offset.y + event.y
        if self.cells and line < self._tops[-1]:
            index = self.cell_at(line)
            rendered = self._cache.get(id(self.cells[index]))
            on_output = (
                rendered is not None
                and bool(self.cells[index].outputs)
                and line - self._tops[index] >= rendered.output_top
            )
            self.move_cursor(index, extend=event.shift, scroll=False)
            self.post_message(self.CellClicked(self, index, event.chain, on_output))
