"""Atomic saves: the old file survives every failure, no temp file is left, the mode is kept."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.notebook import corpus
from tnb.notebook.io import NotebookError, dumps_notebook, load_notebook, save_notebook
from tnb.notebook.model import Notebook

ORIGINAL = corpus.writes(corpus.basic()).encode("utf-8")


@pytest.fixture
def edited(tmp_path: Path) -> tuple[Path, Notebook]:
    """A notebook on disk, loaded and edited so that saving changes the file."""
    path = tmp_path / "nb.ipynb"
    path.write_bytes(ORIGINAL)
    nb = load_notebook(path)
    nb.set_source(1, "print('edited')")
    return path, nb


def _assert_untouched(path: Path) -> None:
    assert path.read_bytes() == ORIGINAL
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_save_writes_the_edit_and_marks_clean(edited: tuple[Path, Notebook]) -> None:
    path, nb = edited
    assert nb.dirty
    save_notebook(nb)
    assert not nb.dirty
    assert load_notebook(path).cells[1].source == "print('edited')"
    assert path.read_text(encoding="utf-8") == dumps_notebook(nb)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_mode_is_kept(edited: tuple[Path, Notebook], mode: int) -> None:
    path, nb = edited
    path.chmod(mode)
    save_notebook(nb)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_new_file_created_on_first_save_with_the_usual_mode(tmp_path: Path) -> None:
    path = tmp_path / "fresh.ipynb"
    nb = load_notebook(path)
    nb.set_source(0, "1 + 1")
    save_notebook(nb)
    assert not nb.is_new and not nb.dirty
    reference = tmp_path / "reference"
    reference.write_text("", encoding="utf-8")  # what open() gives under the current umask
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(reference.stat().st_mode)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["nbformat"] == 4 and saved["nbformat_minor"] == 5
    assert saved["cells"][0]["source"] == ["1 + 1"]
    assert saved["cells"][0]["id"] == nb.cells[0].id


def test_save_as_another_path(edited: tuple[Path, Notebook]) -> None:
    path, nb = edited
    other = path.parent / "copy.ipynb"
    save_notebook(nb, other)
    assert nb.path == other
    assert path.read_bytes() == ORIGINAL
    assert load_notebook(other).cells[1].source == "print('edited')"


def test_symlink_is_kept_and_its_target_written(edited: tuple[Path, Notebook]) -> None:
    path, nb = edited
    link = path.parent / "link.ipynb"
    link.symlink_to(path.name)
    nb.path = link
    save_notebook(nb)
    assert link.is_symlink()
    assert load_notebook(path).cells[1].source == "print('edited')"


def test_untitled_notebook_cannot_be_saved_without_a_path() -> None:
    with pytest.raises(NotebookError, match="no file name"):
        save_notebook(Notebook.new())


def _raiser(error: BaseException) -> Any:
    def fail(*args: object, **kwargs: object) -> Any:
        raise error

    return fail


def test_rename_failure_leaves_the_old_file(
    edited: tuple[Path, Notebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, nb = edited
    monkeypatch.setattr(os, "replace", _raiser(OSError(errno.EXDEV, os.strerror(errno.EXDEV))))
    with pytest.raises(NotebookError) as info:
        save_notebook(nb)
    assert str(info.value).startswith(f"{path}: cannot be saved")
    assert "unchanged" in str(info.value)
    assert nb.dirty  # still unsaved
    _assert_untouched(path)


def test_disk_full_mid_write_leaves_the_old_file(
    edited: tuple[Path, Notebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, nb = edited
    real_write = os.write
    calls: list[int] = []

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(NotebookError, match="the disk is full"):
        save_notebook(nb)
    assert len(calls) == 2
    _assert_untouched(path)


def test_fsync_failure_leaves_the_old_file(
    edited: tuple[Path, Notebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, nb = edited
    monkeypatch.setattr(os, "fsync", _raiser(OSError(errno.EIO, os.strerror(errno.EIO))))
    with pytest.raises(NotebookError, match="Input/output error"):
        save_notebook(nb)
    _assert_untouched(path)


def test_interrupt_mid_write_removes_the_temp_file(
    edited: tuple[Path, Notebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, nb = edited
    monkeypatch.setattr(os, "write", _raiser(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        save_notebook(nb)
    _assert_untouched(path)


def test_no_permission_in_the_folder(
    edited: tuple[Path, Notebook], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, nb = edited
    # Tests run as root, where a read-only folder still accepts files: make creation fail.
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    monkeypatch.setattr("tempfile.mkstemp", _raiser(denied))
    with pytest.raises(NotebookError, match=f"no permission to write in {path.parent}"):
        save_notebook(nb)
    _assert_untouched(path)


def test_folder_gone(tmp_path: Path) -> None:
    nb = load_notebook(tmp_path / "gone" / "nb.ipynb")
    with pytest.raises(NotebookError, match="gone does not exist"):
        save_notebook(nb)
    assert list(tmp_path.iterdir()) == []


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    nb = Notebook.new(tmp_path / "plain" / "nb.ipynb")
    with pytest.raises(NotebookError, match="cannot be saved"):
        save_notebook(nb)
    assert (tmp_path / "plain").read_text(encoding="utf-8") == "x"


def test_target_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "dir.ipynb").mkdir()
    with pytest.raises(NotebookError, match="it is a folder"):
        save_notebook(Notebook.new(tmp_path / "dir.ipynb"))


def test_unserializable_metadata_is_a_notebook_error(edited: tuple[Path, Notebook]) -> None:
    path, nb = edited
    nb.metadata["bad"] = {1, 2}
    with pytest.raises(NotebookError, match="cannot be written as JSON"):
        save_notebook(nb)
    _assert_untouched(path)
