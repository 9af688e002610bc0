"""Every notebook key, driven with Pilot, checked on the model (not only on the screen)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, Static, TextArea

from tests.ui.helpers import (
    palette_highlights,
    sample_notebook,
    screen_of,
    sources,
    view_text,
    wait_for,
)
from tnb.notebook.io import load_notebook
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ConfirmScreen, QuitScreen
from tnb.ui.screens.help_screen import HelpScreen, help_table
from tnb.ui.screens.notebook_screen import NotebookScreen

SIZE = (100, 40)


class RecordingApp(TnbApp):
    """Records what the run and kernel keys ask for."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.runs: list[tuple[list[str], str]] = []
        self.kernel_requests: list[str] = []

    def on_notebook_screen_run_requested(self, event: NotebookScreen.RunRequested) -> None:
        event.prevent_default()  # Textual would call TnbApp's handler too (it starts kernels)
        self.runs.append(([cell.source for cell in event.cells], event.mode))

    def on_notebook_screen_kernel_requested(self, event: NotebookScreen.KernelRequested) -> None:
        event.prevent_default()
        self.kernel_requests.append(event.action)


def cursor(app: TnbApp) -> int:
    return screen_of(app).view.cursor


def cell_type(app: TnbApp, index: int) -> str:
    return app.notebook.cells[index].cell_type


def mode(app: TnbApp) -> str:
    return screen_of(app).mode


def selection(app: TnbApp) -> list[int]:
    return screen_of(app).view.selection


async def test_move_with_j_k_and_arrows() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "down")
        assert cursor(app) == 3
        await pilot.press("k", "up")
        assert cursor(app) == 1
        await pilot.press("k", "k", "k")
        assert cursor(app) == 0
        await pilot.press("G")
        assert cursor(app) == 5
        await pilot.press("end", "j")
        assert cursor(app) == 5


async def test_insert_above_and_below() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "a")
        assert sources(app)[1] == "" and cell_type(app, 1) == "code"
        assert cursor(app) == 1 and len(app.notebook.cells) == 7
        await pilot.press("b")
        assert sources(app)[2] == "" and cursor(app) == 2 and len(app.notebook.cells) == 8
        assert app.notebook.dirty


async def test_d_d_deletes_and_z_undoes() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        before = sources(app)
        await pilot.press("j", "d", "j")  # a lone d does nothing
        assert sources(app) == before and cursor(app) == 2
        await pilot.press("d", "d")
        assert sources(app) == before[:2] + before[3:]
        await pilot.press("J", "d", "d")
        assert sources(app) == before[:2] + before[5:]
        await pilot.press("z")
        assert sources(app) == before[:2] + before[3:]
        await pilot.press("z")
        assert sources(app) == before


async def test_cut_copy_paste() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        before = sources(app)
        await pilot.press("j", "c", "G", "v")
        assert sources(app) == [*before, before[1]]
        ids = [cell.id for cell in app.notebook.cells]
        assert len(set(ids)) == len(ids)  # pasted copies get fresh ids
        await pilot.press("g", "V")
        assert sources(app) == [before[1], *before, before[1]]
        await pilot.press("j", "j", "x")
        assert sources(app) == [before[1], before[0], *before[2:], before[1]]
        await pilot.press("g", "v")
        assert sources(app)[1] == before[1]


async def test_change_cell_type() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "m")
        assert cell_type(app, 1) == "markdown"
        assert app.notebook.cells[1].outputs == []
        await pilot.press("r")
        assert cell_type(app, 1) == "raw"
        await pilot.press("y")
        assert cell_type(app, 1) == "code"
        await pilot.press("g", "y")
        assert cell_type(app, 0) == "code"


async def test_merge_with_below_and_merge_selection() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        before = sources(app)
        await pilot.press("j", "M")
        assert sources(app)[1] == before[1] + "\n" + before[2]
        assert len(app.notebook.cells) == 5
        await pilot.press("j", "J", "J", "M")
        assert sources(app)[2] == "\n".join(before[3:6])
        assert len(app.notebook.cells) == 3


async def test_split_at_the_editor_cursor() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        editor = screen_of(app).editor
        editor.move_cursor((1, 0))
        await pilot.press("ctrl+underscore")
        assert sources(app)[1:3] == ["c1 = 1", "print(c1)"]
        assert mode(app) == "edit" and cursor(app) == 2


async def test_extend_selection_and_move_cells() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        before = sources(app)
        await pilot.press("j", "J", "shift+down")
        assert selection(app) == [1, 2, 3]
        await pilot.press("K")
        assert selection(app) == [1, 2]
        await pilot.press("alt+down")
        assert sources(app) == [before[0], before[3], before[1], before[2], *before[4:]]
        assert selection(app) == [2, 3]
        await pilot.press("alt+up", "alt+up")
        assert sources(app) == [before[1], before[2], before[0], *before[3:]]
        await pilot.press("alt+up")  # already at the top: nothing moves
        assert sources(app) == [before[1], before[2], before[0], *before[3:]]


async def test_toggle_output_and_line_numbers() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        assert "out1" in view_text(app)
        await pilot.press("o")
        assert "out1" not in view_text(app) and "hidden" in view_text(app)
        assert app.notebook.cells[1].outputs  # hiding is a view matter
        await pilot.press("o")
        assert "out1" in view_text(app)
        await pilot.press("l")
        assert screen_of(app).view.line_numbers
        assert "1 c1 = 1" in view_text(app)


async def test_edit_mode_types_into_the_model_and_undoes() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        assert mode(app) == "edit" and isinstance(app.focused, TextArea)
        await pilot.press("end", "x", "y")
        assert sources(app)[1] == "c1 = 1xy\nprint(c1)"
        await pilot.press("ctrl+z")
        assert sources(app)[1] == "c1 = 1\nprint(c1)"
        await pilot.press("ctrl+y")
        assert sources(app)[1] == "c1 = 1xy\nprint(c1)"
        await pilot.press("escape")
        assert mode(app) == "command" and not isinstance(app.focused, TextArea)
        assert "c1 = 1xy" in view_text(app)
        await pilot.press("j")
        assert cursor(app) == 2


async def test_enter_on_an_empty_notebook_creates_a_cell() -> None:
    from tnb.notebook.model import Notebook

    app = TnbApp(Notebook(cells=[]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a", "=", "1")
        assert sources(app) == ["a=1"]


async def test_run_keys_post_requests_and_advance() -> None:
    app = RecordingApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "ctrl+r")
        assert app.runs[-1] == (["c1 = 1\nprint(c1)"], "stay") and cursor(app) == 1
        await pilot.press("f5")
        assert app.runs[-1][1] == "stay"
        await pilot.press("ctrl+e")
        assert app.runs[-1][1] == "advance" and cursor(app) == 2
        await pilot.press("shift+enter")
        assert app.runs[-1][1] == "advance" and cursor(app) == 3
        await pilot.press("ctrl+enter")
        assert app.runs[-1][1] == "stay" and cursor(app) == 3
        await pilot.press("alt+enter")
        assert app.runs[-1][1] == "insert" and sources(app)[4] == ""
        assert mode(app) == "edit"
        await pilot.press("escape", "G", "ctrl+e")  # past the last cell: a new one appears
        assert len(app.notebook.cells) == 8 and cursor(app) == 7


async def test_run_key_in_edit_mode_keeps_the_typed_text() -> None:
    app = RecordingApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "end", "!", "ctrl+r")
        assert app.runs[-1] == (["c1 = 1!\nprint(c1)"], "stay")
        assert mode(app) == "command"


async def test_interrupt_and_restart_chords() -> None:
    app = RecordingApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", "j", "i")
        assert app.kernel_requests == []
        await pilot.press("i")
        assert app.kernel_requests == ["interrupt"]
        await pilot.press("0", "0")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert app.kernel_requests == ["interrupt", "restart"]


async def test_find_jumps_between_hits_in_inputs_and_outputs() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "o", "u", "t", "4")
        assert cursor(app) == 4  # out4 is an output only
        await pilot.press("escape", "g")
        await pilot.press("ctrl+f")
        screen = screen_of(app)
        bar_input = screen.query_one("#find-input")
        assert app.focused is bar_input
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press("p", "r", "i", "n", "t")
        assert cursor(app) == 1  # the first hit after the cursor
        await pilot.press("enter")
        assert cursor(app) == 2
        await pilot.press("up")
        assert cursor(app) == 1
        await pilot.press("escape", "n", "n")
        assert cursor(app) == 3
        await pilot.press("N")
        assert cursor(app) == 2
        await pilot.press("G", "n")  # wraps around
        assert cursor(app) == 1


async def test_save_writes_the_file_and_clears_dirty(tmp_path: Path) -> None:
    path = tmp_path / "new.ipynb"
    app = TnbApp(load_notebook(path))
    app.kernel_metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11"},
    }
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "4", "2", "escape")
        assert app.notebook.dirty and "modified" in str(
            screen_of(app).query_one("#header").render()
        )
        await pilot.press("ctrl+s")
        assert not app.notebook.dirty
        assert "modified" not in str(screen_of(app).query_one("#header").render())
    saved = load_notebook(path)
    assert [cell.source for cell in saved.cells] == ["42"]
    assert saved.metadata["kernelspec"]["name"] == "python3"
    assert saved.metadata["language_info"]["name"] == "python"


async def test_save_error_is_shown_and_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "gone" / "nb.ipynb"
    app = TnbApp(sample_notebook(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "z", "escape", "ctrl+s")
        await pilot.pause()
        assert app.notebook.dirty
        assert sources(app)[1].startswith("z")
        assert any("Not saved" in n.message for n in app._notifications)
        assert not path.exists()
        assert app.is_running


async def test_quit_with_unsaved_changes_asks(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    app = TnbApp(sample_notebook(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "q")
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, NotebookScreen) and app.is_running
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("s")
        await pilot.pause()
        assert not app.is_running
    assert len(load_notebook(path).cells) == 7


async def test_quit_discarding_changes() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "d", "q", "d")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("key", ["question_mark", "h"])
async def test_help_screen_lists_the_keys(key: str) -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", Static)
        assert table.region.height > 20
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(help_table())
        text = console.export_text()
        assert "ctrl+r" in text and "Merge" in text and "d d" in text
        await pilot.press("escape")
        assert isinstance(app.screen, NotebookScreen)


async def test_command_palette_has_notebook_actions() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"merge selected")
        await wait_for(pilot, lambda: palette_highlights(app, "merge selected"), "the search")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.notebook.cells) == 5


async def test_keys_typed_in_a_burst_reach_the_new_mode() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        # Posted at once, as a fast typist or a paste in a terminal delivers them.
        for key, character in [("j", "j"), ("enter", "\r"), ("x", "x"), ("y", "y")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert sources(app)[1] == "xyc1 = 1\nprint(c1)" and len(app.notebook.cells) == 6
        for key, character in [("escape", "\x1b"), ("j", "j"), ("slash", "/"), ("o", "o")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert cursor(app) == 2
        assert screen_of(app).query_one("#find-input", Input).value == "o"


async def test_page_keys_move_by_a_screen() -> None:
    app = TnbApp(sample_notebook(count=40))
    async with app.run_test(size=(80, 24)) as pilot:
        view = screen_of(app).view
        await pilot.press("pagedown")
        assert view.scroll_offset.y > 0 and cursor(app) > 3
        await pilot.press("space")
        deeper = cursor(app)
        await pilot.press("pageup")
        assert cursor(app) < deeper


async def test_double_click_edits_and_click_elsewhere_leaves_the_editor() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        view = screen_of(app).view
        await pilot.double_click(view, offset=(12, view.cell_top(2)))
        assert cursor(app) == 2 and mode(app) == "edit"
        await pilot.press("end", "!")
        await pilot.click(view, offset=(12, view.cell_top(4)))
        assert mode(app) == "command" and cursor(app) == 4
        assert sources(app)[2] == "c2 = 2!\nprint(c2)"


async def test_escape_in_command_mode_clears_find_marks_and_selection() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "o", "u", "t", "escape")
        view = screen_of(app).view
        assert view.find_term == "out"
        await pilot.press("J", "J")
        assert len(selection(app)) == 3
        await pilot.press("escape")
        assert view.find_term == "" and selection(app) == [cursor(app)]


async def test_every_command_key_on_an_empty_notebook_is_harmless() -> None:
    from tnb.notebook.model import Notebook

    app = TnbApp(Notebook(cells=[]))
    keys = ["j", "k", "J", "K", "g", "G", "pagedown", "pageup", "d", "d", "z", "x", "c", "v"]
    keys += ["y", "m", "r", "M", "alt+up", "alt+down", "o", "l", "n", "N", "ctrl+r", "ctrl+e"]
    async with app.run_test(size=SIZE) as pilot:
        for key in keys:
            await pilot.press(key)
        assert app.is_running and isinstance(app.screen, NotebookScreen)
        # ctrl+e on an empty notebook has nothing to run; v pasted nothing.
        assert all(cell.source == "" for cell in app.notebook.cells)


async def test_palette_cell_action_while_editing_leaves_the_editor_first() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "end", "!", "ctrl+p")
        await pilot.press(*"insert cell below")
        await wait_for(pilot, lambda: palette_highlights(app, "insert cell below"), "the search")
        await pilot.press("enter")
        await pilot.pause()
        assert mode(app) == "command"
        assert sources(app)[1] == "c1 = 1!\nprint(c1)" and sources(app)[2] == ""


async def test_tab_indents_at_line_start_and_ctrl_bracket_dedents_in_the_editor() -> None:
    app = TnbApp(sample_notebook())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "tab")
        assert sources(app)[1] == "    c1 = 1\nprint(c1)"
        await pilot.press("ctrl+left_square_bracket")
        assert sources(app)[1] == "c1 = 1\nprint(c1)"
        assert mode(app) == "edit" and isinstance(app.focused, TextArea)
