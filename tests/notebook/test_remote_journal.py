"""Recovery journals of notebooks that live on a Jupyter server: filed by server and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tnb.notebook.model import Notebook
from tnb.notebook.recovery import RecoveryJournal
from tnb.notebook.remote import RemoteLocation, same_version

SERVER = "http://127.0.0.1:8888/user/alice/"
V1 = "2026-12-04T10:00:00.000001Z"
V2 = "2026-12-04T10:05:00.5Z"


def remote_notebook(source: str, version: str = V1, path: str = "exp/run1.ipynb") -> Notebook:
    nb = Notebook.new()
    nb.is_new = False
    nb.cells[0].source = source
    nb.remote = RemoteLocation(SERVER, path, version)
    return nb


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "recovery"


def test_journal_is_filed_by_server_and_path_and_restores_the_location(folder: Path) -> None:
    edited = remote_notebook("edited")
    edited.dirty = True
    journal = RecoveryJournal.for_notebook(edited, folder=folder)
    assert journal.write(edited)
    [file] = folder.glob("*.journal.json")
    header = file.read_bytes().split(b"\n", 1)[0].decode()
    assert '"server": "http://127.0.0.1:8888/user/alice/"' in header
    assert '"path": "exp/run1.ipynb"' in header
    # The same notebook opened again (from any folder) finds it; another path does not.
    on_server = remote_notebook("original")
    found = RecoveryJournal.for_notebook(on_server, folder=folder).pending(on_server)
    assert found is not None and not found.file_changed
    assert "1 cell edited" in found.summary()
    assert (
        RecoveryJournal.for_notebook(
            remote_notebook("x", path="other.ipynb"), folder=folder
        ).pending(remote_notebook("x", path="other.ipynb"))
        is None
    )
    restored = found.restore()
    assert restored.cells[0].source == "edited" and restored.dirty
    assert restored.path is None
    assert restored.remote == RemoteLocation(SERVER, "exp/run1.ipynb", V1)
    assert [j.file for j in RecoveryJournal.find_all(folder=folder)] == [file]


def test_a_newer_server_copy_is_said(folder: Path) -> None:
    edited = remote_notebook("edited")
    edited.dirty = True
    RecoveryJournal.for_notebook(edited, folder=folder).write(edited)
    moved_on = remote_notebook("saved by someone else", version=V2)
    found = RecoveryJournal.for_notebook(moved_on, folder=folder).pending(moved_on)
    assert found is not None and found.file_changed
    assert "the file has changed on the server since these edits were made" in found.summary()


def test_a_journal_the_server_copy_already_holds_is_dropped(folder: Path) -> None:
    edited = remote_notebook("same")
    edited.dirty = True
    RecoveryJournal.for_notebook(edited, folder=folder).write(edited)
    saved = remote_notebook("same", version=V2)
    assert RecoveryJournal.for_notebook(saved, folder=folder).pending(saved) is None
    assert not list(folder.glob("*.journal.json"))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2026-12-04T10:00:00Z", "2026-12-04T10:00:00+00:00", True),
        ("2026-12-04T10:00:00.000000Z", "2026-12-04T10:00:00Z", True),
        ("2026-12-04T10:00:00.000001Z", "2026-12-04T10:00:00Z", False),
        (None, None, True),
        (None, "2026-12-04T10:00:00Z", False),
        ("not a date", "not a date", True),
    ],
)
def test_versions_compare_as_moments(a: str | None, b: str | None, same: bool) -> None:
    assert same_version(a, b) is same
