"""What differs between two versions of a notebook, counted per cell, for a one-line summary."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from difflib import SequenceMatcher

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
    uncounted: bool = False  # too deeply nested to compare: differences not counted

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
        if self.uncounted:
            parts.append("changes not counted (deeply nested data)")
        return ", ".join(parts) or "no changes"


def diff_notebooks(
    old: Notebook, new: Notebook, *, ignore_outputs_of: Collection[str] = ()
) -> NotebookDiff:
    """Compare two versions of a notebook cell by cell.

    Cells are matched by id. When the two share no id at all (a pre-4.5 file gets fresh ids
    on every load) they are matched by content instead, as ``diff`` matches lines, and a
    moved cell counts as deleted and added. Outputs of cells whose ids are in
    ``ignore_outputs_of`` are not compared.
    """
    old_by_id = {c.id: c for c in old.cells}
    common = [c.id for c in new.cells if c.id in old_by_id]
    metadata = old.metadata != new.metadata
    if not common and old.cells and new.cells:
        return _diff_by_content(old.cells, new.cells, ignore_outputs_of, metadata=metadata)
    edited = outputs = 0
    for cell in new.cells:
        before = old_by_id.get(cell.id)
        if before is not None:
            kind = _compare(before, cell, cell.id in ignore_outputs_of)
            edited += kind == "edited"
            outputs += kind == "outputs"
    new_ids = set(common)
    return NotebookDiff(
        edited=edited,
        added=len(new.cells) - len(common),
        deleted=len(old.cells) - len(common),
        outputs=outputs,
        reordered=[c.id for c in old.cells if c.id in new_ids] != common,
        metadata=metadata,
    )


def _diff_by_content(
    old: list[Cell], new: list[Cell], ignore_outputs_of: Collection[str], *, metadata: bool
) -> NotebookDiff:
    keys_old = [_content_key(c) for c in old]
    keys_new = [_content_key(c) for c in new]
    edited = added = deleted = outputs = 0
    matcher = SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                outputs += _compare(before, after, after.id in ignore_outputs_of) == "outputs"
        else:
            paired = min(i2 - i1, j2 - j1)
            edited += paired
            added += (j2 - j1) - paired
            deleted += (i2 - i1) - paired
    return NotebookDiff(edited, added, deleted, outputs, reordered=False, metadata=metadata)


def _content_key(cell: Cell) -> str:
    d = cell_to_json(cell, with_id=False)
    d.pop("outputs", None)
    d.pop("execution_count", None)
    return json.dumps(d, sort_keys=True)


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
