"""Has the notebook file changed on disk since tnb loaded or saved it? (stat, then hash)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tnb.notebook.errors import NotebookError
from tnb.notebook.model import DiskState, Notebook

__all__ = [
    "DiskChange",
    "DiskCheck",
    "ExternalChangeError",
    "changed_on_disk",
    "check_disk",
    "compare_disk",
    "disk_state",
]

DiskChange = Literal["unchanged", "modified", "deleted", "created"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class DiskCheck:
    """The file at ``path`` compared with what tnb last saw there.

    ``change`` is one of:

    - ``unchanged``: same bytes as tnb last read or wrote (a bare ``touch`` is unchanged too),
      or there is no file and tnb never saw one;
    - ``modified``: different bytes (also when the mtime and size are the same) or unreadable;
    - ``deleted``: tnb saw a file there and it is gone;
    - ``created``: there is a file tnb never read (a new notebook's name taken meanwhile, or a
      "save as" onto an existing file).

    ``current`` is the file's state now (None when there is no file or it cannot be read;
    its ``sha256`` is empty when the size alone settled the answer).
    """

    path: Path
    change: DiskChange
    current: DiskState | None

    @property
    def changed(self) -> bool:
        """The file is not what tnb last saw (any change but ``unchanged``)."""
        return self.change != "unchanged"

    @property
    def would_overwrite(self) -> bool:
        """Saving now would replace bytes tnb has never seen: the UI should ask first."""
        return self.change in ("modified", "created")

    def describe(self) -> str:
        """One sentence for a dialog, naming the file."""
        return {
            "unchanged": f"{self.path} has not changed on disk",
            "modified": f"{self.path} was changed on disk by another program",
            "deleted": f"{self.path} was deleted or moved by another program",
            "created": f"{self.path} already exists and was not opened in tnb",
        }[self.change]


class ExternalChangeError(NotebookError):
    """``save_notebook(..., overwrite_external=False)`` refused: the file changed on disk.

    ``check`` says how; the UI offers reload / overwrite (save again with
    ``overwrite_external=True``) / save as. Nothing was written.
    """

    def __init__(self, check: DiskCheck) -> None:
        super().__init__(f"{check.describe()}; not saved, the file on disk is unchanged")
        self.check = check


def disk_state(path: Path | str, data: bytes, st: os.stat_result) -> DiskState:
    """The DiskState of a file whose bytes (``data``) and stat tnb already has in hand."""
    return DiskState(
        path=os.path.realpath(path),
        mtime_ns=st.st_mtime_ns,
        size=st.st_size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def compare_disk(base: DiskState | None, path: Path | str) -> DiskCheck:
    """Compare the file at ``path`` with ``base`` (what tnb last saw there; None: nothing).

    Cost: one stat when the size differs or there is no file, else one read and a SHA-256 of
    the file (a 10 MB notebook hashes in a few ms), because an editor or ``git checkout`` can
    rewrite a file within the same mtime tick and leave its size unchanged.
    """
    real = os.path.realpath(path)
    if base is not None and base.path != real:
        base = None  # what tnb saw was another file: this one is unknown
    try:
        with open(real, "rb") as f:
            st = os.fstat(f.fileno())
            if base is None:
                return DiskCheck(Path(path), "created", _state(real, st, ""))
            if st.st_size != base.size:
                return DiskCheck(Path(path), "modified", _state(real, st, ""))
            digest = hashlib.sha256()
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return DiskCheck(Path(path), "unchanged" if base is None else "deleted", None)
    except IsADirectoryError:
        return DiskCheck(Path(path), "created", None)
    except OSError:
        # Unreadable now (permissions changed, I/O error): not provably the same file.
        return DiskCheck(Path(path), "modified", None)
    current = _state(real, st, digest.hexdigest())
    return DiskCheck(
        Path(path), "unchanged" if current.sha256 == base.sha256 else "modified", current
    )


def check_disk(nb: Notebook, path: Path | str | None = None) -> DiskCheck:
    """Compare the file the notebook would be saved to (``path``, default ``nb.path``) with
    what tnb last loaded from or saved to it (``nb.disk``).

    Call it before saving (``save_notebook(..., overwrite_external=False)`` does) and, if the
    UI likes, when the terminal regains focus. It never changes ``nb``.

    Raises:
        ValueError: the notebook has no path and none was given.
    """
    target = path if path is not None else nb.path
    if target is None:
        raise ValueError("the notebook has no file name")
    return compare_disk(nb.disk, target)


def changed_on_disk(nb: Notebook) -> bool:
    """True when ``nb.path`` no longer holds what tnb last loaded or saved (see ``check_disk``)."""
    return check_disk(nb).changed


def _state(real: str, st: os.stat_result, sha256: str) -> DiskState:
    return DiskState(path=real, mtime_ns=st.st_mtime_ns, size=st.st_size, sha256=sha256)
