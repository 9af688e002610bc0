"""Notebook, Cell and Output dataclasses over nbformat's JSON, with the editing operations."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from tnb.notebook.remote import RemoteLocation

CellType = Literal["code", "markdown", "raw"]
CELL_TYPES: tuple[CellType, ...] = get_args(CellType)


# nbformat 4.5 added cell ids; 4.4 defined cell timing (metadata.execution).
FIRST_MINOR_WITH_IDS = 5
FIRST_MINOR_WITH_TIMING = 4
# nbformat 4.5's schema for a cell id.
_VALID_CELL_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def new_cell_id() -> str:
    """A fresh cell id, made the way nbformat 4.5 makes them (8 hex digits of a uuid4)."""
    return uuid.uuid4().hex[:8]


@dataclass(eq=False)
class Output:
    """One output of a code cell, as nbformat v4 stores it (multiline strings joined).

    Keys this class does not know are kept in ``extra`` so they survive a round trip.
    ``display_id`` comes from the kernel's transient dict and is never saved.
    A stream's ``text`` may end in ``\\r`` or ``\\b`` characters that only mark where the
    terminal cursor stands (see ``tnb.notebook.outputs.visible_text``).
    """

    output_type: str  # "stream" | "display_data" | "execute_result" | "error" | unknown
    name: str = ""  # stream: "stdout" / "stderr"
    text: str = ""  # stream text
    data: dict[str, Any] = field(default_factory=dict)  # mime bundle
    metadata: dict[str, Any] = field(default_factory=dict)
    execution_count: int | None = None  # execute_result
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    display_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Output:
        """A deep copy (mime bundles and metadata included)."""
        return copy.deepcopy(self)


@dataclass(eq=False)
class Cell:
    """One cell. ``id`` is stable (nbformat 4.5); unknown keys live in ``extra``."""

    cell_type: CellType
    source: str = ""
    id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)  # code cells only
    execution_count: int | None = None  # code cells only
    attachments: dict[str, Any] | None = None  # markdown and raw cells
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, cell_type: CellType = "code", source: str = "") -> Cell:
        """A new empty cell of that type with a fresh id."""
        if cell_type not in CELL_TYPES:
            raise ValueError(f"unknown cell type {cell_type!r}")
        return cls(cell_type=cell_type, source=source, id=new_cell_id())

    def copy(self, *, new_id: bool = True) -> Cell:
        """A deep copy; with ``new_id`` (the default) it gets a fresh id, as a pasted cell does."""
        clone = copy.deepcopy(self)
        if new_id:
            clone.id = new_cell_id()
            # A file-given id kept for a pre-4.5 round trip belongs to the original only.
            clone.extra.pop("id", None)
        return clone


@dataclass(frozen=True)
class DiskState:
    """What a notebook file held when tnb last read or wrote it (see ``tnb.notebook.ondisk``).

    ``path`` is the file's real path (symlinks resolved); ``sha256`` is the hex digest of its
    bytes, computed from the bytes tnb already had in memory.
    """

    path: str
    mtime_ns: int
    size: int
    sha256: str


@dataclass(eq=False)
class Notebook:
    """A whole notebook document and where it lives on disk.

    Every editing method below marks the notebook ``dirty`` when it changes something;
    code that edits cells or outputs directly (the runner) sets ``dirty`` itself.
    Each time ``dirty`` is set true, ``revision`` goes up by one: a cheap way to tell that
    something changed since a given moment (the recovery journal skips unchanged writes).
    ``disk`` is what the file held when it was loaded or last saved (None for a new file).
    """

    cells: list[Cell] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    nbformat: int = 4
    nbformat_minor: int = 5
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # unknown top-level keys
    # Declared before ``dirty`` so that __init__ sets it first and Notebook(dirty=True) counts.
    revision: int = field(default=0, init=False, compare=False)
    dirty: bool = False
    is_new: bool = False  # the file did not exist yet: it is created on first save
    upgrade_notes: list[str] = field(default_factory=list)  # what saving will change
    disk: DiskState | None = None
    # A notebook opened from a Jupyter server (``path`` is None then): saved back there.
    remote: RemoteLocation | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        # Counting here (not in each editing method) also counts the runner's and the UI's
        # direct ``nb.dirty = True`` after they change cells or outputs themselves.
        if name == "dirty" and value:
            object.__setattr__(self, "revision", self.revision + 1)
        object.__setattr__(self, name, value)

    @classmethod
    def new(cls, path: Path | None = None) -> Notebook:
        """An empty nbformat 4.5 notebook with one empty code cell, as Jupyter makes one."""
        return cls(cells=[Cell.new()], path=path, is_new=True)

    @property
    def file_name(self) -> str | None:
        """The file's name, on this computer or on a server (None: never saved anywhere)."""
        if self.remote is not None:
            return self.remote.name
        return self.path.name if self.path is not None else None

    # -- what the document says about itself ---------------------------------------------

    @property
    def language(self) -> str:
        """The notebook's language: kernelspec.language, else language_info.name, else python."""
        for key, sub in (("kernelspec", "language"), ("language_info", "name")):
            section = self.metadata.get(key)
            if isinstance(section, dict):
                value = section.get(sub)
                if isinstance(value, str) and value:
                    return value
        return "python"

    @property
    def kernel_name(self) -> str | None:
        """metadata.kernelspec.name, the kernel this notebook was last run with, if any."""
        spec = self.metadata.get("kernelspec")
        name = spec.get("name") if isinstance(spec, dict) else None
        return name if isinstance(name, str) and name else None

    def record_kernel(
        self, kernelspec: dict[str, Any] | None, language_info: dict[str, Any] | None
    ) -> bool:
        """Record the kernel the notebook runs on (metadata.kernelspec, language_info), as
        Jupyter does, but only when it is another kernel than the one the file names.

        The same kernelspec name (or, for a kernel without a kernelspec, the same language)
        leaves the metadata as it was, down to the byte: a kernel's newer patch version or
        display name is no edit of the user's; only a missing language_info is filled in.
        True when the metadata changed.
        """
        if kernelspec is not None:
            current = self.metadata.get("kernelspec")
            same = isinstance(current, dict) and current.get("name") == kernelspec.get("name")
        else:
            info = self.metadata.get("language_info")
            same = language_info is None or (
                isinstance(info, dict) and info.get("name") == language_info.get("name")
            )
        if same:
            if language_info is None or isinstance(self.metadata.get("language_info"), dict):
                return False
            # The file never said which language it is (a hand-written or converted notebook):
            # fill it in, as Jupyter does, without touching the kernelspec.
            self.metadata["language_info"] = copy.deepcopy(language_info)
            self.dirty = True
            return True
        if kernelspec is not None:
            self.metadata["kernelspec"] = copy.deepcopy(kernelspec)
        if language_info is not None:
            self.metadata["language_info"] = copy.deepcopy(language_info)
        else:
            self.metadata.pop("language_info", None)  # it described the other kernel
        self.dirty = True
        return True

    def upgrade_format(self, minor: int) -> bool:
        """Raise the nbformat minor version saving writes to 4.``minor`` (never lowers it).

        From 4.5 on every cell is saved with an id: ids an older file carried are kept where
        they are valid and unique, as nbformat 4.5 requires, and replaced where not.
        True when the version changed.
        """
        if minor <= self.nbformat_minor:
            return False
        if minor >= FIRST_MINOR_WITH_IDS:
            seen: set[str] = set()
            for cell in self.cells:
                cell.extra.pop("id", None)
                if not _VALID_CELL_ID.fullmatch(cell.id) or cell.id in seen:
                    cell.id = new_cell_id()
                seen.add(cell.id)
        self.nbformat_minor = minor
        self.dirty = True
        return True

    def index_of(self, cell_id: str) -> int:
        """The position of the cell with that id; ValueError if there is none."""
        for index, cell in enumerate(self.cells):
            if cell.id == cell_id:
                return index
        raise ValueError(f"no cell with id {cell_id!r}")

    # -- editing operations -------------------------------------------------------------

    def insert_cell(self, index: int, cell_type: CellType = "code", source: str = "") -> Cell:
        """Insert a new cell before position ``index`` (len(cells) appends) and return it."""
        cell = Cell.new(cell_type, source)
        self.insert_cells(index, [cell])
        return cell

    def insert_cells(self, index: int, cells: list[Cell]) -> None:
        """Insert these cells (e.g. pasted copies) before position ``index``.

        A cell whose id is empty or already used in the notebook gets a fresh id, so ids stay
        unique as nbformat 4.5 requires.
        """
        if not cells:
            return
        index = _clamp(index, 0, len(self.cells))
        used = {cell.id for cell in self.cells}
        for cell in cells:
            if not cell.id or cell.id in used:
                cell.id = new_cell_id()
            used.add(cell.id)
        self.cells[index:index] = cells
        self.dirty = True

    def delete_cells(self, indices: Sequence[int]) -> list[tuple[int, Cell]]:
        """Delete the cells at these positions; returns ``(index, cell)`` pairs for undo.

        The pairs are in ascending order of their original positions, which is the order
        ``restore_cells`` needs.
        """
        positions = self._checked(indices)
        deleted = [(i, self.cells[i]) for i in positions]
        for i in reversed(positions):
            del self.cells[i]
        if deleted:
            self.dirty = True
        return deleted

    def restore_cells(self, deleted: list[tuple[int, Cell]]) -> None:
        """Put back cells removed by ``delete_cells`` (undo delete) at their old positions."""
        for index, cell in sorted(deleted, key=lambda pair: pair[0]):
            self.cells.insert(_clamp(index, 0, len(self.cells)), cell)
        if deleted:
            self.dirty = True

    def move_cells(self, indices: Sequence[int], delta: int) -> list[int]:
        """Move the selected cells together by ``delta`` positions; returns their new positions.

        The selection moves as one rigid block (gaps between selected cells are kept) and stops
        at the top or bottom of the notebook instead of wrapping or failing.
        """
        positions = self._checked(indices)
        if not positions:
            return []
        delta = _clamp(delta, -positions[0], len(self.cells) - 1 - positions[-1])
        if delta == 0:
            return positions
        moved = [p + delta for p in positions]
        selected = [self.cells[p] for p in positions]
        chosen = set(positions)
        others = iter([c for i, c in enumerate(self.cells) if i not in chosen])
        picked = iter(selected)
        targets = set(moved)
        self.cells = [
            next(picked) if i in targets else next(others) for i in range(len(self.cells))
        ]
        self.dirty = True
        return moved

    def split_cell(self, index: int, offset: int) -> Cell:
        """Split a cell's source at a character offset; returns the new cell placed after it.

        As JupyterLab does, leading and trailing newlines are dropped from both halves. Outputs,
        execution count and attachments stay on the first cell; the new one gets a copy of
        the metadata and a fresh id.
        """
        position = self._checked([index])[0]
        cell = self.cells[position]
        offset = _clamp(offset, 0, len(cell.source))
        head, tail = cell.source[:offset], cell.source[offset:]
        new = Cell(
            cell_type=cell.cell_type,
            source=tail.strip("\n"),
            id=new_cell_id(),
            metadata=copy.deepcopy(cell.metadata),
        )
        cell.source = head.strip("\n")
        self.insert_cells(position + 1, [new])
        return new

    def merge_cells(self, indices: Sequence[int]) -> Cell:
        """Merge the cells into the first one (sources joined with a newline, as JupyterLab does).

        The merged code cell loses its outputs and execution count (they no longer match its
        source); markdown attachments of all merged cells are kept.
        """
        positions = self._checked(indices)
        if not positions:
            raise ValueError("merge_cells needs at least one cell")
        first = self.cells[positions[0]]
        if len(positions) == 1:
            return first
        parts = [self.cells[p] for p in positions]
        first.source = "\n".join(cell.source for cell in parts)
        if first.cell_type == "code":
            first.outputs = []
            first.execution_count = None
        else:
            attachments: dict[str, Any] = {}
            for cell in parts:
                attachments.update(cell.attachments or {})
            first.attachments = attachments or first.attachments
        for p in reversed(positions[1:]):
            del self.cells[p]
        self.dirty = True
        return first

    def change_type(self, index: int, cell_type: CellType) -> None:
        """Turn a cell into code, markdown or raw.

        Leaving code drops outputs and execution count; only markdown and raw cells keep
        attachments.
        """
        if cell_type not in CELL_TYPES:
            raise ValueError(f"unknown cell type {cell_type!r}")
        cell = self.cells[self._checked([index])[0]]
        if cell.cell_type == cell_type:
            return
        if cell_type == "code":
            cell.attachments = None
        else:
            cell.outputs = []
            cell.execution_count = None
        cell.cell_type = cell_type
        self.dirty = True

    def set_source(self, index: int, text: str) -> None:
        """Replace a cell's source text."""
        cell = self.cells[self._checked([index])[0]]
        if cell.source != text:
            cell.source = text
            self.dirty = True

    def clear_outputs(self, indices: Sequence[int] | None = None) -> None:
        """Clear outputs and execution counts of these cells (None: every cell)."""
        positions = range(len(self.cells)) if indices is None else self._checked(indices)
        for p in positions:
            cell = self.cells[p]
            if cell.outputs or cell.execution_count is not None:
                cell.outputs = []
                cell.execution_count = None
                self.dirty = True

    def _checked(self, indices: Sequence[int]) -> list[int]:
        """Sorted unique positions (negatives count from the end); IndexError if out of range."""
        count = len(self.cells)
        positions: set[int] = set()
        for i in indices:
            if not -count <= i < count:
                raise IndexError(f"cell index {i} out of range (notebook has {count} cells)")
            positions.add(i % count)
        return sorted(positions)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
