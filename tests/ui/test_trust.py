"""Recovery journal and external changes in the UI: restore after a crash, ask to overwrite."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tests.ui.helpers import sample_notebook, screen_of, sources
from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.recovery import RecoveryJournal
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ChoiceScreen, SaveAsScreen
from tnb.ui.screens.notebook_screen import NotebookScreen

SIZE = (100, 30)


def saved_sample(path: Path) -> None:
    save_notebook(sample_notebook(path))


async def test_save_asks_before_overwriting_a_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    app = TnbApp(load_notebook(path), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "end", *"# mine", "escape")
        other = load_notebook(path)
        other.set_source(1, "changed elsewhere")
        save_notebook(other)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ChoiceScreen)
        assert "changed on disk" in app.screen.question
        assert load_notebook(path).cells[1].source == "changed elsewhere"  # nothing written
        await pilot.press("o")
        await pilot.pause()
        assert load_notebook(path).cells[1].source == "c1 = 1# mine\nprint(c1)"


async def test_reload_takes_the_file_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    app = TnbApp(load_notebook(path), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        other = load_notebook(path)
        other.set_source(1, "changed elsewhere")
        save_notebook(other)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("r")
        await pilot.pause()
        assert sources(app)[1] == "changed elsewhere"
        assert screen_of(app).notebook is app.notebook and not app.notebook.dirty


async def test_unsaved_edits_are_journalled_and_offered_back(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    app = TnbApp(load_notebook(path), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "end", *"# unsaved", "escape")
        journal = RecoveryJournal.for_notebook(app.notebook)
        # The 5 s timer writes it; a hang guard only.
        for _ in range(200):
            if journal.file.exists():
                break
            await pilot.pause(0.05)
        assert journal.file.exists()
        app.journal = None  # as if killed: nothing runs at exit
    assert load_notebook(path).cells[1].source == "c1 = 1\nprint(c1)"  # the file is untouched

    again = TnbApp(load_notebook(path), recover=True)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ChoiceScreen)
        assert "Restore them?" in again.screen.question
        await pilot.press("r")
        await pilot.pause()
        assert sources(again)[1] == "c1 = 1# unsaved\nprint(c1)"
        assert again.notebook.dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not journal.file.exists()
    assert load_notebook(path).cells[1].source == "c1 = 1# unsaved\nprint(c1)"


async def test_quitting_discarding_forgets_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    app = TnbApp(load_notebook(path), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        app._journal_tick()
        journal = RecoveryJournal.for_notebook(app.notebook)
        for _ in range(200):
            if journal.file.exists():
                break
            await pilot.pause(0.05)
        assert journal.file.exists()
        await pilot.press("q", "d")
        await pilot.pause()
    assert not journal.file.exists()


async def test_restore_later_keeps_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    nb = load_notebook(path)
    nb.set_source(1, "journalled")
    journal = RecoveryJournal.for_notebook(nb)
    journal.write(nb)
    app = TnbApp(load_notebook(path), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("l")
        app._journal_tick()
        await pilot.pause()
        assert sources(app)[1] == "c1 = 1\nprint(c1)"
    assert journal.file.exists()


async def test_save_as_writes_a_new_file_and_moves_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    taken = tmp_path / "taken.ipynb"
    taken.write_text("not mine", encoding="utf-8")
    app = TnbApp(load_notebook(path), recover=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "enter", "end", *"# mine", "escape")
        old_journal = app.journal
        assert old_journal is not None
        app.journal_now()
        assert old_journal.file.exists()
        other = load_notebook(path)
        other.set_source(1, "changed elsewhere")
        save_notebook(other)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveAsScreen)
        box = dialog.query_one(Input)
        assert box.value == "nb-copy.ipynb"  # in the notebook's folder

        box.value = "taken"  # another file: refused, the dialog stays
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "already exists" in dialog.status
        assert taken.read_text(encoding="utf-8") == "not mine"

        box.value = "nb-copy.ipynb"
        box.cursor_position = len("nb-copy")
        await pilot.press(*"-2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NotebookScreen)
        new = tmp_path / "nb-copy-2.ipynb"
        assert app.notebook.path == new and not app.notebook.dirty
        assert load_notebook(new).cells[1].source == "c1 = 1# mine\nprint(c1)"
        assert load_notebook(path).cells[1].source == "changed elsewhere"  # theirs, untouched
        assert not old_journal.file.exists()
        assert app.journal is not None and app.journal is not old_journal
        assert app.journal.file == RecoveryJournal.for_notebook(new).file

        await pilot.press("a")  # an edit after: journalled for the new file, saved there
        app.journal_now()
        assert app.journal.file.exists()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NotebookScreen)  # no question: the file is ours
        assert len(load_notebook(new).cells) == len(load_notebook(path).cells) + 1
        assert not app.journal.file.exists()


async def test_save_as_from_the_palette_and_cancel(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    saved_sample(path)
    app = TnbApp(load_notebook(path))
    async with app.run_test(size=SIZE) as pilot:
        screen_of(app).action_save_as()
        await pilot.pause()
        assert isinstance(app.screen, SaveAsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.notebook.path == path and not (tmp_path / "nb-copy.ipynb").exists()
        screen_of(app).action_save_as()
        await pilot.pause()
        assert isinstance(app.screen, SaveAsScreen)
        app.screen.query_one(Input).value = "sub/dir"  # a folder that does not exist
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveAsScreen)
        assert "Not saved" in app.screen.status
        app.screen.query_one(Input).value = "renamed"
        await pilot.press("enter")
        await pilot.pause()
    assert (tmp_path / "renamed.ipynb").exists()
    assert load_notebook(tmp_path / "renamed.ipynb").cells[1].source == "c1 = 1\nprint(c1)"
