"""The restore dialog's summary: what differs between the file and the journal, per cell."""

from __future__ import annotations

from tests.notebook import corpus
from tnb.notebook.celldiff import NotebookDiff, diff_notebooks
from tnb.notebook.io import loads_notebook
from tnb.notebook.model import Notebook, Output


def _pair(minor: int = 5) -> tuple[Notebook, Notebook]:
    text = corpus.writes(corpus.at_minor(corpus.basic(), minor))
    return loads_notebook(text), loads_notebook(text)


def test_same_document_is_empty() -> None:
    old, new = _pair()
    diff = diff_notebooks(old, new)
    assert diff.empty and diff.summary() == "no changes"


def test_each_kind_of_change_is_counted() -> None:
    old, new = _pair()
    new.set_source(1, "edited")
    new.change_type(2, "markdown")
    new.insert_cell(0, "code", "added")
    new.delete_cells([len(new.cells) - 1])
    new.cells[4].outputs.append(Output("stream", name="stdout", text="more\n"))
    new.metadata["tags"] = ["x"]
    diff = diff_notebooks(old, new)
    assert diff == NotebookDiff(edited=2, added=1, deleted=1, outputs=1, metadata=True)
    assert diff.summary() == (
        "2 cells edited, 1 cell added, 1 cell deleted, outputs of 1 cell, notebook metadata"
    )


def test_moves_are_reported_as_reordering() -> None:
    old, new = _pair()
    new.move_cells([0], 2)
    assert diff_notebooks(old, new) == NotebookDiff(reordered=True)


def test_ignored_outputs_are_not_compared() -> None:
    old, new = _pair()
    new.cells[1].outputs = []
    assert diff_notebooks(old, new).outputs == 1
    assert diff_notebooks(old, new, ignore_outputs_of={new.cells[1].id}).empty


def test_files_without_ids_are_matched_by_content() -> None:
    # Every load of a 4.4 notebook gives its cells fresh ids: nothing can match by id.
    old, new = _pair(minor=4)
    assert not {c.id for c in old.cells} & {c.id for c in new.cells}
    assert diff_notebooks(old, new).empty
    new.insert_cell(0, "markdown", "# new")
    new.set_source(3, "edited")
    new.delete_cells([len(new.cells) - 1])
    assert diff_notebooks(old, new) == NotebookDiff(edited=1, added=1, deleted=1)


def test_empty_side() -> None:
    _, new = _pair()
    assert diff_notebooks(Notebook(), new) == NotebookDiff(added=6, metadata=True)
    assert diff_notebooks(new, Notebook(cells=[], metadata=new.metadata)).deleted == 6


def test_summary_is_for_the_dialog() -> None:
    assert NotebookDiff(edited=3).summary() == "3 cells edited"
