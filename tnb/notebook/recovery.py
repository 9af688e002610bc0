"""Recovery journal: unsaved edits kept in tnb's state folder, offered back after a crash."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import socket
import stat
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tnb.notebook.celldiff import NotebookDiff, diff_notebooks
from tnb.notebook.convert import notebook_from_json, notebook_to_json
from tnb.notebook.errors import NotebookError, SchemaError
from tnb.notebook.io import _fsync_folder, _write_all, load_notebook
from tnb.notebook.model import Cell, DiskState, Notebook, Output
from tnb.notebook.ondisk import compare_disk
from tnb.notebook.remote import RemoteLocation, same_version

__all__ = [
    "JournalSnapshot",
    "Recovery",
    "RecoveryError",
    "RecoveryJournal",
    "recovery_dir",
    "state_dir",
]

JOURNAL_VERSION = 1
# Characters of output per cell kept in a journal: a 100 MB log rewritten every few seconds
# would cost more than it saves; such cells come back without outputs (or with the file's).
OUTPUT_LIMIT = 4_000_000
_SUFFIX = ".journal.json"
_TEMP_SUFFIX = ".tmp"


class RecoveryError(NotebookError):
    """A journal could not be written or read back; the message says which notebook and why."""


def state_dir() -> Path:
    """``$TNB_STATE_DIR``, else ``$XDG_STATE_HOME/tnb``, else ``~/.local/state/tnb``."""
    if explicit := os.environ.get("TNB_STATE_DIR"):
        return Path(explicit)
    if xdg := os.environ.get("XDG_STATE_HOME"):
        return Path(xdg) / "tnb"
    return Path.home() / ".local" / "state" / "tnb"


def recovery_dir() -> Path:
    """The folder that holds every recovery journal."""
    return state_dir() / "recovery"


@dataclass(frozen=True)
class JournalSnapshot:
    """A notebook serialized for the journal, not yet on disk (see ``RecoveryJournal.snapshot``).

    Taking it reads the model, so it belongs on the thread that edits the notebook;
    ``commit`` only writes bytes (fsync included) and may run in a worker thread.
    """

    journal: RecoveryJournal
    data: bytes
    notebook: Notebook
    revision: int

    def commit(self) -> None:
        """Write the journal file atomically.

        Raises:
            RecoveryError: the state folder cannot be written (disk full, read-only, ...).
        """
        self.journal._commit(self)


@dataclass(frozen=True)
class Recovery:
    """A journal that holds edits the notebook file does not have (from ``pending``)."""

    journal: RecoveryJournal
    path: Path
    saved_at: float  # when the journal was written (seconds since the epoch)
    diff: NotebookDiff  # what restoring changes compared with the file as it is now
    file_changed: bool  # the file is no longer what the edits started from
    dropped_outputs: int  # cells whose outputs were too large to journal
    pid: int
    host: str
    started: str | None = None  # the writer's boot and start time (``_process_identity``)
    _on_disk: Notebook | None = field(default=None, repr=False)

    @property
    def owner_running(self) -> bool:
        """The tnb that wrote it still runs on this machine: the notebook is open there.

        A zombie, or another program that was given the same pid since, is not the owner.
        """
        if self.pid == os.getpid() or self.host != socket.gethostname():
            return False
        return _owner_alive(self.pid, self.started)

    def summary(self) -> str:
        """One line for the restore dialog, e.g. ``2 cells edited, 1 cell added``."""
        parts = [self.diff.summary()]
        if self.file_changed:
            where = "on the server" if self.journal.remote is not None else "on disk"
            parts.append(f"the file has changed {where} since these edits were made")
        if self.dropped_outputs:
            parts.append(f"large outputs of {self.dropped_outputs} cells were not kept")
        return "; ".join(parts)

    def restore(self) -> Notebook:
        """The journalled notebook, dirty (see ``RecoveryJournal.restore``).

        From then on the journal follows the restored notebook: written while it has unsaved
        edits, removed once they are saved.
        """
        nb = self.journal.restore(self._on_disk)
        self.journal.held = False
        return nb

    def discard(self) -> None:
        """Remove the journal (the user declined)."""
        self.journal.held = False
        self.journal.discard()


class RecoveryJournal:
    """The recovery journal of one notebook file (which need not exist yet).

    How the UI uses it (one ``RecoveryJournal`` per open notebook)::

        journal = RecoveryJournal.for_notebook(nb)           # on open, after load_notebook
        if (found := journal.pending(nb)) is not None:        # ask: restore or discard?
            nb = found.restore()   # or found.discard(); or neither ("later")
        journal.write(nb)      # every few seconds (timer), on SIGHUP/SIGTERM, before quitting
                               # with unsaved changes; it skips unchanged notebooks, and a clean
                               # notebook removes the journal
        journal.discard()      # after a successful save, and when the user quits discarding

    A journal that ``pending`` found is *held* until its ``Recovery`` is restored or
    discarded: ``write`` and ``discard`` leave the file alone meanwhile, so a timer that runs
    while the question is open (or after the user answered "later") never loses those edits.
    They stay for the next open for as long as the user defers.

    The journal never touches the notebook file and never writes next to it: journals live in
    ``$TNB_STATE_DIR/recovery`` (else ``$XDG_STATE_HOME/tnb/recovery``, else
    ``~/.local/state/tnb/recovery``), a 0700 folder, one 0600 file per notebook named by a hash
    of its real path, written atomically (temporary file, fsync, rename).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        folder: Path | None = None,
        remote: RemoteLocation | None = None,
    ) -> None:
        """The journal of the notebook at ``path``, in ``folder`` (default ``recovery_dir()``);
        of a server's notebook when ``remote`` is given (``path`` is then only its name)."""
        self.remote = remote
        self.folder = folder if folder is not None else recovery_dir()
        if remote is not None:
            self.path = Path(remote.name)
            # Filed by server and path: the same notebook finds its journal from any folder.
            self.key = hashlib.sha256(f"server:{remote.identity}".encode())
        else:
            self.path = Path(os.path.abspath(path))
            self.key = hashlib.sha256(os.path.realpath(self.path).encode("utf-8", "surrogatepass"))
        self.file = self.folder / f"{self.key.hexdigest()[:32]}{_SUFFIX}"
        self._last: tuple[Notebook, int] | None = None
        self._swept = False
        # Set by ``pending``: the file holds edits of an earlier session the user has not
        # answered for; only ``Recovery.restore`` or ``Recovery.discard`` release it.
        self.held = False

    @classmethod
    def for_notebook(
        cls, nb_or_path: Notebook | Path | str, *, folder: Path | None = None
    ) -> RecoveryJournal:
        """The journal for this notebook (or notebook file name).

        Raises:
            ValueError: a notebook without a path (tnb always gives new notebooks one).
        """
        if isinstance(nb_or_path, Notebook) and nb_or_path.remote is not None:
            return cls(nb_or_path.remote.name, folder=folder, remote=nb_or_path.remote)
        path = nb_or_path.path if isinstance(nb_or_path, Notebook) else nb_or_path
        if path is None:
            raise ValueError("a notebook needs a file name for a recovery journal")
        return cls(path, folder=folder)

    @classmethod
    def find_all(cls, *, folder: Path | None = None) -> list[RecoveryJournal]:
        """Every journal in the folder, for a "recover unsaved notebooks" command."""
        folder = folder if folder is not None else recovery_dir()
        found = []
        for file in sorted(folder.glob(f"*{_SUFFIX}")):
            doc = _read_journal(file)
            if doc is not None:
                remote = RemoteLocation.from_json(doc.get("remote"))
                journal = cls(doc.header["path"], folder=folder, remote=remote)
                if journal.file == file:
                    found.append(journal)
        return found

    # -- writing ---------------------------------------------------------------------------

    def write(self, nb: Notebook) -> bool:
        """Journal the notebook's unsaved state; True when a file was written.

        Cheap when nothing changed: a notebook whose ``revision`` was already journalled is
        skipped, and a clean (saved) notebook removes the journal instead.

        Raises:
            RecoveryError: the journal could not be written; the notebook file is untouched.
        """
        snapshot = self.snapshot(nb)
        if snapshot is None:
            return False
        snapshot.commit()
        return True

    def snapshot(self, nb: Notebook) -> JournalSnapshot | None:
        """Serialize the notebook for ``JournalSnapshot.commit`` (None: nothing to write).

        Like ``write``, a clean notebook removes the journal and returns None.

        Split from ``write`` so that a UI can serialize on its event loop (the model must not
        change meanwhile) and fsync in a thread. A held journal is never written (None).
        """
        if self.held:
            return None
        if not nb.dirty:
            self.discard()
            return None
        revision = nb.revision
        if self._last is not None and self._last[0] is nb and self._last[1] == revision:
            return None
        return JournalSnapshot(self, _encode_journal(self.path, nb, self.remote), nb, revision)

    def _commit(self, snapshot: JournalSnapshot) -> None:
        if self.held:
            return  # found held after the snapshot was taken: the earlier edits win
        try:
            _private_folder(self.folder)
            if not self._swept:
                self._sweep_temporaries()
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.file.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX, dir=self.folder
            )
        except OSError as e:
            raise RecoveryError(f"{self.path}: recovery journal not written: {_why(e)}") from None
        try:
            try:
                _write_all(fd, snapshot.data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.file)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise RecoveryError(f"{self.path}: recovery journal not written: {_why(e)}") from None
        _fsync_folder(self.folder)
        self._last = (snapshot.notebook, snapshot.revision)

    def _sweep_temporaries(self) -> None:
        """Remove temporary files of this journal left by a tnb killed mid-write."""
        self._swept = True
        for tmp in self.folder.glob(f".{self.file.name}.*{_TEMP_SUFFIX}"):
            pid = tmp.name[len(self.file.name) + 2 :].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def discard(self) -> None:
        """Remove the journal (after a save, or when the user quits discarding their edits).

        A held journal stays: it holds another session's edits (``Recovery.discard`` removes it).
        """
        self._last = None
        if self.held:
            return
        with contextlib.suppress(FileNotFoundError):
            self.file.unlink()

    # -- reading ---------------------------------------------------------------------------

    def pending(self, nb: Notebook | None = None) -> Recovery | None:
        """A journal holding edits the file does not have, or None.

        ``nb`` is the notebook as just loaded from the file (default: load it now). A journal
        whose content the file already holds (saved, then killed before ``discard``) or that
        cannot be read back is removed and None returned. A journal written by a tnb that
        still runs is returned too: check ``Recovery.owner_running`` before offering it.
        A journal returned is held (see the class's notes) until restored or discarded.
        """
        doc = _read_journal(self.file)
        if doc is None:
            if self.file.exists():
                self.discard()  # unreadable: atomic writes make this a foreign or damaged file
            return None
        try:
            journalled = _notebook_from_doc(doc)
        except RecursionError:
            return None  # nested deeper than this call stack allows: keep it, never lose it
        except (ValueError, SchemaError):
            self.discard()
            return None
        on_disk = nb
        if on_disk is None and self.remote is None:
            try:
                on_disk = load_notebook(self.path, missing_ok=True)
            except NotebookError:
                on_disk = None  # a broken file: the journal is all there is
        dropped = _dropped(doc)
        try:
            diff = diff_notebooks(
                on_disk if on_disk is not None else Notebook(),
                journalled,
                ignore_outputs_of=dropped,
            )
        except RecursionError:  # comparing deeply nested outputs: offer it uncounted
            diff = NotebookDiff(uncounted=True)
        if on_disk is not None and diff.empty:
            self.discard()
            return None
        self.held = True
        started = doc.get("started")
        return Recovery(
            journal=self,
            path=self.path,
            saved_at=float(doc.get("saved_at", 0.0)),
            diff=diff,
            file_changed=self._file_changed(doc, on_disk),
            dropped_outputs=len(dropped),
            pid=int(doc.get("pid", 0)),
            host=str(doc.get("host", "")),
            started=started if isinstance(started, str) else None,
            _on_disk=on_disk,
        )

    def _file_changed(self, doc: _JournalFile, now: Notebook | None) -> bool:
        if self.remote is None:
            return compare_disk(_base(doc), self.path).changed
        base = RemoteLocation.from_json(doc.get("remote"))
        if base is None or now is None or now.remote is None:
            return False
        return not same_version(base.last_modified, now.remote.last_modified)

    def restore(self, on_disk: Notebook | None = None) -> Notebook:
        """The journalled notebook, marked dirty; the file and the journal stay as they are.

        Its ``disk`` is what the file held when the edits began, so a later
        ``save_notebook(..., overwrite_external=False)`` asks if the file changed since.
        Cells whose outputs were too large to journal get the outputs of the same cell in
        ``on_disk`` when its source is unchanged, else none.

        Raises:
            RecoveryError: there is no readable journal.
        """
        doc = _read_journal(self.file)
        if doc is None:
            raise RecoveryError(f"{self.path}: no recovery journal to restore")
        try:
            nb = _notebook_from_doc(doc)
        except RecursionError:
            raise RecoveryError(f"{self.path}: the recovery journal is nested too deeply") from None
        except (ValueError, SchemaError) as e:
            raise RecoveryError(f"{self.path}: the recovery journal is damaged: {e}") from None
        if dropped := _dropped(doc):
            _refill_outputs(nb, dropped, on_disk)
        remote = RemoteLocation.from_json(doc.get("remote"))
        if remote is not None:
            # The version the edits began from: saving asks if the server's copy moved on.
            nb.remote = remote
        else:
            nb.path = Path(doc.header["path"])
            nb.disk = _base(doc)
            nb.is_new = not nb.path.exists()
        nb.dirty = True
        return nb


# -- the journal file ------------------------------------------------------------------------


@dataclass(frozen=True)
class _JournalFile:
    """A journal file: a one-line JSON header, a newline, then the notebook's JSON text.

    The notebook is kept as its own JSON text (not nested in the header) so that it is exactly
    as deep as the notebook file, which loaded, and is only parsed when it is needed.
    """

    header: dict[str, Any]
    body: bytes

    def get(self, key: str, default: Any = None) -> Any:
        return self.header.get(key, default)


def _encode_journal(path: Path, nb: Notebook, remote: RemoteLocation | None = None) -> bytes:
    dropped = [c.id for c in nb.cells if c.outputs and _output_chars(c.outputs) > OUTPUT_LIMIT]
    cells = nb.cells
    if dropped:
        skip = set(dropped)
        cells = [replace(c, outputs=[]) if c.id in skip else c for c in cells]
    light = Notebook(cells=cells, metadata=nb.metadata, extra=nb.extra)
    minor = max(nb.nbformat_minor, 5)  # ids always, so dropped outputs can be matched by id
    header = {
        "tnb_recovery": JOURNAL_VERSION,
        "path": str(path),
        "saved_at": time.time(),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": _process_identity(os.getpid()),
        "nbformat_minor": nb.nbformat_minor,
        "upgrade_notes": nb.upgrade_notes,
        "base": None if nb.disk is None else _state_json(nb.disk),
        # Server and path only: the token is never written anywhere.
        "remote": None if remote is None else (nb.remote or remote).to_json(),
        "dropped_outputs": dropped,
    }
    try:
        # ASCII escapes keep lone surrogates (valid in notebook JSON strings) encodable.
        body = json.dumps(notebook_to_json(light, minor=minor), separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as e:
        raise RecoveryError(f"{path}: recovery journal not written: {e}") from None
    return json.dumps(header).encode("ascii") + b"\n" + body.encode("ascii")


def _read_journal(file: Path) -> _JournalFile | None:
    try:
        data = file.read_bytes()
    except OSError:
        return None
    first, _, body = data.partition(b"\n")
    try:
        header = json.loads(first)
    except ValueError:
        return None
    if (
        not isinstance(header, dict)
        or header.get("tnb_recovery") != JOURNAL_VERSION
        or not isinstance(header.get("path"), str)
    ):
        return None
    return _JournalFile(header, body)


def _notebook_from_doc(doc: _JournalFile) -> Notebook:
    """The journalled notebook. Raises ValueError, SchemaError or RecursionError."""
    nb = notebook_from_json(json.loads(doc.body))
    minor = doc.get("nbformat_minor")
    if isinstance(minor, int) and minor >= 0:
        nb.nbformat_minor = minor
    notes = doc.get("upgrade_notes")
    nb.upgrade_notes = [n for n in notes if isinstance(n, str)] if isinstance(notes, list) else []
    return nb


def _dropped(doc: _JournalFile) -> frozenset[str]:
    ids = doc.get("dropped_outputs")
    return frozenset(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else frozenset()


def _state_json(state: DiskState) -> dict[str, Any]:
    return {
        "path": state.path,
        "mtime_ns": state.mtime_ns,
        "size": state.size,
        "sha256": state.sha256,
    }


def _base(doc: _JournalFile) -> DiskState | None:
    base = doc.get("base")
    if not isinstance(base, dict):
        return None
    try:
        return DiskState(
            path=str(base["path"]),
            mtime_ns=int(base["mtime_ns"]),
            size=int(base["size"]),
            sha256=str(base["sha256"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _refill_outputs(nb: Notebook, dropped: Collection[str], on_disk: Notebook | None) -> None:
    saved = {c.id: c for c in on_disk.cells} if on_disk is not None else {}
    for cell in nb.cells:
        if cell.id in dropped:
            twin: Cell | None = saved.get(cell.id)
            if twin is not None and twin.source == cell.source:
                cell.outputs = [o.copy() for o in twin.outputs]
                cell.execution_count = twin.execution_count
            else:
                cell.execution_count = None


def _output_chars(outputs: list[Output]) -> int:
    """Roughly how many characters the outputs take, without serializing them (len is O(1))."""
    total = 0
    for output in outputs:
        total += len(output.text) + sum(len(line) for line in output.traceback)
        for value in output.data.values():
            if isinstance(value, str):
                total += len(value)
            elif isinstance(value, list):
                total += sum(len(v) for v in value if isinstance(v, str))
    return total


def _private_folder(folder: Path) -> None:
    """Create the journal folder 0700 (its parent, tnb's state folder, too) and check it."""
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        # A symlink or someone else's folder would hand our edits to another user.
        raise PermissionError(f"{folder} is not a folder owned by this user")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def _process_identity(pid: int) -> str | None:
    """``BOOT_ID:START_TICKS`` of a running process: a pid reused later gets another one.

    None where /proc does not tell (not Linux) or the process is gone or a zombie.
    """
    status = _proc_stat(pid)
    if status is None or status[0] in "ZX":
        return None
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        boot = ""
    return f"{boot}:{status[1]}"


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """State letter and start time (clock ticks after boot) from /proc/PID/stat, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count after the last ")".
    fields = raw[raw.rfind(b")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0].decode("ascii", "replace"), fields[19].decode("ascii", "replace")


def _owner_alive(pid: int, started: str | None) -> bool:
    """Whether the tnb that wrote a journal as ``pid`` (with identity ``started``) still runs."""
    if not Path("/proc/self/stat").exists():
        return _alive(pid)  # no /proc: the pid is all there is to go by
    if started is not None:
        return _process_identity(pid) == started
    # A journal written before identities were recorded: a live process that is a tnb.
    status = _proc_stat(pid)
    if status is None or status[0] in "ZX":
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"tnb" in cmdline


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    return True


def _why(e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no permission to write in the state folder"
    return e.strerror or str(e)
