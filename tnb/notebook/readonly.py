"""Is a notebook file read-only? Judged as vim does, so that root is asked too."""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

from tnb.notebook.errors import NotebookError

__all__ = ["ReadOnlyError", "read_only_reason"]


class ReadOnlyError(NotebookError):
    """``save_notebook(..., overwrite_readonly=False)`` refused: the file is read-only.

    The UI asks and saves again with ``overwrite_readonly=True`` (the file keeps its mode);
    `tnb run` refuses. Nothing was written.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} is read-only ({reason}); not saved, the file is unchanged")
        self.path = path
        self.reason = reason


def read_only_reason(path: Path | str) -> str | None:
    """Why the existing file at ``path`` is read-only (its mode, its owner), or None.

    Read-only means no write bit at all (0444: root could write, and would, silently), or
    no write permission for this user. Saving replaces the file by a rename, which needs only
    the folder's permission: without this check tnb would replace either without asking.
    """
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o222 and os.access(real, os.W_OK):
        return None
    return f"mode {mode:04o}, owner {_owner(st.st_uid)}"


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
