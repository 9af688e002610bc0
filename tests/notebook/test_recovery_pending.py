"""A journal offered back survives a slow answer, and a dead previous owner never blocks it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notebook import corpus
from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.recovery import Recovery, RecoveryJournal

ORIGINAL = corpus.writes(corpus.basic()).encode("utf-8")


@pytest.fixture
def notebook_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TNB_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "nb.ipynb"
    path.write_bytes(ORIGINAL)
    return path


def _journal_edits(path: Path, source: str = "print('unsaved')") -> RecoveryJournal:
    """A journal as a tnb killed with unsaved edits leaves it."""
    nb = load_notebook(path)
    nb.set_source(1, source)
    journal = RecoveryJournal.for_notebook(nb)
    assert journal.write(nb)
    return journal


def _found(path: Path) -> tuple[RecoveryJournal, Recovery]:
    nb = load_notebook(path)
    journal = RecoveryJournal.for_notebook(nb)
    found = journal.pending(nb)
    assert found is not None
    return journal, found


def _set_owner(journal: RecoveryJournal, pid: int, *, started: object = "keep") -> None:
    """Rewrite the journal's header as if process ``pid`` had written it."""
    header, body = journal.file.read_bytes().split(b"\n", 1)
    fields = json.loads(header)
    fields["pid"] = pid
    if started != "keep":
        fields["started"] = started
    journal.file.write_bytes(json.dumps(fields).encode() + b"\n" + body)


def test_the_timer_never_removes_a_journal_while_the_question_is_open(
    notebook_file: Path,
) -> None:
    _journal_edits(notebook_file)
    nb = load_notebook(notebook_file)
    journal = RecoveryJournal.for_notebook(nb)
    found = journal.pending(nb)
    assert found is not None and journal.held
    # What the journal timer and the exit path do meanwhile, the notebook being clean.
    assert journal.snapshot(nb) is None
    assert not journal.write(nb)
    journal.discard()
    assert journal.file.exists()
    restored = found.restore()
    assert restored.cells[1].source == "print('unsaved')"


def test_a_snapshot_taken_before_the_journal_was_found_is_not_committed(
    notebook_file: Path,
) -> None:
    _journal_edits(notebook_file)
    nb = load_notebook(notebook_file)
    nb.set_source(0, "this session")
    journal = RecoveryJournal.for_notebook(nb)
    snapshot = journal.snapshot(nb)
    assert snapshot is not None
    assert journal.pending(load_notebook(notebook_file)) is not None
    snapshot.commit()
    assert journal.restore().cells[1].source == "print('unsaved')"


def test_later_keeps_the_journal_for_every_next_open(notebook_file: Path) -> None:
    _journal_edits(notebook_file)
    for _ in range(3):
        journal, found = _found(notebook_file)  # answered "later": neither restored nor discarded
        nb = load_notebook(notebook_file)
        nb.set_source(0, "edited in a deferring session")
        assert not journal.write(nb)
        save_notebook(nb)  # a save of this session's own edits
        journal.discard()
        assert journal.file.exists()
    journal, found = _found(notebook_file)
    assert found.file_changed
    assert found.restore().cells[1].source == "print('unsaved')"


def test_restored_then_saved_removes_the_journal(notebook_file: Path) -> None:
    _journal_edits(notebook_file)
    journal, found = _found(notebook_file)
    nb = found.restore()
    assert not journal.held
    nb.set_source(0, "more")
    assert journal.write(nb)  # the restored notebook is journalled from now on
    save_notebook(nb)
    journal.discard()
    assert not journal.file.exists()
    assert RecoveryJournal.for_notebook(notebook_file).pending() is None


def test_explicit_discard_removes_the_journal(notebook_file: Path) -> None:
    _journal_edits(notebook_file)
    journal, found = _found(notebook_file)
    found.discard()
    assert not journal.file.exists()
    assert not journal.held


@pytest.fixture
def zombie() -> Iterator[int]:
    """A child that has exited and was not waited for (a zombie, as a SIGKILLed tnb is until
    its parent reaps it)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    pid = child.pid
    # Wait for the exit without reaping: WNOWAIT leaves the zombie in place.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    yield pid
    child.wait()


@pytest.fixture
def stranger() -> Iterator[int]:
    """A live process that is not tnb (as when the kernel gave a dead tnb's pid to another)."""
    child = subprocess.Popen(["sleep", "600"])
    yield child.pid
    child.kill()
    child.wait()


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@needs_proc
def test_a_zombie_owner_does_not_block_the_offer(notebook_file: Path, zombie: int) -> None:
    assert Path(f"/proc/{zombie}/stat").read_text().split(") ")[1].startswith("Z")
    journal = _journal_edits(notebook_file)
    _set_owner(journal, zombie)
    _, found = _found(notebook_file)
    assert found.pid == zombie
    assert not found.owner_running


@needs_proc
def test_a_reused_pid_does_not_block_the_offer(notebook_file: Path, stranger: int) -> None:
    journal = _journal_edits(notebook_file)
    _set_owner(journal, stranger)  # the header still carries our own start time
    _, found = _found(notebook_file)
    assert found.pid == stranger and found.started is not None
    assert not found.owner_running


@needs_proc
def test_an_old_journal_without_start_time_checks_the_owner_is_tnb(
    notebook_file: Path, stranger: int, zombie: int
) -> None:
    journal = _journal_edits(notebook_file)
    for pid in (stranger, zombie):
        _set_owner(journal, pid, started=None)
        _, found = _found(notebook_file)
        assert found.started is None and not found.owner_running


def test_a_live_owner_still_counts(notebook_file: Path) -> None:
    code = (
        "import sys; from tnb.notebook.io import load_notebook; "
        "from tnb.notebook.recovery import RecoveryJournal; "
        "nb = load_notebook(sys.argv[1]); nb.set_source(1, 'other tnb'); "
        "RecoveryJournal.for_notebook(nb).write(nb); print('written', flush=True); "
        "sys.stdin.read()"
    )
    root = Path(__file__).resolve().parents[2]
    owner = subprocess.Popen(
        [sys.executable, "-c", code, str(notebook_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env=os.environ | {"PYTHONPATH": str(root)},
    )
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "written\n"
        _, found = _found(notebook_file)
        assert found.pid == owner.pid and found.owner_running
    finally:
        assert owner.stdin is not None
        owner.stdin.close()
        owner.wait(timeout=60)
        assert owner.stdout is not None
        owner.stdout.close()
    _, found = _found(notebook_file)
    assert not found.owner_running
