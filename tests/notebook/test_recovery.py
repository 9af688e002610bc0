"""Recovery journal: private, atomic, cheap, never beside the notebook; survives SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.notebook import corpus
from tnb.notebook.io import ExternalChangeError, dumps_notebook, load_notebook, save_notebook
from tnb.notebook.model import Notebook, Output
from tnb.notebook.recovery import (
    OUTPUT_LIMIT,
    RecoveryError,
    RecoveryJournal,
    recovery_dir,
    state_dir,
)

ORIGINAL = corpus.writes(corpus.basic()).encode("utf-8")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("TNB_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def notebook_file(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "nb.ipynb"
    path.write_bytes(ORIGINAL)
    return path


def _untouched(path: Path, mtime_ns: int) -> None:
    assert path.read_bytes() == ORIGINAL
    assert path.stat().st_mtime_ns == mtime_ns
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_state_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TNB_STATE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_dir() == tmp_path / "explicit"
    assert recovery_dir() == tmp_path / "explicit" / "recovery"
    monkeypatch.delenv("TNB_STATE_DIR")
    assert state_dir() == tmp_path / "xdg" / "tnb"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "tnb"


def test_journal_is_private_and_never_beside_the_notebook(state: Path, notebook_file: Path) -> None:
    mtime = notebook_file.stat().st_mtime_ns
    nb = load_notebook(notebook_file)
    nb.set_source(1, "print('unsaved')")
    journal = RecoveryJournal.for_notebook(nb)
    old_umask = os.umask(0)  # even a careless umask must not open the journal to others
    try:
        assert journal.write(nb)
    finally:
        os.umask(old_umask)
    assert journal.file.parent == state / "recovery"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "recovery").stat().st_mode) == 0o700
    assert stat.S_IMODE(journal.file.stat().st_mode) == 0o600
    assert [p.name for p in (state / "recovery").iterdir()] == [journal.file.name]
    header, notebook = journal.file.read_bytes().split(b"\n", 1)
    assert json.loads(header)["path"] == str(notebook_file)
    assert json.loads(notebook)["cells"][1]["source"] == ["print('unsaved')"]
    _untouched(notebook_file, mtime)


def test_loose_folder_mode_is_tightened(state: Path, notebook_file: Path) -> None:
    (state / "recovery").mkdir(parents=True, mode=0o755)
    (state / "recovery").chmod(0o755)
    nb = load_notebook(notebook_file)
    nb.set_source(0, "x")
    RecoveryJournal.for_notebook(nb).write(nb)
    assert stat.S_IMODE((state / "recovery").stat().st_mode) == 0o700


def test_writes_only_when_something_changed(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    journal = RecoveryJournal.for_notebook(nb)
    assert not journal.write(nb)  # clean: nothing to keep
    assert not journal.file.exists()
    nb.set_source(1, "a")
    assert journal.write(nb)
    before = journal.file.stat().st_mtime_ns
    assert not journal.write(nb)
    assert journal.file.stat().st_mtime_ns == before
    nb.cells[1].outputs.append(Output("stream", name="stdout", text="out\n"))
    nb.dirty = True  # what the runner does after changing outputs itself
    assert journal.write(nb)
    restored = journal.restore()
    assert restored.cells[1].outputs[-1].text == "out\n"


def test_pending_restore_and_summary(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    nb.set_source(1, "print('unsaved')")
    nb.insert_cell(0, "markdown", "# new")
    nb.delete_cells([len(nb.cells) - 1])
    RecoveryJournal.for_notebook(nb).write(nb)

    again = load_notebook(notebook_file)
    found = RecoveryJournal.for_notebook(again).pending(again)
    assert found is not None
    assert found.path == notebook_file
    assert not found.file_changed and not found.owner_running
    assert found.summary() == "1 cell edited, 1 cell added, 1 cell deleted"
    restored = found.restore()
    assert dumps_notebook(restored) == dumps_notebook(nb)
    assert restored.dirty and restored.path == notebook_file and not restored.is_new
    assert restored.disk == again.disk
    assert notebook_file.read_bytes() == ORIGINAL


def test_discard_after_save(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    journal = RecoveryJournal.for_notebook(nb)
    nb.set_source(1, "saved soon")
    journal.write(nb)
    save_notebook(nb)
    journal.discard()
    assert not journal.file.exists()
    assert journal.pending() is None
    journal.discard()  # twice is fine


def test_journal_the_file_already_holds_is_dropped(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    journal = RecoveryJournal.for_notebook(nb)
    nb.set_source(1, "saved, then killed before discard")
    journal.write(nb)
    save_notebook(nb)
    assert journal.file.exists()
    assert journal.pending() is None
    assert not journal.file.exists()


def test_clean_notebook_removes_its_journal(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    journal = RecoveryJournal.for_notebook(nb)
    nb.set_source(1, "x")
    journal.write(nb)
    save_notebook(nb)
    assert not journal.write(nb)
    assert not journal.file.exists()


def test_new_file_that_was_never_saved(state: Path, tmp_path: Path) -> None:
    path = tmp_path / "Untitled.ipynb"
    nb = load_notebook(path)
    nb.set_source(0, "never saved")
    RecoveryJournal.for_notebook(path).write(nb)
    assert not path.exists() and list(tmp_path.iterdir()) == [state]
    found = RecoveryJournal.for_notebook(path).pending()
    assert found is not None and found.summary() == "1 cell edited"
    restored = found.restore()
    assert restored.is_new and restored.cells[0].source == "never saved"
    save_notebook(restored, overwrite_external=False)
    assert load_notebook(path).cells[0].source == "never saved"


def test_file_changed_since_the_edits(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    nb.set_source(1, "mine")
    RecoveryJournal.for_notebook(nb).write(nb)
    notebook_file.write_bytes(ORIGINAL.replace(b"hello", b"theirs"))
    found = RecoveryJournal.for_notebook(notebook_file).pending()
    assert found is not None and found.file_changed
    assert "the file has changed on disk since" in found.summary()
    restored = found.restore()
    with pytest.raises(ExternalChangeError):
        save_notebook(restored, overwrite_external=False)


def test_huge_outputs_are_not_journalled(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    big = Output("stream", name="stdout", text="x" * (OUTPUT_LIMIT + 1))
    nb.cells[1].outputs = [big]
    nb.cells[1].execution_count = 7
    nb.dirty = True
    save_notebook(nb)
    nb.set_source(0, "edited elsewhere")  # cell 1 keeps its source: the file's outputs fit it
    journal = RecoveryJournal.for_notebook(nb)
    journal.write(nb)
    assert journal.file.stat().st_size < 100_000
    found = journal.pending()
    assert found is not None
    assert found.dropped_outputs == 1 and found.summary().startswith("1 cell edited;")
    restored = found.restore()
    assert restored.cells[1].outputs[0].text == big.text
    assert restored.cells[1].execution_count == 7
    assert restored.cells[0].source == "edited elsewhere"


def test_damaged_journal_is_ignored_and_removed(state: Path, notebook_file: Path) -> None:
    nb = load_notebook(notebook_file)
    nb.set_source(1, "x")
    journal = RecoveryJournal.for_notebook(nb)
    journal.write(nb)
    journal.file.write_bytes(journal.file.read_bytes()[:50])
    assert journal.pending() is None
    assert not journal.file.exists()
    with pytest.raises(RecoveryError, match="no recovery journal"):
        journal.restore()


def test_unwritable_state_folder_is_a_recovery_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notebook_file: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TNB_STATE_DIR", str(blocker / "state"))
    mtime = notebook_file.stat().st_mtime_ns
    nb = load_notebook(notebook_file)
    nb.set_source(1, "x")
    with pytest.raises(RecoveryError, match=f"^{notebook_file}: recovery journal not written"):
        RecoveryJournal.for_notebook(nb).write(nb)
    _untouched(notebook_file, mtime)


def test_too_deep_to_journal_is_a_recovery_error_not_a_crash(
    state: Path, notebook_file: Path
) -> None:
    # Near the recursion limit json.loads still reads it, but encoding it again may not.
    nested: object = []
    for _ in range(990):
        nested = [nested]
    mtime = notebook_file.stat().st_mtime_ns
    nb = load_notebook(notebook_file)
    nb.metadata["deep"] = nested
    nb.dirty = True
    journal = RecoveryJournal.for_notebook(nb)
    try:
        journal.write(nb)
    except RecoveryError as e:
        assert "recovery journal not written" in str(e)
    else:
        found = journal.pending()
        assert found is not None and found.restore().metadata["deep"] == nested
    _untouched(notebook_file, mtime)


def test_find_all_lists_every_journal(state: Path, tmp_path: Path) -> None:
    paths = [tmp_path / "a.ipynb", tmp_path / "b.ipynb"]
    for path in paths:
        nb = load_notebook(path)
        nb.set_source(0, path.stem)
        RecoveryJournal.for_notebook(nb).write(nb)
    assert sorted(j.path for j in RecoveryJournal.find_all()) == paths


_EDITOR = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tnb.notebook.io import load_notebook
    from tnb.notebook.recovery import RecoveryJournal

    nb = load_notebook(Path(sys.argv[1]))
    journal = RecoveryJournal.for_notebook(nb)
    i = 0
    while True:
        nb.set_source(1, f"edit {i}")
        journal.write(nb)
        print(i, flush=True)
        i += 1
        time.sleep(0.005)
    """
)

_RESTORER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tnb.notebook.recovery import RecoveryJournal

    found = RecoveryJournal.for_notebook(Path(sys.argv[1])).pending()
    nb = found.restore()
    print(json.dumps({"summary": found.summary(), "source": nb.cells[1].source}))
    """
)


@pytest.fixture
def editor(notebook_file: Path, state: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _EDITOR, str(notebook_file)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    assert proc.stdout is not None
    proc.stdout.close()


def test_edit_survives_sigkill_mid_edit_loop(
    editor: subprocess.Popen[str], notebook_file: Path, state: Path
) -> None:
    mtime = notebook_file.stat().st_mtime_ns
    assert editor.stdout is not None
    last = -1
    while last < 30:
        line = editor.stdout.readline()
        assert line, "the editing process stopped early"
        last = int(line)
    journal = RecoveryJournal.for_notebook(notebook_file)
    running = journal.pending()
    assert running is not None and running.owner_running and running.pid == editor.pid
    editor.send_signal(signal.SIGKILL)
    assert editor.wait(timeout=30) == -signal.SIGKILL

    result = subprocess.run(
        [sys.executable, "-c", _RESTORER, str(notebook_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        timeout=60,
        check=True,
    )
    restored = json.loads(result.stdout)
    assert restored["summary"] == "1 cell edited"
    assert restored["source"].startswith("edit ")
    assert int(restored["source"].split()[1]) >= last
    found = journal.pending()
    assert found is not None and not found.owner_running
    _untouched(notebook_file, mtime)

    # A temporary file the killed process may have left is swept by the next writer.
    stale = journal.folder / f".{journal.file.name}.{editor.pid}.abc{'.tmp'}"
    stale.write_bytes(b"half")
    nb = found.restore()
    nb.set_source(0, "next session")
    RecoveryJournal.for_notebook(nb).write(nb)
    assert [p.name for p in journal.folder.iterdir()] == [journal.file.name]


_EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("source"), st.integers(0, 10), st.text(max_size=30)),
        st.tuples(st.just("insert"), st.integers(0, 10), st.sampled_from(["code", "markdown"])),
        st.tuples(st.just("delete"), st.integers(0, 10), st.none()),
        st.tuples(st.just("move"), st.integers(0, 10), st.integers(-3, 3)),
        st.tuples(st.just("type"), st.integers(0, 10), st.sampled_from(["code", "raw"])),
    ),
    min_size=1,
    max_size=8,
)


def _apply(nb: Notebook, edit: tuple[str, int, object]) -> None:
    op, index, arg = edit
    if not nb.cells and op != "insert":
        return
    i = index % len(nb.cells) if nb.cells else 0
    if op == "source":
        nb.set_source(i, str(arg))
    elif op == "insert":
        nb.insert_cell(index % (len(nb.cells) + 1), "code" if arg == "code" else "markdown")
    elif op == "delete":
        nb.delete_cells([i])
    elif op == "move":
        nb.move_cells([i], int(str(arg)))
    else:
        nb.change_type(i, "code" if arg == "code" else "raw")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=_EDITS)
def test_any_edits_restore_exactly(state: Path, notebook_file: Path, edits: list[object]) -> None:
    nb = load_notebook(notebook_file)
    journal = RecoveryJournal.for_notebook(nb)
    for edit in edits:
        assert isinstance(edit, tuple)
        _apply(nb, edit)
    journal.write(nb)
    found = journal.pending()
    # Offered exactly when the journal holds a different document from the file.
    assert (found is None) == (dumps_notebook(load_notebook(notebook_file)) == dumps_notebook(nb))
    if found is not None:
        assert dumps_notebook(found.restore()) == dumps_notebook(nb)
        journal.discard()
    assert notebook_file.read_bytes() == ORIGINAL
