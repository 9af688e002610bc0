"""What differs between two versions of a notebook, counted per cell, for a one-line summary."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from tnb.notebook.convert import cell_to_json
from tnb.notebook.model import Cell, Notebook

__all__ = ["NotebookDiff", "diff_notebooks"]


@dataclass(frozen=True)
class NotebookDiff:
    """Counts of what ``new`` changes in ``old`` (see ``diff_notebooks``)."""

    edited: int = 0  # source, type, metadata or attachments differ
    added: int = 0
    deleted: int = 0
    outputs: int = 0  # only outputs or execution count differ
    reordered: bool = False
    metadata: bool = False  # notebook-level metadata

    @property
    def empty(self) -> bool:
        """The two versions hold the same document."""
        return self == NotebookDiff()

    def summary(self) -> str:
        """e.g. ``2 cells edited, 1 added, outputs of 3 cells`` (or ``no changes``)."""
        parts = []
        if self.edited:
            parts.append(f"{_cells(self.edited)} edited")
        if self.added:
            parts.append(f"{_cells(self.added)} added")
        if self.deleted:
            parts.append(f"{_cells(self.deleted)} deleted")
        if self.outputs:
            parts.append(f"outputs of {_cells(self.outputs)}")
        if self.reordered:
            parts.append("cells reordered")
        if self.metadata:
            parts.append("notebook metadata")
        return ", ".join(parts) or "no changes"


def diff_notebooks(
    old: Notebook, new: Notebook, *, ignore_outputs_of: Collection[str] = ()
) -> NotebookDiff:
    """Compare two versions of a notebook cell by cell.

    Cells are matched by id; cells left unmatched on both sides (a pre-4.5 file gets fresh ids
    on every load) are then paired by position. Outputs of cells whose ids are in
    ``ignore_outputs_of`` are not compared.
    """
    old_by_id = {c.id: c for c in old.cells}
    new_ids = {c.id for c in new.cells}
    edited = outputs = 0
    for cell in new.cells:
        before = old_by_id.get(cell.id)
        if before is not None:
            kind = _compare(before, cell, cell.id in ignore_outputs_of)
            edited += kind == "edited"
            outputs += kind == "outputs"
    lone_old = [c for c in old.cells if c.id not in new_ids]
    lone_new = [c for c in new.cells if c.id not in old_by_id]
    for before, after in zip(lone_old, lone_new, strict=False):
        kind = _compare(before, after, after.id in ignore_outputs_of)
        # A position-paired cell that differs counts as edited, whatever the difference.
        edited += kind != "same"
    common_old = [c.id for c in old.cells if c.id in new_ids]
    common_new = [c.id for c in new.cells if c.id in old_by_id]
    return NotebookDiff(
        edited=edited,
        added=max(0, len(lone_new) - len(lone_old)),
        deleted=max(0, len(lone_old) - len(lone_new)),
        outputs=outputs,
        reordered=common_old != common_new,
        metadata=old.metadata != new.metadata,
    )


def _compare(old: Cell, new: Cell, ignore_outputs: bool) -> str:
    a, b = cell_to_json(old, with_id=False), cell_to_json(new, with_id=False)
    outputs_a = (a.pop("outputs", None), a.pop("execution_count", None))
    outputs_b = (b.pop("outputs", None), b.pop("execution_count", None))
    if a != b:
        return "edited"
    if not ignore_outputs and outputs_a != outputs_b:
        return "outputs"
    return "same"


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"
