"""Load and save notebooks: Jupyter's exact JSON layout, clear errors, atomic writes."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tnb.notebook.convert import (
    check_top_level,
    notebook_from_json,
    notebook_to_json,
)
from tnb.notebook.errors import NotebookError, SchemaError
from tnb.notebook.model import FIRST_MINOR_WITH_IDS, Notebook
from tnb.notebook.ondisk import ExternalChangeError, check_disk, disk_state
from tnb.notebook.readonly import ReadOnlyError, read_only_reason

__all__ = [
    "ExternalChangeError",
    "NotebookError",
    "ReadOnlyError",
    "dumps_notebook",
    "load_notebook",
    "loads_notebook",
    "notebook_json_pieces",
    "save_notebook",
    "saved_minor",
]

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def load_notebook(path: Path, *, missing_ok: bool = True) -> Notebook:
    """Read a notebook file; nothing is ever written.

    A missing file (when ``missing_ok``) gives a new notebook with one empty code cell,
    ``is_new`` set and ``path`` set: it is created on first save. ``nb.disk`` records the
    file's mtime, size and hash for ``tnb.notebook.ondisk.check_disk``.

    Raises:
        NotebookError: the file cannot be read or is not a notebook; the message names it.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        if missing_ok:
            return Notebook.new(path)
        raise NotebookError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NotebookError(f"{path}: is a folder, not a notebook") from None
    except OSError as e:
        raise NotebookError(f"{path}: cannot be read: {e.strerror or e}") from None
    if not data:
        raise NotebookError(f"{path}: the file is empty (0 bytes), not a notebook")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotebookError(
            f"{path}: not a notebook: not UTF-8 text (byte {data[e.start]:#04x} at offset "
            f"{e.start}); is it a binary file?"
        ) from None
    nb = loads_notebook(text, source=str(path))
    nb.path = path
    nb.disk = disk_state(path, data, st)
    return nb


def loads_notebook(text: str, *, source: str = "<string>") -> Notebook:
    """Parse notebook JSON text (any nbformat up to 4.x; v1-v3 are converted by nbformat).

    Raises:
        NotebookError: not a notebook; the message starts with ``source`` and says why
            (line and column for bad JSON).
    """
    notes: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("the file starts with a UTF-8 byte-order mark: it is removed on save")
    if not text.strip():
        raise NotebookError(f"{source}: the file is empty (only whitespace), not a notebook")
    value = _parse_json(text, source)
    try:
        major, minor = check_top_level(value)
        if major > 4:
            raise NotebookError(
                f"{source}: nbformat {major}.{minor} is newer than tnb understands (4.x); "
                "open it with the tool that wrote it"
            )
        if major < 4:
            value = _convert_old(text, major, minor, source)
            notes.append(
                f"converted from nbformat {major} to 4.{FIRST_MINOR_WITH_IDS}: "
                "saving writes the new format"
            )
        nb = notebook_from_json(value)
    except SchemaError as e:
        raise NotebookError(f"{source}: not a notebook: {e}") from None
    nb.upgrade_notes[:0] = notes
    return nb


def dumps_notebook(nb: Notebook) -> str:
    """The text ``save_notebook`` writes: nbformat's exact layout, at the version saving uses.

    Raises:
        NotebookError: something in the notebook cannot be written as JSON.
    """
    try:
        text = json.dumps(
            notebook_to_json(nb, minor=saved_minor(nb)),
            sort_keys=True,
            indent=1,
            ensure_ascii=False,
            separators=(",", ": "),
        )
    except (TypeError, ValueError, RecursionError) as e:
        raise NotebookError(f"{nb.path or '<untitled>'}: cannot be written as JSON: {e}") from None
    return text + "\n"


def notebook_json_pieces(nb: Notebook) -> Iterator[str]:
    """The notebook's JSON in pieces (compact), for a save streamed to a server: the whole
    text never exists at once. A lone surrogate is written as its ``\\uXXXX`` escape.

    Raises:
        NotebookError: something in the notebook cannot be written as JSON (before any piece).
    """
    try:
        # One string per multiline value: the server splits them as it writes the file.
        value = notebook_to_json(nb, minor=saved_minor(nb), split_lines=False)
    except (TypeError, ValueError, RecursionError) as e:
        raise NotebookError(f"{nb.file_name or '<untitled>'}: cannot be written: {e}") from None
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (_escape_surrogates(piece) for piece in encoder.iterencode(value))


def _escape_surrogates(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def saved_minor(nb: Notebook) -> int:
    """The nbformat minor version saving writes: the file's own, edited or not.

    Only ``Notebook.upgrade_format`` (the user's choice) moves it.
    """
    return nb.nbformat_minor


def save_notebook(
    nb: Notebook,
    path: Path | None = None,
    *,
    overwrite_external: bool = True,
    overwrite_readonly: bool = False,
) -> None:
    """Write the notebook atomically to ``path`` (default ``nb.path``) and mark it clean.

    The text goes to a temporary file in the same folder, is flushed to disk, then renamed
    over the old file, whose mode is kept (and whose target is written when it is a symlink).
    On any failure the old file is left as it was and the temporary file is removed.
    ``nb.disk`` then records what was written.

    With ``overwrite_external=False`` (what an interactive save should pass) the save is
    refused when it would replace bytes tnb has not seen: the file was changed by another
    program since it was loaded or saved, or ``path`` is another existing file. The UI then
    asks and saves again with ``overwrite_external=True`` (overwrite), reloads, or saves as.

    A read-only file (no write bit, or not writable by this user) is not replaced unless
    ``overwrite_readonly``; then it keeps its mode, and stays read-only.

    Raises:
        ExternalChangeError: (only with ``overwrite_external=False``) nothing was written.
        ReadOnlyError: (unless ``overwrite_readonly``) nothing was written.
        NotebookError: the save failed; the message names the file and the reason.
    """
    target = Path(path) if path is not None else nb.path
    if target is None:
        raise NotebookError("<untitled>: the notebook has no file name to save to")
    if not overwrite_external:
        check = check_disk(nb, target)
        if check.would_overwrite:
            raise ExternalChangeError(check)
    if not overwrite_readonly:
        reason = read_only_reason(target)
        if reason is not None:
            raise ReadOnlyError(target, reason)
    minor = saved_minor(nb)
    data = _encode(dumps_notebook(nb))
    st = _atomic_write(target, data)
    nb.path = target
    nb.disk = disk_state(target, data, st)
    nb.nbformat = 4
    nb.nbformat_minor = minor
    nb.dirty = False
    nb.is_new = False
    nb.upgrade_notes = []


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        # An unterminated string always runs into the end of the text.
        cut = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
        hint = "; the file looks cut short" if cut else ""
        raise NotebookError(
            f"{source}: not valid JSON: {e.msg} (line {e.lineno}, column {e.colno}){hint}"
        ) from None
    except RecursionError:
        raise NotebookError(f"{source}: not a notebook: JSON nested too deeply") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise NotebookError(f"{source}: not valid JSON: {e}") from None


def _convert_old(text: str, major: int, minor: int, source: str) -> Any:
    """An nbformat 1-3 notebook upgraded by nbformat's own converter (imported only here)."""
    if major < 1:
        raise NotebookError(f"{source}: not a notebook: nbformat {major} does not exist")
    # Imported here only: slow to import (jsonschema), and most files never need it.
    import nbformat

    with warnings.catch_warnings():
        # nbformat warns about what it repairs; the UI must not get stray stderr.
        warnings.simplefilter("ignore")
        try:
            return nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        except Exception as e:  # nbformat raises many kinds on malformed old notebooks
            raise NotebookError(
                f"{source}: not a notebook: nbformat {major}.{minor} could not be converted "
                f"to 4: {type(e).__name__}: {e}"
            ) from None


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate can only come from a \\udXXX escape inside a JSON string: write
        # it back as that escape, which is still valid JSON, instead of failing to save.
        return _escape_surrogates(text).encode("utf-8")


def _atomic_write(target: Path, data: bytes) -> os.stat_result:
    """Replace ``target`` with ``data``; returns the stat of the file written."""
    real = Path(os.path.realpath(target))
    folder = real.parent
    owner: tuple[int, int] | None = None
    try:
        st = os.stat(real)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as e:
        raise NotebookError(f"{target}: cannot be saved: {_reason(e, folder)}") from None
    else:
        if stat.S_ISDIR(st.st_mode):
            raise NotebookError(f"{target}: cannot be saved: it is a folder")
        mode = stat.S_IMODE(st.st_mode)
        owner = (st.st_uid, st.st_gid)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tnb-tmp", dir=folder)
    except OSError as e:
        raise NotebookError(f"{target}: cannot be saved: {_reason(e, folder)}") from None
    try:
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)
            if owner is not None and os.geteuid() == 0:
                # Root editing someone's notebook must not leave it owned by root.
                with contextlib.suppress(OSError):
                    os.fchown(fd, *owner)
            os.fsync(fd)
            # The rename keeps the inode, so this is the saved file's mtime and size.
            written = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise NotebookError(
                f"{target}: cannot be saved: {_reason(e, folder)}; the file on disk is unchanged"
            ) from None
        raise
    _fsync_folder(folder)
    return written


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some filesystems refuse, which is not an error."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(e: OSError, folder: Path) -> str:
    if e.errno in (errno.ENOENT, errno.ENOTDIR) and not folder.is_dir():
        return f"the folder {folder} does not exist"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write in {folder}"
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    return e.strerror or str(e)


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
