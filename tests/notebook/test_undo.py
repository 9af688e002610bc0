"""Notebook-level undo and redo: each structural change is one step; text edits too."""

from __future__ import annotations

from collections.abc import Callable

from tnb.notebook.model import Cell, Notebook, Output
from tnb.notebook.undo import UndoHistory


def notebook() -> Notebook:
    cells = [Cell.new("code", f"c{i}") for i in range(4)]
    cells[1].outputs = [Output("stream", name="stdout", text="out\n")]
    cells[1].execution_count = 1
    return Notebook(cells=cells)


def sources(nb: Notebook) -> list[str]:
    return [cell.source for cell in nb.cells]


def test_every_structural_change_undoes_and_redoes() -> None:
    nb = notebook()
    history = UndoHistory(nb)
    steps: list[tuple[str, int | None, Callable[[], object]]] = [
        ("insert cell", None, lambda: nb.insert_cell(0, "code", "new")),
        ("delete cells", None, lambda: nb.delete_cells([3, 4])),
        ("move cells", None, lambda: nb.move_cells([0], 1)),
        ("merge cells", 1, lambda: nb.merge_cells([1, 2])),
        ("change to markdown", 1, lambda: nb.change_type(1, "markdown")),
    ]
    states = [sources(nb)]
    for label, touched, operation in steps:
        with history.change(label, [nb.cells[touched]] if touched is not None else []):
            operation()
        states.append(sources(nb))
    assert states[-1] == ["c0", "new\nc1"]
    assert history.undo_label == "change to markdown"
    for expected in reversed(states[:-1]):
        assert history.undo() is not None
        assert sources(nb) == expected
    assert history.undo() is None
    assert nb.cells[1].outputs and nb.cells[1].cell_type == "code"  # merge and type undone
    assert [c.source for c in nb.cells] == ["c0", "c1", "c2", "c3"]
    for expected in states[1:]:
        assert history.redo() is not None
        assert sources(nb) == expected


def test_split_undoes_to_one_cell_with_its_whole_source() -> None:
    nb = notebook()
    history = UndoHistory(nb)
    cell = nb.cells[0]
    cell.source = "head\ntail"
    with history.change("split cell", [cell]):
        nb.split_cell(0, 5)
    assert sources(nb)[:2] == ["head", "tail"]
    history.undo()
    assert sources(nb)[0] == "head\ntail" and len(nb.cells) == 4
    history.redo()
    assert sources(nb)[:2] == ["head", "tail"]


def test_a_finished_edit_is_one_step_after_the_structure_it_followed() -> None:
    nb = notebook()
    history = UndoHistory(nb)
    with history.change("insert cell"):
        nb.insert_cell(4, "code", "")
    added = nb.cells[4]
    added.source = "typed"
    history.record_edit(added, "", cursor=4)
    assert history.undo_label == "edit cell"
    history.undo()
    assert added.source == "" and added in nb.cells
    history.undo()
    assert added not in nb.cells


def test_nothing_changed_records_nothing_and_new_changes_drop_redo() -> None:
    nb = notebook()
    history = UndoHistory(nb)
    with history.change("move cells"):
        nb.move_cells([0], -1)  # already at the top: no change
    assert not history.can_undo
    with history.change("insert cell"):
        nb.insert_cell(0)
    history.undo()
    assert history.can_redo
    with history.change("delete cells"):
        nb.delete_cells([0])
    assert not history.can_redo


def test_history_is_bounded() -> None:
    nb = notebook()
    history = UndoHistory(nb, limit=3)
    for _ in range(5):
        with history.change("insert cell"):
            nb.insert_cell(0)
    assert sum(1 for _ in iter(history.undo, None)) == 3
    assert len(nb.cells) == 6
