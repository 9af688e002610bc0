"""The editing operations on Notebook and Cell, and the dirty flag they set."""

from __future__ import annotations

import re

import pytest

from tnb.notebook.model import Cell, Notebook, Output


def _nb(*sources: str) -> Notebook:
    return Notebook(cells=[Cell.new("code", s) for s in sources])


def _sources(nb: Notebook) -> list[str]:
    return [c.source for c in nb.cells]


def _ran(cell: Cell) -> Cell:
    cell.execution_count = 3
    cell.outputs = [Output("stream", name="stdout", text="out\n")]
    return cell


def test_new_cell_has_a_fresh_nbformat_id() -> None:
    ids = {Cell.new().id for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)
    cell = Cell.new("markdown", "# hi")
    assert (cell.cell_type, cell.source, cell.outputs, cell.attachments) == (
        "markdown",
        "# hi",
        [],
        None,
    )
    with pytest.raises(ValueError, match="unknown cell type"):
        Cell.new("heading")  # type: ignore[arg-type]


def test_copy_is_deep_and_gets_a_new_id_unless_told() -> None:
    cell = _ran(Cell.new("code", "x"))
    cell.metadata["tags"] = ["a"]
    clone = cell.copy()
    assert clone.id != cell.id
    clone.metadata["tags"].append("b")
    clone.outputs[0].text = "changed"
    assert cell.metadata["tags"] == ["a"]
    assert cell.outputs[0].text == "out\n"
    assert cell.copy(new_id=False).id == cell.id


def test_insert_cell_and_cells() -> None:
    nb = _nb("a", "b")
    new = nb.insert_cell(1, "markdown", "m")
    assert _sources(nb) == ["a", "m", "b"]
    assert nb.cells[1] is new and nb.dirty
    nb.insert_cell(len(nb.cells))
    assert _sources(nb) == ["a", "m", "b", ""]
    pasted = [nb.cells[0].copy(new_id=False), Cell("raw", "r")]
    nb.insert_cells(0, pasted)
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(ids)  # duplicate and empty ids replaced
    assert _sources(nb) == ["a", "r", "a", "m", "b", ""]


def test_delete_and_restore_is_an_exact_undo() -> None:
    nb = _nb("0", "1", "2", "3", "4")
    before = list(nb.cells)
    deleted = nb.delete_cells([3, 1, -1])
    assert [i for i, _ in deleted] == [1, 3, 4]
    assert _sources(nb) == ["0", "2"]
    assert nb.dirty
    nb.dirty = False
    nb.restore_cells(deleted)
    assert nb.cells == before and nb.dirty


def test_delete_everything_and_bad_index() -> None:
    nb = _nb("a")
    nb.delete_cells([0])
    assert nb.cells == []
    with pytest.raises(IndexError):
        nb.delete_cells([0])


@pytest.mark.parametrize(
    ("indices", "delta", "new_indices", "order"),
    [
        ([1], -1, [0], "10234"),
        ([1, 2], 1, [2, 3], "03124"),
        ([1, 2], 5, [3, 4], "03412"),  # clamped at the bottom
        ([0, 1], -1, [0, 1], "01234"),  # already at the top: nothing moves
        ([4], 1, [4], "01234"),
        ([1, 3], -1, [0, 2], "10324"),  # the gap between selected cells is kept
        ([1, 3], 9, [2, 4], "02143"),
        ([], 1, [], "01234"),
    ],
)
def test_move_cells(indices: list[int], delta: int, new_indices: list[int], order: str) -> None:
    nb = _nb(*"01234")
    assert nb.move_cells(indices, delta) == new_indices
    assert "".join(_sources(nb)) == order
    assert nb.dirty == (order != "01234")


def test_split_cell_as_jupyterlab_does() -> None:
    nb = _nb("a = 1\nb = 2\n", "after")
    first = _ran(nb.cells[0])
    first.metadata["tags"] = ["t"]
    new = nb.split_cell(0, len("a = 1\n"))
    assert _sources(nb) == ["a = 1", "b = 2", "after"]
    assert nb.cells[1] is new and new.id != first.id
    assert first.outputs and first.execution_count == 3  # outputs stay on the first
    assert new.outputs == [] and new.execution_count is None
    assert new.metadata == {"tags": ["t"]} and new.metadata is not first.metadata
    assert nb.dirty


def test_split_at_the_ends_and_in_markdown() -> None:
    nb = Notebook(cells=[Cell.new("markdown", "text")])
    nb.cells[0].attachments = {"a.png": {"image/png": "x"}}
    nb.split_cell(0, 0)
    assert _sources(nb) == ["", "text"]
    assert nb.cells[1].cell_type == "markdown"
    assert nb.cells[0].attachments == {"a.png": {"image/png": "x"}}
    nb.split_cell(-1, 99)
    assert _sources(nb) == ["", "text", ""]


def test_merge_cells_joins_with_newline_into_the_first() -> None:
    nb = _nb("a", "b", "c", "d")
    _ran(nb.cells[0])
    first_id = nb.cells[0].id
    merged = nb.merge_cells([2, 0, 1])
    assert merged.id == first_id
    assert _sources(nb) == ["a\nb\nc", "d"]
    assert merged.outputs == [] and merged.execution_count is None
    assert nb.dirty


def test_merge_markdown_keeps_all_attachments() -> None:
    one, two = Cell.new("markdown", "one"), Cell.new("markdown", "two")
    one.attachments = {"a.png": {"image/png": "A"}}
    two.attachments = {"b.png": {"image/png": "B"}}
    nb = Notebook(cells=[one, two])
    nb.merge_cells([0, 1])
    assert nb.cells == [one]
    assert one.attachments == {"a.png": {"image/png": "A"}, "b.png": {"image/png": "B"}}


def test_merge_single_cell_changes_nothing() -> None:
    nb = _nb("a", "b")
    assert nb.merge_cells([1]) is nb.cells[1]
    assert _sources(nb) == ["a", "b"] and not nb.dirty


def test_change_type_drops_what_the_new_type_cannot_hold() -> None:
    nb = _nb("x")
    _ran(nb.cells[0])
    nb.change_type(0, "markdown")
    cell = nb.cells[0]
    assert (cell.cell_type, cell.outputs, cell.execution_count) == ("markdown", [], None)
    cell.attachments = {"a.png": {"image/png": "A"}}
    nb.change_type(0, "raw")
    assert cell.attachments == {"a.png": {"image/png": "A"}}
    nb.change_type(0, "code")
    cell = nb.cells[0]  # a fresh name: mypy would keep the narrowed attachments type
    assert cell.attachments is None and cell.cell_type == "code"
    nb.dirty = False
    nb.change_type(0, "code")
    assert not nb.dirty
    with pytest.raises(ValueError, match="unknown cell type"):
        nb.change_type(0, "html")  # type: ignore[arg-type]


def test_set_source_marks_dirty_only_on_change() -> None:
    nb = _nb("a")
    nb.set_source(0, "a")
    assert not nb.dirty
    nb.set_source(0, "b")
    assert nb.cells[0].source == "b" and nb.dirty


def test_clear_outputs() -> None:
    nb = _nb("a", "b", "c")
    for cell in nb.cells:
        _ran(cell)
    nb.clear_outputs([1])
    assert [bool(c.outputs) for c in nb.cells] == [True, False, True]
    assert nb.cells[1].execution_count is None and nb.dirty
    nb.clear_outputs()
    assert all(not c.outputs and c.execution_count is None for c in nb.cells)
    nb.dirty = False
    nb.clear_outputs()
    assert not nb.dirty


@pytest.mark.parametrize(
    ("metadata", "language"),
    [
        ({}, "python"),
        ({"kernelspec": {"language": "julia", "name": "julia-1.10"}}, "julia"),
        ({"language_info": {"name": "bash"}}, "bash"),
        ({"kernelspec": {"name": "x"}, "language_info": {"name": "R"}}, "R"),
        ({"kernelspec": "broken", "language_info": ["broken"]}, "python"),
    ],
)
def test_language(metadata: dict[str, object], language: str) -> None:
    assert Notebook(metadata=dict(metadata)).language == language


BASH = {"display_name": "Bash", "language": "bash", "name": "bash"}
BASH_INFO = {"name": "bash", "version": "5.2"}


def test_record_kernel_writes_a_kernel_the_file_does_not_name() -> None:
    nb = Notebook()
    assert nb.kernel_name is None
    assert nb.record_kernel(BASH, BASH_INFO)
    assert nb.kernel_name == "bash" and nb.language == "bash" and nb.dirty
    assert nb.metadata["language_info"] == BASH_INFO
    nb.dirty = False
    python = {"display_name": "Python 3", "language": "python", "name": "python3"}
    assert nb.record_kernel(python, None)  # another kernel: its language_info is unknown
    assert nb.kernel_name == "python3" and "language_info" not in nb.metadata and nb.dirty


def test_record_kernel_leaves_the_same_kernel_as_the_file_has_it() -> None:
    spec = {"display_name": "Bash (old name)", "language": "bash", "name": "bash", "x": 1}
    info = {"name": "bash", "version": "4.0"}
    nb = Notebook(metadata={"kernelspec": dict(spec), "language_info": dict(info)})
    assert not nb.record_kernel(BASH, BASH_INFO)
    assert nb.metadata == {"kernelspec": spec, "language_info": info} and not nb.dirty


def test_record_kernel_fills_in_a_missing_language_info_only() -> None:
    spec = {"display_name": "Bash (old name)", "language": "bash", "name": "bash"}
    nb = Notebook(metadata={"kernelspec": dict(spec)})
    assert nb.record_kernel(BASH, BASH_INFO) and nb.dirty
    assert nb.metadata == {"kernelspec": spec, "language_info": BASH_INFO}


def test_record_kernel_without_a_kernelspec_compares_languages() -> None:
    nb = Notebook(metadata={"language_info": {"name": "python", "version": "3.9"}})
    assert not nb.record_kernel(None, {"name": "python", "version": "3.12"})
    assert not nb.record_kernel(None, None) and not nb.dirty
    assert nb.record_kernel(None, BASH_INFO) and nb.metadata["language_info"] == BASH_INFO


def test_upgrade_format_only_raises_and_makes_ids_valid_and_unique() -> None:
    nb = _nb("a", "b", "c")
    nb.nbformat_minor = 4
    nb.cells[0].id, nb.cells[1].id, nb.cells[2].id = "keep-me", "keep-me", "not valid!"
    nb.cells[0].extra["id"] = "keep-me"
    nb.dirty = False
    assert not nb.upgrade_format(3) and not nb.upgrade_format(4) and not nb.dirty
    assert nb.upgrade_format(5) and nb.nbformat_minor == 5 and nb.dirty
    ids = [c.id for c in nb.cells]
    assert ids[0] == "keep-me" and len(set(ids)) == 3
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", i) for i in ids)
    assert all("id" not in c.extra for c in nb.cells)


def test_index_of() -> None:
    nb = _nb("a", "b")
    assert nb.index_of(nb.cells[1].id) == 1
    with pytest.raises(ValueError, match="no cell"):
        nb.index_of("nope")


def test_new_notebook() -> None:
    nb = Notebook.new()
    assert nb.is_new and not nb.dirty and len(nb.cells) == 1 and nb.cells[0].cell_type == "code"
