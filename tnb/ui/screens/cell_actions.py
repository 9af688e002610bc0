"""Notebook screen actions on cells: insert, delete, cut/copy/paste, undo, change type, merge,
split, move, and what a cell's outputs show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from tnb.notebook.model import Cell
from tnb.ui.screens.debug_actions import DebugActions

if TYPE_CHECKING:
    from tnb.session.widgets import WidgetManager
    from tnb.ui.app import TnbApp


class CellActions(DebugActions):
    """The cell-level actions of command mode (Jupyter's keys), each one undo step."""

    _editing_cell: Cell | None
    widgets: WidgetManager | None  # the kernel session's widget models

    # What the notebook screen provides.
    @property
    def tnb_app(self) -> TnbApp:
        """The app (for the cells' clipboard, shared by the notebooks it shows)."""
        raise NotImplementedError

    def action_enter_edit(self) -> None:
        """Edit the selected cell."""
        raise NotImplementedError

    def action_insert_above(self) -> None:
        """Insert an empty code cell above the cursor."""
        index = self.view.cursor if self.notebook.cells else 0
        self._insert(index)

    def action_insert_below(self) -> None:
        """Insert an empty code cell below the cursor."""
        index = self.view.cursor + 1 if self.notebook.cells else 0
        self._insert(index)

    def _insert(self, index: int) -> None:
        with self.history.change("insert cell", cursor=self.view.cursor) as step:
            self.notebook.insert_cell(index, "code", "")
            step.cursor_after = index
        self.cells_changed(index)

    def delete_selected(self) -> None:
        """Delete the selected cells (z undoes)."""
        if not self.notebook.cells:
            return
        selection = self.view.selection
        with self.history.change("delete cells", cursor=self.view.cursor):
            self.notebook.delete_cells(selection)
        self.cells_changed(min(selection[0], max(0, len(self.notebook.cells) - 1)))

    def action_undo(self) -> None:
        """Undo the last cell operation (insert, delete, move, merge, split, type, paste,
        replace all, or one session of editing a cell)."""
        self._apply_history(self.history.undo(), "undid")

    def action_redo(self) -> None:
        """Redo the last undone cell operation."""
        self._apply_history(self.history.redo(), "redid")

    def _apply_history(self, step: object, verb: str) -> None:
        from tnb.notebook.undo import Change

        if not isinstance(step, Change):
            self.app.bell()
            self.update_bars("nothing to undo" if verb == "undid" else "nothing to redo")
            return
        snapshot = step.before if verb == "undid" else step.after
        cursor = snapshot.cursor if snapshot is not None else self.view.cursor
        self.cells_changed(max(0, min(cursor, len(self.notebook.cells) - 1)))
        self.reveal(self.view.cursor)
        # After the cursor's own status update, which would clear the note.
        self.call_after_refresh(self.update_bars, f"{verb} {step.label}")

    def _copy_selection(self) -> None:
        self.tnb_app.clipboard_cells = [
            self.notebook.cells[i].copy(new_id=True) for i in self.view.selection
        ]

    def action_copy(self) -> None:
        """Copy the selected cells."""
        if self.notebook.cells:
            self._copy_selection()
            self.update_bars(f"copied {len(self.view.selection)} cell(s)")

    def action_cut(self) -> None:
        """Cut the selected cells (z brings them back too)."""
        if self.notebook.cells:
            self._copy_selection()
            self.delete_selected()

    def _paste(self, index: int) -> None:
        clipboard = self.tnb_app.clipboard_cells
        if not clipboard:
            self.app.bell()
            return
        with self.history.change("paste cells", cursor=self.view.cursor):
            self.notebook.insert_cells(index, [cell.copy(new_id=True) for cell in clipboard])
        self.cells_changed(index + len(clipboard) - 1, extend_to=index)

    def action_paste_below(self) -> None:
        """Paste below the cursor."""
        self._paste(self.view.cursor + 1 if self.notebook.cells else 0)

    def action_paste_above(self) -> None:
        """Paste above the cursor."""
        self._paste(self.view.cursor if self.notebook.cells else 0)

    def _change_type(self, cell_type: Literal["code", "markdown", "raw"]) -> None:
        selected = [self.notebook.cells[i] for i in self.view.selection]
        with self.history.change(f"change to {cell_type}", selected, cursor=self.view.cursor):
            for index in self.view.selection:
                self.notebook.change_type(index, cell_type)
        self.cells_changed()

    def action_to_code(self) -> None:
        """Make the selected cells code cells."""
        self._change_type("code")

    def action_to_markdown(self) -> None:
        """Make the selected cells markdown cells."""
        self._change_type("markdown")

    def action_to_raw(self) -> None:
        """Make the selected cells raw cells."""
        self._change_type("raw")

    def action_merge(self) -> None:
        """Merge the selected cells, or the cursor cell with the one below."""
        selection = self.view.selection
        if not selection:
            self.app.bell()
            return
        if len(selection) == 1:
            if selection[0] + 1 >= len(self.notebook.cells):
                self.app.bell()
                return
            selection = [selection[0], selection[0] + 1]
        first = self.notebook.cells[selection[0]]
        with self.history.change("merge cells", [first], cursor=self.view.cursor) as step:
            self.notebook.merge_cells(selection)
            step.cursor_after = selection[0]
        self.cells_changed(selection[0])

    def action_split(self) -> None:
        """Split the edited cell at the editor's cursor."""
        if self.mode != "edit" or self._editing_cell is None:
            return
        row, column = self.editor.cursor_location
        lines = self.editor.text.split("\n")
        offset = sum(len(line) + 1 for line in lines[:row]) + column
        index = self.notebook.cells.index(self._editing_cell)
        self.action_command_mode()
        cell = self.notebook.cells[index]
        with self.history.change("split cell", [cell], cursor=index) as step:
            self.notebook.split_cell(index, offset)
            step.cursor_after = index + 1
        self.cells_changed(index + 1)
        self.action_enter_edit()

    def _move(self, delta: int) -> None:
        selection = self.view.selection
        if not selection:
            return
        if selection[0] + delta < 0 or selection[-1] + delta >= len(self.notebook.cells):
            self.app.bell()
            return
        with self.history.change("move cells", cursor=self.view.cursor):
            moved = self.notebook.move_cells(selection, delta)
        anchor_first = self.view.selection_anchor <= self.view.cursor
        low, high = min(moved), max(moved)
        self.cells_changed(high if anchor_first else low, extend_to=low if anchor_first else high)

    def action_move_up(self) -> None:
        """Move the selected cells up one."""
        self._move(-1)

    def action_move_down(self) -> None:
        """Move the selected cells down one."""
        self._move(1)

    def action_toggle_output(self) -> None:
        """Show or hide the outputs of the selected cells."""
        view = self.view
        ids = {id(self.notebook.cells[i]) for i in view.selection}
        if ids <= view.hidden_outputs:
            view.hidden_outputs -= ids
        else:
            view.hidden_outputs |= ids
        view.cells_changed()

    def _cursor_output_text(self) -> str | None:
        from tnb.ui.render import output_text

        if not self.notebook.cells:
            return None
        cell = self.notebook.cells[self.view.cursor]
        texts = [output_text(output) for output in cell.outputs]
        text = "\n".join(t.rstrip("\n") for t in texts if t)
        return text or None

    def action_open_output(self) -> None:
        """The cursor cell's whole output (not only its tail) in the pager."""
        from tnb.ui.screens.pager import PagerScreen

        text = self._cursor_output_text()
        if text is None:
            self.app.bell()
            return
        self.app.push_screen(PagerScreen(f"Output of cell {self.view.cursor + 1}", text))

    def action_view_picture(self) -> None:
        """The cursor cell's last picture at full size, with real graphics where possible."""
        from tnb.ui.render import picture_of
        from tnb.ui.screens.picture import PictureScreen, probe_graphics

        if not self.notebook.cells:
            return
        cell = self.notebook.cells[self.view.cursor]
        outputs = list(reversed(cell.outputs))
        if cell.cell_type == "markdown":
            from tnb.notebook.model import Output
            from tnb.ui.render.markdown import markdown_pictures

            folder = self.notebook.path.parent if self.notebook.path else None
            bundles = markdown_pictures(cell.source, cell.attachments, folder)
            outputs = [Output("display_data", data=bundle) for bundle in bundles]
        pictures = [p for p in (picture_of(o) for o in outputs) if p is not None]
        if not pictures:
            self.app.bell()
            self.update_bars("no picture in this cell")
            return
        probe_graphics(self.app)
        self.app.push_screen(PictureScreen(f"Picture of cell {self.view.cursor + 1}", pictures[0]))

    def _widget_roots(self, index: int) -> list[str]:
        from tnb.ui.widgets.cell_lines import widget_id

        manager = self.widgets
        if manager is None or not 0 <= index < len(self.notebook.cells):
            return []
        shown = (widget_id(o) for o in self.notebook.cells[index].outputs)
        return [m for m in shown if m is not None and m in manager.models]

    def has_widgets(self, index: int) -> bool:
        """Whether cell ``index`` shows widgets whose models are here."""
        return bool(self._widget_roots(index))

    def action_interact_widgets(self) -> None:
        """Open the widget panel on the cursor cell's widgets (sliders, buttons, fields)."""
        from tnb.ui.screens.widget_panel import WidgetPanel

        roots = self._widget_roots(self.view.cursor)
        manager = self.widgets
        if manager is None or not roots:
            self.app.bell()
            self.update_bars("no widgets in this cell")
            return
        dark = self.app.current_theme.dark
        self.app.push_screen(WidgetPanel(manager, roots, theme="dark" if dark else "light"))

    def action_copy_output(self) -> None:
        """The cursor cell's output or traceback to the clipboard (OSC 52: works over SSH)."""
        text = self._cursor_output_text()
        if text is None:
            self.app.bell()
            return
        self.app.copy_to_clipboard(text)
        self.update_bars(f"copied the output ({len(text)} characters)")

    def action_clear_outputs(self) -> None:
        """Clear the outputs of the selected cells."""
        self.notebook.clear_outputs(self.view.selection)
        self.cells_changed()

    def action_clear_all_outputs(self) -> None:
        """Clear every output."""
        self.notebook.clear_outputs()
        self.cells_changed()

    def action_toggle_line_numbers(self) -> None:
        """Line numbers on or off in every code cell."""
        self.view.line_numbers = not self.view.line_numbers
        self.editor.show_line_numbers = self.view.line_numbers
        self.view.cells_changed()
