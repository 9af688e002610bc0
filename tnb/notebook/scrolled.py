"""Scrolled outputs: a code cell's ``metadata.scrolled`` as JupyterLab reads and writes it."""

from __future__ import annotations

from tnb.notebook.model import Cell, Notebook

SCROLLED_KEY = "scrolled"


def scrolled_setting(cell: Cell) -> bool | None:
    """``True`` or ``False`` when the cell says; ``None`` ("auto", or nothing) leaves it to size."""
    value = cell.metadata.get(SCROLLED_KEY)
    return value if isinstance(value, bool) else None


def set_scrolled(notebook: Notebook, cell: Cell, scrolled: bool, *, default: bool) -> bool:
    """Record the cell's output scrolling; True if the metadata changed.

    As JupyterLab: ``scrolled: true`` when scrolled; the key is deleted when the output shows
    as it would anyway (``default``), so toggling back leaves the file as it was. An output
    shown whole although it is long enough to scroll by itself keeps ``scrolled: false``.
    """
    if scrolled == default and cell.metadata.get(SCROLLED_KEY) != "auto":
        if SCROLLED_KEY not in cell.metadata:
            return False
        del cell.metadata[SCROLLED_KEY]
    elif cell.metadata.get(SCROLLED_KEY) is scrolled:
        return False
    else:
        cell.metadata[SCROLLED_KEY] = scrolled
    notebook.dirty = True
    return True
