"""Notebook-level undo and redo: every structural change is one command, as JupyterLab has it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tnb.notebook.model import Cell, CellType, Notebook


@dataclass(frozen=True)
class CellState:
    """What an operation may change in a cell (outputs by reference: they are replaced, not
    mutated, by the operations that change them)."""

    cell_type: CellType
    source: str
    outputs: list[Any]
    execution_count: int | None
    attachments: dict[str, Any] | None

    @classmethod
    def of(cls, cell: Cell) -> CellState:
        """The cell as it is now."""
        return cls(
            cell.cell_type, cell.source, cell.outputs, cell.execution_count, cell.attachments
        )

    def apply(self, cell: Cell) -> None:
        """Put the cell back in this state."""
        cell.cell_type = self.cell_type
        cell.source = self.source
        cell.outputs = self.outputs
        cell.execution_count = self.execution_count
        cell.attachments = self.attachments


@dataclass(frozen=True)
class Snapshot:
    """The order of the cells (the cells themselves are shared) and the state of a few of them."""

    cells: tuple[Cell, ...]
    states: tuple[tuple[Cell, CellState], ...]
    cursor: int

    @classmethod
    def take(cls, notebook: Notebook, touched: Iterable[Cell], cursor: int) -> Snapshot:
        """The notebook now, with the state of the ``touched`` cells."""
        return cls(
            tuple(notebook.cells),
            tuple((c, CellState.of(c)) for c in dict.fromkeys(touched)),
            cursor,
        )

    def restore(self, notebook: Notebook) -> None:
        """Make the notebook look like this again."""
        for cell, state in self.states:
            state.apply(cell)
        notebook.cells[:] = self.cells
        notebook.dirty = True


@dataclass
class Change:
    """One undoable step: how the notebook was before and after it."""

    label: str
    before: Snapshot
    after: Snapshot | None = None
    touched: list[Cell] = field(default_factory=list)
    cursor_after: int | None = None

    def touch(self, *cells: Cell) -> None:
        """Also remember these cells' state after the change (e.g. the halves of a split)."""
        self.touched.extend(cells)


class UndoHistory:
    """Undo and redo of the notebook's structure: insert, delete, move, merge, split, change of
    type, paste, replace all, and each finished edit of a cell's text.

    Each step keeps the order of the cells and the state of the cells it changed, so memory
    is a list of references per step, not a copy of the notebook.
    """

    def __init__(self, notebook: Notebook, *, limit: int = 200) -> None:
        self.notebook = notebook
        self.limit = limit
        self._undo: list[Change] = []
        self._redo: list[Change] = []

    @property
    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone step to redo."""
        return bool(self._redo)

    @property
    def undo_label(self) -> str | None:
        """What undo would undo."""
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        """What redo would redo."""
        return self._redo[-1].label if self._redo else None

    @contextmanager
    def change(
        self, label: str, touched: Iterable[Cell] = (), *, cursor: int = 0
    ) -> Iterator[Change]:
        """Record the operation run inside the ``with`` block as one step.

        ``touched`` are the cells whose content the operation may change (their state is kept
        for undo); cells it only inserts, deletes or moves need not be named. Nothing is
        recorded when the block raises or changes nothing.
        """
        touched = list(touched)
        step = Change(label, Snapshot.take(self.notebook, touched, cursor), touched=touched)
        yield step
        after = Snapshot.take(
            self.notebook,
            step.touched,
            step.cursor_after if step.cursor_after is not None else cursor,
        )
        if after.cells == step.before.cells and all(
            state == CellState.of(cell) for cell, state in step.before.states
        ):
            return
        step.after = after
        self._push(step)

    def record_edit(self, cell: Cell, before: str, *, cursor: int) -> None:
        """A cell's text was edited from ``before`` to what it holds now (one editing session)."""
        if cell.source == before or cell not in self.notebook.cells:
            return
        old = CellState.of(cell)
        old = CellState(old.cell_type, before, old.outputs, old.execution_count, old.attachments)
        cells = tuple(self.notebook.cells)
        step = Change(
            "edit cell",
            Snapshot(cells, ((cell, old),), cursor),
            Snapshot(cells, ((cell, CellState.of(cell)),), cursor),
        )
        self._push(step)

    def _push(self, step: Change) -> None:
        self._undo.append(step)
        del self._undo[: -self.limit]
        self._redo.clear()

    def undo(self) -> Change | None:
        """Undo the last step; returns it (its ``before.cursor`` is where the user was)."""
        if not self._undo:
            return None
        step = self._undo.pop()
        step.before.restore(self.notebook)
        self._redo.append(step)
        return step

    def redo(self) -> Change | None:
        """Redo the last undone step; returns it."""
        if not self._redo:
            return None
        step = self._redo.pop()
        assert step.after is not None
        step.after.restore(self.notebook)
        self._undo.append(step)
        return step
