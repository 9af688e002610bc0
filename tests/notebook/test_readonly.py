"""A read-only notebook is not replaced without the user's say, not even by root."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from tests.notebook import corpus
from tnb.notebook.io import ReadOnlyError, load_notebook, save_notebook
from tnb.notebook.readonly import read_only_reason

ORIGINAL = corpus.writes(corpus.basic()).encode("utf-8")


def _edited(path: Path, mode: int) -> None:
    path.write_bytes(ORIGINAL)
    path.chmod(mode)


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_no_write_bit_is_read_only_even_for_root(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "nb.ipynb"
    _edited(path, mode)
    nb = load_notebook(path)
    nb.set_source(1, "print('edited')")
    with pytest.raises(ReadOnlyError, match=f"read-only \\(mode {mode:04o}"):
        save_notebook(nb)
    assert path.read_bytes() == ORIGINAL and nb.dirty
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]

    save_notebook(nb, overwrite_readonly=True)  # the user said: save anyway
    assert b"print('edited')" in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == mode  # and it stays read-only


def test_writable_files_and_new_files_are_not_read_only(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    assert read_only_reason(path) is None
    _edited(path, 0o644)
    assert read_only_reason(path) is None
    assert read_only_reason(tmp_path) is None  # a folder: saving says why it cannot


def _as_user(uid: int, gid: int, path: Path) -> str | None:
    """read_only_reason(path) computed in a child process that became ``uid``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.write(write_end, repr(read_only_reason(path)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read().decode()
    os.waitpid(pid, 0)
    return None if answer == "None" else answer.strip("'")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_a_file_this_user_cannot_write_is_read_only_though_the_folder_is() -> None:
    # A rename in a writable folder would replace root's 0644 file for "nobody" too.
    nobody = pwd.getpwnam("nobody")
    folder = Path(tempfile.mkdtemp(prefix="tnb-readonly-"))
    try:
        folder.chmod(0o777)
        path = folder / "nb.ipynb"
        _edited(path, 0o644)
        assert read_only_reason(path) is None  # root may write it
        assert _as_user(nobody.pw_uid, nobody.pw_gid, path) == "mode 0644, owner root"
    finally:
        shutil.rmtree(folder)
