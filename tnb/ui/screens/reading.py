"""Notebook screen actions for reading and revising: headings, contents, output regions, replace."""

from __future__ import annotations

import re
import weakref
from typing import Literal

from textual.document._history import EditHistory
from textual.screen import Screen

from tnb.notebook.headings import (
    heading_level,
    hidden_cells,
    is_collapsed,
    owning_headings,
    set_collapsed,
)
from tnb.notebook.model import Cell, Notebook
from tnb.notebook.scrolled import set_scrolled
from tnb.notebook.search import SearchError, SearchOptions, SourceMatch, replace_in, source_matches
from tnb.notebook.undo import UndoHistory
from tnb.ui.widgets.cell_editor import CellEditor
from tnb.ui.widgets.find_replace import FindReplacePanel
from tnb.ui.widgets.notebook_view import NotebookView
from tnb.ui.widgets.toc import TableOfContents


class ReadingActions(Screen[None]):
    """Collapsible headings, the table of contents, scrolled outputs, find and replace, and
    per-cell text undo kept across editing sessions: the base of the notebook screen."""

    notebook: Notebook
    history: UndoHistory
    mode: Literal["command", "edit"]
    _hits: list[int]

    # What the notebook screen provides.
    @property
    def view(self) -> NotebookView:
        """The cell view."""
        raise NotImplementedError

    @property
    def editor(self) -> CellEditor:
        """The live editor."""
        raise NotImplementedError

    def update_bars(self, note: str = "") -> None:
        """Refresh header and status bar."""
        raise NotImplementedError

    def cells_changed(self, cursor: int | None = None, *, extend_to: int | None = None) -> None:
        """The model's cell list changed."""
        raise NotImplementedError

    def action_command_mode(self) -> None:
        """Leave the editor."""
        raise NotImplementedError

    def _place_editor(self) -> None:
        raise NotImplementedError

    def _step(self, direction: int) -> None:
        raise NotImplementedError

    def init_reading(self) -> None:
        """State of the actions below (called from the screen's ``__init__``)."""
        self._text_histories: weakref.WeakKeyDictionary[Cell, tuple[EditHistory, str]] = (
            weakref.WeakKeyDictionary()
        )
        self._matches: list[SourceMatch] = []
        self._match = -1

    # ----------------------------------------------------------------- headings

    def reveal(self, index: int) -> None:
        """Expand the collapsed headings that hide cell ``index`` (find, contents, undo)."""
        cells = self.notebook.cells
        if not 0 <= index < len(cells) or not self.view.is_hidden(index):
            return
        for owner in owning_headings(cells, index):
            set_collapsed(self.notebook, cells[owner], False)
        self.view.cells_changed()
        self.view.move_cursor(index)
        self.refresh_toc()
        self.update_bars()

    def action_collapse_heading(self) -> None:
        """Collapse the selected heading, or select the heading whose section holds the cell."""
        view, cells = self.view, self.notebook.cells
        if not cells:
            return
        cell = cells[view.cursor]
        if heading_level(cell) is not None and not is_collapsed(cell):
            set_collapsed(self.notebook, cell, True)
            self.cells_changed(view.cursor)
            return
        owners = owning_headings(cells, view.cursor)
        if owners:
            view.move_cursor(owners[0])
        else:
            self.app.bell()

    def action_expand_heading(self) -> None:
        """Expand the selected heading, or select the next heading below."""
        view, cells = self.view, self.notebook.cells
        if not cells:
            return
        cell = cells[view.cursor]
        if is_collapsed(cell):
            set_collapsed(self.notebook, cell, False)
            self.cells_changed(view.cursor)
            return
        for index in range(view.cursor + 1, len(cells)):
            if heading_level(cells[index]) is not None and not view.is_hidden(index):
                view.move_cursor(index)
                return
        self.app.bell()

    def _collapse_all(self, collapsed: bool) -> None:
        cells = self.notebook.cells
        changed = sum(set_collapsed(self.notebook, cell, collapsed) for cell in cells)
        if not changed:
            self.update_bars("no heading to " + ("collapse" if collapsed else "expand"))
            return
        cursor = self.view.cursor
        if collapsed and hidden_cells(cells)[cursor]:
            cursor = next(i for i in owning_headings(cells, cursor) if not hidden_cells(cells)[i])
        self.cells_changed(cursor)
        done = f"{'collapsed' if collapsed else 'expanded'} {changed} heading(s)"
        self.call_after_refresh(self.update_bars, done)

    def action_collapse_all_headings(self) -> None:
        """Collapse every heading (JupyterLab's "Collapse All Headings")."""
        self._collapse_all(True)

    def action_expand_all_headings(self) -> None:
        """Expand every heading."""
        self._collapse_all(False)

    # ----------------------------------------------------------------- contents

    def action_toggle_toc(self) -> None:
        """Show or hide the table of contents (focus goes to it when shown)."""
        toc = self.query_one("#toc", TableOfContents)
        toc.display = not toc.display
        if toc.display:
            toc.show(self.notebook.cells, self.view.cursor)
            self.set_focus(toc)
        else:
            self.set_focus(self.view)
        if self.mode == "edit":
            self.call_after_refresh(self._place_editor)

    def refresh_toc(self) -> None:
        """Cells changed: the contents follow, when shown."""
        toc = self.query_one("#toc", TableOfContents)
        if toc.display:
            toc.show(self.notebook.cells, self.view.cursor)

    def on_table_of_contents_jump(self, event: TableOfContents.Jump) -> None:
        """Select the heading's cell, expanding what hides it."""
        if self.mode == "edit":
            self.action_command_mode()
        self.reveal(event.index)
        self.view.move_cursor(event.index)
        self.set_focus(self.view)

    def on_table_of_contents_left(self, event: TableOfContents.Left) -> None:
        """Esc in the contents: back to the cells."""
        self.set_focus(self.view)

    # ----------------------------------------------------------------- scrolled outputs

    def action_toggle_output_scrolling(self) -> None:
        """Show the selected cells' outputs in a region that scrolls, or whole again."""
        view = self.view
        for index in view.selection:
            cell = self.notebook.cells[index]
            if cell.cell_type != "code" or not cell.outputs:
                continue
            default = view.outputs_scroll_by_default(index)
            region = view.output_region(index)
            set_scrolled(self.notebook, cell, region is None, default=default)
            view.output_offsets.pop(id(cell), None)
        view.cells_changed()
        self.update_bars()

    def action_scroll_output(self, delta: int) -> None:
        """Scroll the selected cell's output region (ctrl+↓ / ctrl+↑, or the mouse wheel)."""
        if not self.notebook.cells or not self.view.scroll_output(self.view.cursor, delta):
            self.app.bell()

    # ----------------------------------------------------------------- find and replace

    def action_find_replace(self) -> None:
        """Open the find-and-replace panel (case, whole word, regex; replace one or all)."""
        if self.mode == "edit":
            self.action_command_mode()
        panel = self.query_one("#replace", FindReplacePanel)
        panel.display = True
        self.set_focus(panel.find_input)
        if panel.find_input.value:
            self._find_matches(panel.options)

    def _find_matches(self, options: SearchOptions) -> None:
        panel = self.query_one("#replace", FindReplacePanel)
        try:
            pattern = options.pattern()
        except SearchError as error:
            self._matches, self._match = [], -1
            self.view.find_pattern = None
            self.view.refresh()
            panel.set_count(str(error))
            return
        self.view.find_pattern = pattern
        self.view.find_term = ""
        self._matches = source_matches(self.notebook.cells, pattern) if pattern else []
        self._hits = self._hit_cells(pattern)
        self._match = -1
        self.view.refresh()
        self._show_match_count()

    def _hit_cells(self, pattern: re.Pattern[str] | None) -> list[int]:
        from tnb.notebook.search import matching_cells
        from tnb.ui.widgets.find_bar import cell_text

        if pattern is None:
            return []
        return matching_cells(self.notebook.cells, pattern, cell_text)

    def _show_match_count(self) -> None:
        panel = self.query_one("#replace", FindReplacePanel)
        if not panel.find_input.value:
            panel.set_count("")
        elif not self._matches and not self._hits:
            panel.set_count("no match")
        elif not self._matches:
            panel.set_count(f"{len(self._hits)} cell(s), in outputs")
        else:
            where = f"{self._match + 1}/" if self._match >= 0 else ""
            panel.set_count(f"{where}{len(self._matches)} in sources")

    def _go_to_match(self, direction: int) -> None:
        if not self._matches:
            if self._hits:
                self._step(direction)  # matches only in outputs: cell by cell
            else:
                self.app.bell()
            return
        cursor = self.view.cursor
        if self._match >= 0:
            self._match = (self._match + direction) % len(self._matches)
        else:
            after = [i for i, m in enumerate(self._matches) if m.cell >= cursor]
            before = [i for i, m in enumerate(self._matches) if m.cell <= cursor]
            pick = (after[0] if after else 0) if direction > 0 else (before[-1] if before else -1)
            self._match = pick % len(self._matches)
        match = self._matches[self._match]
        self.reveal(match.cell)
        self.view.move_cursor(match.cell)
        self._show_match_count()

    def on_find_replace_panel_changed(self, event: FindReplacePanel.Changed) -> None:
        """Search as the user types or switches an option."""
        self._find_matches(event.options)
        if self._matches:
            self._go_to_match(1)

    def on_find_replace_panel_step(self, event: FindReplacePanel.Step) -> None:
        """Go to the next or previous match."""
        self._go_to_match(event.direction)

    def on_find_replace_panel_replace(self, event: FindReplacePanel.Replace) -> None:
        """Replace the current match or all of them; either is one undo step."""
        panel = self.query_one("#replace", FindReplacePanel)
        try:
            pattern = event.options.pattern()
        except SearchError as error:
            panel.set_count(str(error))
            return
        if pattern is None:
            return
        cells = self.notebook.cells
        regex = event.options.regex
        try:
            if event.all:
                touched = sorted({m.cell for m in source_matches(cells, pattern)})
                if not touched:
                    self.app.bell()
                    return
                total = 0
                with self.history.change(
                    "replace all", [cells[i] for i in touched], cursor=self.view.cursor
                ):
                    for index in touched:
                        new, count = replace_in(
                            cells[index].source, pattern, event.replacement, regex=regex
                        )
                        self.notebook.set_source(index, new)
                        total += count
                note = f"replaced {total} in {len(touched)} cell(s) (z undoes)"
            else:
                if self._match < 0:
                    self._go_to_match(1)
                    if self._match < 0:
                        return
                match = self._matches[self._match]
                cell = cells[match.cell]
                with self.history.change("replace", [cell], cursor=match.cell):
                    new, count = replace_in(
                        cell.source, pattern, event.replacement, regex=regex, start=match.start
                    )
                    self.notebook.set_source(match.cell, new)
                note = "replaced 1 match" if count else "the match moved: search again"
        except SearchError as error:
            panel.set_count(str(error))
            return
        current = self._match
        self.cells_changed(self.view.cursor)
        self._find_matches(event.options)
        if not event.all and self._matches:
            # The next match after the one just replaced.
            self._match = min(max(current, 0), len(self._matches)) - 1
            self._go_to_match(1)
        self.call_after_refresh(self.update_bars, note)

    def on_find_replace_panel_closed(self, event: FindReplacePanel.Closed) -> None:
        """Hide the panel; the matches stay marked until esc in command mode."""
        self.query_one("#replace", FindReplacePanel).display = False
        self.set_focus(self.view)

    # ----------------------------------------------------------------- text undo per cell

    def keep_text_history(self, cell: Cell) -> None:
        """Leaving the editor: the cell keeps its undo history for the next time it is edited."""
        editor = self.editor
        kept = editor.history
        self._text_histories[cell] = (kept, cell.source)
        # The editor gets a history of its own: loading the next cell clears it in place.
        editor.history = EditHistory(
            max_checkpoints=kept.max_checkpoints,
            checkpoint_timer=kept.checkpoint_timer,
            checkpoint_max_characters=kept.checkpoint_max_characters,
        )

    def restore_text_history(self, cell: Cell) -> None:
        """Entering the editor: the cell's own undo history comes back, if its text is the
        same as when it was kept (an undo or a replace since makes it stale)."""
        kept = self._text_histories.get(cell)
        if kept is not None and kept[1] == cell.source:
            self.editor.history = kept[0]
