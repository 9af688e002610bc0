"""The notebook screen: command and edit modes, every notebook action, find and save."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal, cast
from urllib.parse import urlsplit

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer, TextArea

from tnb.notebook.model import Cell, Notebook
from tnb.notebook.undo import UndoHistory
from tnb.session.widgets import WidgetManager
from tnb.ui.highlight import text_area_language
from tnb.ui.keys import bindings_for
from tnb.ui.screens.cell_actions import CellActions
from tnb.ui.screens.dialogs import ConfirmScreen, QuitScreen, display_name
from tnb.ui.screens.help_screen import HelpScreen
from tnb.ui.widgets.bars import HeaderBar, StatusBar
from tnb.ui.widgets.cell_editor import CellEditor
from tnb.ui.widgets.find_bar import FindBar, find_hits
from tnb.ui.widgets.find_replace import FindReplacePanel
from tnb.ui.widgets.long_source import LONG_SOURCE_CHARS
from tnb.ui.widgets.notebook_view import NotebookView
from tnb.ui.widgets.toc import TableOfContents

if TYPE_CHECKING:
    from tnb.ui.app import TnbApp

RunMode = Literal["stay", "advance", "insert", "all", "above", "below", "restart_all"]

# Above this, a cell is shown (lazily) but not opened in the editor.
MAX_EDIT_CHARS = 2_000_000


class CommandView(NotebookView):
    """The notebook view with the command-mode keys."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("command")  # type: ignore[assignment]


def header_name(nb: Notebook) -> str:
    """The header's name of the notebook: a server's notebook names its server too."""
    if nb.remote is not None:
        host = urlsplit(nb.remote.server).netloc
        return f"{nb.remote.path} @ {host}"
    return display_name(nb.path) if nb.path else "untitled"


class NotebookScreen(CellActions):
    """One notebook: a virtualized view of its cells and one live editor."""

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("notebook_screen.tcss")
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("any")  # type: ignore[assignment]

    @dataclass
    class RunRequested(Message):
        """Cells should run (the execution layer answers); ``cells`` in notebook order."""

        cells: list[Cell]
        mode: RunMode

    @dataclass
    class KernelRequested(Message):
        """The user asked the kernel to ``interrupt``, ``restart`` or be changed (``change``)."""

        action: Literal["interrupt", "restart", "change"]

    @dataclass
    class SaveRequested(Message):
        """Save the notebook (``as_new``: under a name asked for); ``then_quit`` once saved."""

        as_new: bool = False
        then_quit: bool = False

    @dataclass
    class FilesRequested(Message):
        """The server's files: ``browse`` them, or ``revert`` to a checkpoint."""

        what: Literal["browse", "revert"]

    @dataclass
    class QuitRequested(Message):
        """Leave tnb; ``discard``: the unsaved edits go, and their recovery journal with them."""

        discard: bool = False

    def __init__(
        self,
        notebook: Notebook,
        *,
        language: str = "python",
        run_mark: Callable[[Cell], str | None] | None = None,
        widgets: WidgetManager | None = None,
    ) -> None:
        """``run_mark`` gives the prompt of a cell that waits or runs (the kernel session's);
        ``widgets`` the widget models its outputs show live (the session's)."""
        super().__init__()
        self.notebook = notebook
        self.language = language
        self.mode: Literal["command", "edit"] = "command"
        self.kernel_label = "no kernel"
        self.history = UndoHistory(notebook)
        self._edit_started = ""  # the edited cell's source when editing began (one undo step)
        self.init_reading()
        self._status_note = ""
        self._pending_chord = ""
        self._hits: list[int] = []
        self._editing_cell: Cell | None = None
        # Kept rather than queried: every key reaches them.
        self._view = CommandView(notebook, language=language, id="cells")
        if run_mark is not None:
            self._view.run_mark = run_mark
        self.widgets = widgets
        self._view.widgets = widgets.models if widgets is not None else None
        self._editor = CellEditor(id="editor")

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        """Header, the cells with the editor over them, find bar, status bar, footer."""
        yield HeaderBar(id="header")
        yield TableOfContents(id="toc")
        with Container(id="body"):
            yield self._view
            yield self._editor
        yield FindBar(id="find")
        yield FindReplacePanel(id="replace")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def view(self) -> NotebookView:
        """The cell view."""
        return self._view

    @property
    def editor(self) -> CellEditor:
        """The live editor."""
        return self._editor

    @property
    def tnb_app(self) -> TnbApp:
        """The app, typed. A cast, not an import: the app imports this screen, and a screen
        that imported the app back would make the two one module in disguise."""
        return cast("TnbApp", self.app)

    def on_mount(self) -> None:
        """Start in command mode on the first cell."""
        self.editor.display = False
        self.query_one("#find", FindBar).display = False
        self.query_one("#replace", FindReplacePanel).display = False
        self.query_one("#toc", TableOfContents).display = False
        self.set_focus(self.view)
        self.update_bars()
        for note in self.notebook.upgrade_notes:
            self.notify(note, title="Older notebook format", timeout=10)

    def update_bars(self, note: str = "", *, keep_note: bool = False) -> None:
        """Refresh header and status bar from the model (``keep_note``: the last note stays)."""
        if keep_note:
            note = self._status_note
        self._status_note = note
        nb = self.notebook
        self.query_one("#header", HeaderBar).show(
            header_name(nb),
            dirty=nb.dirty,
            new=nb.is_new,
        )
        self.query_one("#status", StatusBar).show(
            mode=self.mode,
            cursor=self.view.cursor,
            count=len(nb.cells),
            selected=len(self.view.selection),
            language=self.language,
            kernel=self.kernel_label,
            note=note,
        )

    def set_kernel_label(self, label: str) -> None:
        """Show the kernel's name and state in the status bar (the execution layer calls it)."""
        self.kernel_label = label
        if label != getattr(self, "_shown_label", None):
            self._shown_label = label
            # Kernel callbacks can arrive while the app is closing and the bars are gone.
            with contextlib.suppress(NoMatches):
                self.update_bars(keep_note=True)  # a kernel's news does not hide the user's

    def set_language(self, language: str) -> None:
        """The kernel's language: code cells are highlighted and edited as that language."""
        if not language or language == self.language:
            return
        self.language = language
        self.view.language = language
        self.view.refresh_all()
        with contextlib.suppress(NoMatches):
            self.update_bars()

    def cells_changed(self, cursor: int | None = None, *, extend_to: int | None = None) -> None:
        """The model's cell list changed: redraw, move the cursor, update bars."""
        view = self.view
        view.cells_changed()
        self.refresh_toc()
        if cursor is not None:
            view.move_cursor(cursor)
            if extend_to is not None:
                view.selection_anchor = max(0, min(extend_to, len(self.notebook.cells) - 1))
                view.refresh()
        self.update_bars()

    # ----------------------------------------------------------------- messages

    def on_notebook_view_cursor_moved(self, event: NotebookView.CursorMoved) -> None:
        """Keep the status bar in step."""
        self.update_bars()

    def on_notebook_view_cell_clicked(self, event: NotebookView.CellClicked) -> None:
        """A click selects; a double click edits; a click on widgets opens the widget panel."""
        if self.mode == "edit" and self.notebook.cells[event.index] is not self._editing_cell:
            self.action_command_mode()
        if event.on_output and self.has_widgets(event.index):
            self.action_interact_widgets()
        elif event.chain >= 2:
            self.action_enter_edit()

    def on_notebook_view_scrolled(self, event: NotebookView.Scrolled) -> None:
        """The editor is drawn over its cell: follow the view."""
        if self.mode == "edit":
            self._place_editor()

    def on_resize(self, event: events.Resize) -> None:
        """Re-place the editor after the view re-wrapped."""
        if self.mode == "edit":
            self.call_after_refresh(self._place_editor)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Every edit goes straight into the model (so a save never misses it)."""
        cell = self._editing_cell
        if self.mode != "edit" or cell is None or event.text_area is not self.editor:
            return
        text = self.editor.text
        if text != cell.source:
            self.notebook.set_source(self.notebook.cells.index(cell), text)
            self.update_bars()
        self._fit_editor()

    # ----------------------------------------------------------------- modes

    def action_enter_edit(self) -> None:
        """Edit the cell under the cursor in the live editor."""
        nb = self.notebook
        if not nb.cells:
            nb.insert_cell(0, "code", "")
            self.cells_changed(0)
        index = self.view.cursor
        self.view.move_cursor(index)
        cell = nb.cells[index]
        if len(cell.source) > MAX_EDIT_CHARS:
            # TextArea copies the whole line on every key and lays it all out: a 50 MB line
            # would freeze the screen for minutes. Reading it (drawn lazily) stays possible.
            self.notify(
                f"This cell holds {len(cell.source) / 1e6:.1f} million characters: too long to "
                "edit here. It is kept as it is; edit it in another editor.",
                title="Cell too long to edit",
                severity="warning",
                timeout=8,
            )
            return
        self._editing_cell = cell
        self.mode = "edit"
        editor = self.editor
        language = self.language if cell.cell_type == "code" else cell.cell_type
        with editor.prevent(TextArea.Changed):
            editor.load_text(cell.source)
        self._edit_started = cell.source
        self.restore_text_history(cell)
        long = len(cell.source) > LONG_SOURCE_CHARS
        # Long sources: no wrapping to lay out and no syntax tree to query on every key.
        editor.soft_wrap = not long
        editor.language = (
            text_area_language(language) if cell.cell_type != "raw" and not long else None
        )
        editor.theme = "monokai" if self.app.current_theme.dark else "github_light"
        editor.show_line_numbers = self.view.line_numbers
        editor.display = True
        self._fit_editor()
        self.set_focus(editor)
        self.update_bars()

    def action_command_mode(self) -> None:
        """Leave the editor; the cell shows rendered again."""
        if self.mode != "edit":
            return
        cell = self._editing_cell
        if cell is not None and cell in self.notebook.cells:
            if self.editor.text != cell.source:
                self.notebook.set_source(self.notebook.cells.index(cell), self.editor.text)
            index = self.notebook.cells.index(cell)
            self.history.record_edit(cell, self._edit_started, cursor=index)
            self.keep_text_history(cell)
        self.mode = "command"
        self._editing_cell = None
        self.editor.display = False
        self.view.set_editing(None)
        self.set_focus(self.view)
        self.view.scroll_to_cell(self.view.cursor)
        self.update_bars()

    def _fit_editor(self) -> None:
        view = self.view
        width = view.source_region(view.cursor).width
        max_lines = max(3, view.scrollable_content_region.height - 2)
        lines = min(max(1, self.editor.wrapped_height(width)), max_lines)
        view.set_editing(lines)
        view.scroll_to_cell(view.cursor)
        self._place_editor()

    def _place_editor(self) -> None:
        view = self.view
        region = view.source_region(view.cursor)
        editor = self.editor
        editor.styles.offset = (region.x, region.y)
        editor.styles.width = region.width
        editor.styles.height = view.editing_lines or 1

    # ----------------------------------------------------------------- moving

    def action_cursor_down(self) -> None:
        """Select the cell below (cells under a collapsed heading are skipped)."""
        self.view.move_cursor(self.view.visible_neighbour(self.view.cursor, 1))

    def action_cursor_up(self) -> None:
        """Select the cell above."""
        self.view.move_cursor(self.view.visible_neighbour(self.view.cursor, -1))

    def action_extend_down(self) -> None:
        """Extend the selection down."""
        self.view.move_cursor(self.view.visible_neighbour(self.view.cursor, 1), extend=True)

    def action_extend_up(self) -> None:
        """Extend the selection up."""
        self.view.move_cursor(self.view.visible_neighbour(self.view.cursor, -1), extend=True)

    def action_first_cell(self) -> None:
        """Select the first cell."""
        self.view.move_cursor(0)

    def action_last_cell(self) -> None:
        """Select the last cell."""
        self.view.move_cursor(len(self.notebook.cells) - 1)

    def action_page_down(self) -> None:
        """Scroll a page down and select the cell at the top."""
        view = self.view
        view.scroll_page_down(animate=False)
        view.move_cursor(view.cell_at(view.scroll_offset.y + view.size.height), scroll=False)

    def action_page_up(self) -> None:
        """Scroll a page up and select the cell at the top."""
        view = self.view
        view.scroll_page_up(animate=False)
        view.move_cursor(
            view.cell_at(max(0, view.scroll_offset.y - view.size.height)), scroll=False
        )

    # ----------------------------------------------------------------- chords
    def action_chord(self, key: str) -> None:
        """Two-key commands: `d d` delete, `i i` interrupt, `0 0` restart."""
        if self._pending_chord != key:
            self._pending_chord = key
            return
        self._pending_chord = ""
        if key == "d":
            self.delete_selected()
        elif key == "i":
            self.post_message(self.KernelRequested("interrupt"))
        elif key == "0":
            self.app.push_screen(ConfirmScreen("Restart the kernel?"), self._restart_answered)

    def _restart_answered(self, answer: bool | None) -> None:
        if answer:
            self.post_message(self.KernelRequested("restart"))

    def note_key(self, key: str) -> None:
        """Any key but the chord's own breaks a pending chord (the app calls this first)."""
        if self._pending_chord and key != self._pending_chord:
            self._pending_chord = ""

    # ----------------------------------------------------------------- running

    def _request_run(self, mode: RunMode) -> None:
        cells = self.notebook.cells
        if not cells:
            return
        if self.mode == "edit":
            self.action_command_mode()
        view = self.view
        if mode in ("stay", "advance", "insert"):
            targets = [cells[i] for i in view.selection]
        elif mode == "above":
            targets = cells[: view.cursor]
        elif mode == "below":
            targets = cells[view.cursor :]
        else:
            targets = list(cells)
        self.post_message(self.RunRequested(targets, mode))
        last = view.selection[-1]
        if mode == "advance":
            if last + 1 >= len(cells):
                self._insert(last + 1)
            else:
                following = view.visible_neighbour(last, 1)
                self.cells_changed(following if following != last else last + 1)
                self.reveal(view.cursor)
        elif mode == "insert":
            self._insert(last + 1)
            self.action_enter_edit()

    def action_run(self) -> None:
        """Run the selected cells."""
        self._request_run("stay")

    def action_run_and_advance(self) -> None:
        """Run the selected cells and select the next one."""
        self._request_run("advance")

    def action_run_and_insert(self) -> None:
        """Run the selected cells and edit a new cell below."""
        self._request_run("insert")

    def action_run_all(self) -> None:
        """Run every cell."""
        self._request_run("all")

    def action_run_above(self) -> None:
        """Run the cells above the cursor."""
        self._request_run("above")

    def action_run_below(self) -> None:
        """Run the cursor cell and every cell below."""
        self._request_run("below")

    def action_restart_and_run_all(self) -> None:
        """Restart the kernel, then run every cell."""
        self._request_run("restart_all")

    def action_change_kernel(self) -> None:
        """Ask for another kernel."""
        self.post_message(self.KernelRequested("change"))

    # ----------------------------------------------------------------- find

    def action_find(self) -> None:
        """Open the find bar."""
        bar = self.query_one("#find", FindBar)
        if self.mode == "edit":
            self.action_command_mode()
        bar.display = True
        # Synchronously: widget.focus() is deferred and keys typed right after `/` would
        # still reach the command-mode bindings.
        self.set_focus(bar.input)
        if bar.input.value:
            self._search(bar.input.value)

    def _search(self, term: str) -> None:
        self._hits = find_hits(self.notebook.cells, term)
        self.view.find_term = term
        self.view.refresh()
        self._show_hit_count()

    def _show_hit_count(self) -> None:
        bar = self.query_one("#find", FindBar)
        if not self.view.find_term:
            bar.set_count("")
        elif not self._hits:
            bar.set_count("no match")
        else:
            cursor = self.view.cursor
            position = self._hits.index(cursor) + 1 if cursor in self._hits else 0
            where = f"{position}/" if position else ""
            bar.set_count(f"{where}{len(self._hits)} cell(s)")

    def _step(self, direction: int) -> None:
        if not self._hits:
            self.app.bell()
            return
        cursor = self.view.cursor
        if direction > 0:
            later = [i for i in self._hits if i > cursor]
            target = later[0] if later else self._hits[0]
        else:
            earlier = [i for i in self._hits if i < cursor]
            target = earlier[-1] if earlier else self._hits[-1]
        self.view.move_cursor(target)
        self._show_hit_count()

    def on_find_bar_changed(self, event: FindBar.Changed) -> None:
        """Search as the user types, landing on the first hit from the cursor."""
        self._search(event.term)
        if self._hits and self.view.cursor not in self._hits:
            self._step(1)

    def on_find_bar_step(self, event: FindBar.Step) -> None:
        """Jump between hits."""
        self._step(event.direction)

    def on_find_bar_closed(self, event: FindBar.Closed) -> None:
        """Hide the bar; matches stay marked for n / N until esc in command mode."""
        self.query_one("#find", FindBar).display = False
        self.set_focus(self.view)

    def action_find_next(self) -> None:
        """Next hit of the last search."""
        self._step(1)

    def action_find_previous(self) -> None:
        """Previous hit of the last search."""
        self._step(-1)

    def clear_find(self) -> None:
        """Forget the search and its marks."""
        self.view.find_term = ""
        self.view.find_pattern = None
        self._hits = []
        self._matches, self._match = [], -1
        self.view.refresh()

    # ----------------------------------------------------------------- app-level

    def _commit_editor(self) -> None:
        if self.mode == "edit":
            cell = self._editing_cell
            if cell is not None and self.editor.text != cell.source:
                self.notebook.set_source(self.notebook.cells.index(cell), self.editor.text)

    def action_save(self) -> None:
        """Save through the model's atomic save; a failure is shown and nothing is lost."""
        self._commit_editor()
        self.post_message(self.SaveRequested())

    def action_save_as(self) -> None:
        """Save under another name (asked in a dialog)."""
        self._commit_editor()
        self.post_message(self.SaveRequested(as_new=True))

    def action_browse_server_files(self) -> None:
        """Open the file browser of the notebook's Jupyter server."""
        self._commit_editor()
        self.post_message(self.FilesRequested("browse"))

    def action_revert_to_checkpoint(self) -> None:
        """Put back a checkpoint the server keeps of this notebook."""
        self._commit_editor()
        self.post_message(self.FilesRequested("revert"))

    def action_upgrade_format(self) -> None:
        """Save as nbformat 4.5 from now on (asked first)."""
        from tnb.ui.screens.format_actions import upgrade_format

        upgrade_format(self.tnb_app)

    def action_toggle_record_timing(self) -> None:
        """Record cells' run times in their metadata, or stop (JupyterLab's recordTiming)."""
        from tnb.ui.screens.format_actions import set_record_timing

        set_record_timing(self.tnb_app, not self.tnb_app.kernels.record_timing)

    def action_help(self) -> None:
        """Show every key."""
        self.app.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        """Textual's command palette, with every notebook action in it."""
        self.app.action_command_palette()

    def action_quit(self) -> None:
        """Quit, asking first when there are unsaved changes."""
        if self.mode == "edit":
            self.action_command_mode()
        if not self.notebook.dirty:
            self.post_message(self.QuitRequested())
            return
        name = self.notebook.file_name or display_name(None)
        self.app.push_screen(QuitScreen(name), self._quit_answered)

    def _quit_answered(self, answer: str | None) -> None:
        if answer == "discard":
            self.post_message(self.QuitRequested(discard=True))
        elif answer == "save":
            self.post_message(self.SaveRequested(then_quit=True))

    def key_escape(self) -> None:
        """Esc in command mode: clear find marks and the selection."""
        if self.mode == "command":
            self.clear_find()
            self.view.move_cursor(self.view.cursor)

    @property
    def selected_cells(self) -> list[Cell]:
        """The selected cells (for the execution layer)."""
        return [self.notebook.cells[i] for i in self.view.selection]
