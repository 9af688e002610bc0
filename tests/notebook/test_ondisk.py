"""External changes: tnb notices when another program rewrote, removed or created the file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebook import corpus
from tnb.notebook.io import ExternalChangeError, load_notebook, save_notebook
from tnb.notebook.model import Notebook
from tnb.notebook.ondisk import changed_on_disk, check_disk

ORIGINAL = corpus.writes(corpus.basic()).encode("utf-8")


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Notebook]:
    path = tmp_path / "nb.ipynb"
    path.write_bytes(ORIGINAL)
    nb = load_notebook(path)
    nb.set_source(1, "print('mine')")
    return path, nb


def _rewrite_in_another_process(path: Path, data: bytes) -> None:
    """Another program (here a Python subprocess) replaces the file's bytes in place."""
    code = "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())"
    subprocess.run([sys.executable, "-c", code, str(path)], input=data, check=True, timeout=60)


def test_load_records_what_was_on_disk(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    assert nb.disk is not None
    st = path.stat()
    assert (nb.disk.mtime_ns, nb.disk.size) == (st.st_mtime_ns, len(ORIGINAL))
    assert nb.disk.sha256 == hashlib.sha256(ORIGINAL).hexdigest()
    assert nb.disk.path == os.path.realpath(path)
    assert not changed_on_disk(nb)
    assert check_disk(nb).change == "unchanged"


def test_touch_alone_is_not_a_change(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    os.utime(path, ns=(1, 1))
    assert check_disk(nb).change == "unchanged"


def test_rewrite_by_another_process_is_detected(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    _rewrite_in_another_process(path, ORIGINAL.replace(b"hello", b"HELLO, world"))
    check = check_disk(nb)
    assert (check.change, check.changed, check.would_overwrite) == ("modified", True, True)
    assert "changed on disk by another program" in check.describe()
    assert changed_on_disk(nb)


def test_same_size_and_mtime_but_other_bytes_is_detected(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    assert nb.disk is not None
    changed = ORIGINAL.replace(b"hello", b"HELLO")
    assert len(changed) == len(ORIGINAL) and changed != ORIGINAL
    _rewrite_in_another_process(path, changed)
    os.utime(path, ns=(nb.disk.mtime_ns, nb.disk.mtime_ns))
    assert (path.stat().st_mtime_ns, path.stat().st_size) == (nb.disk.mtime_ns, nb.disk.size)
    assert check_disk(nb).change == "modified"


def test_guarded_save_refuses_and_leaves_the_other_programs_file(
    loaded: tuple[Path, Notebook],
) -> None:
    path, nb = loaded
    theirs = ORIGINAL.replace(b"hello", b"theirs")
    _rewrite_in_another_process(path, theirs)
    with pytest.raises(ExternalChangeError) as info:
        save_notebook(nb, overwrite_external=False)
    assert info.value.check.change == "modified"
    assert str(info.value).startswith(f"{path} was changed on disk")
    assert path.read_bytes() == theirs
    assert nb.dirty
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    # The user chose "overwrite".
    save_notebook(nb, overwrite_external=True)
    assert load_notebook(path).cells[1].source == "print('mine')"
    assert not changed_on_disk(nb)


def test_default_save_still_overwrites(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    _rewrite_in_another_process(path, ORIGINAL.replace(b"hello", b"theirs"))
    save_notebook(nb)
    assert load_notebook(path).cells[1].source == "print('mine')"


def test_save_records_the_new_state(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    save_notebook(nb, overwrite_external=False)
    assert nb.disk is not None
    data = path.read_bytes()
    assert (nb.disk.size, nb.disk.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert nb.disk.mtime_ns == path.stat().st_mtime_ns
    nb.set_source(0, "again")
    save_notebook(nb, overwrite_external=False)  # our own previous save is not "external"
    assert not changed_on_disk(nb)


def test_deleted_file_is_reported_and_saving_recreates_it(loaded: tuple[Path, Notebook]) -> None:
    path, nb = loaded
    path.unlink()
    check = check_disk(nb)
    assert (check.change, check.would_overwrite, check.current) == ("deleted", False, None)
    save_notebook(nb, overwrite_external=False)
    assert load_notebook(path).cells[1].source == "print('mine')"


def test_new_notebook_whose_name_was_taken_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "new.ipynb"
    nb = load_notebook(path)
    assert nb.disk is None and check_disk(nb).change == "unchanged"
    path.write_bytes(ORIGINAL)
    assert check_disk(nb).change == "created"
    with pytest.raises(ExternalChangeError, match="already exists"):
        save_notebook(nb, overwrite_external=False)
    assert path.read_bytes() == ORIGINAL


def test_save_as_onto_another_existing_file_is_guarded(
    loaded: tuple[Path, Notebook], tmp_path: Path
) -> None:
    _, nb = loaded
    other = tmp_path / "other.ipynb"
    other.write_bytes(b"{}")
    with pytest.raises(ExternalChangeError):
        save_notebook(nb, other, overwrite_external=False)
    assert other.read_bytes() == b"{}"
    fresh = tmp_path / "fresh.ipynb"
    save_notebook(nb, fresh, overwrite_external=False)
    assert nb.path == fresh and not changed_on_disk(nb)


def test_symlinked_notebook_is_compared_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.ipynb"
    real.write_bytes(ORIGINAL)
    link = tmp_path / "link.ipynb"
    link.symlink_to(real)
    nb = load_notebook(link)
    assert check_disk(nb).change == "unchanged"
    nb.set_source(0, "x")
    save_notebook(nb, overwrite_external=False)
    assert link.is_symlink() and check_disk(nb).change == "unchanged"
    _rewrite_in_another_process(real, ORIGINAL)
    assert check_disk(nb).change == "modified"


def test_check_needs_a_path() -> None:
    with pytest.raises(ValueError, match="no file name"):
        check_disk(Notebook())
