"""Files that are not notebooks: a NotebookError naming the file and the problem; no writes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import tnb.notebook.io
from tests.notebook import corpus
from tnb.notebook.io import NotebookError, load_notebook, loads_notebook, save_notebook

DATA = Path(__file__).parent / "data"


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def _load_error(path: Path) -> str:
    """Load a bad file from a private copy; assert the error names it and nothing was written."""
    before = _snapshot(path.parent)
    with pytest.raises(NotebookError) as info:
        load_notebook(path)
    assert _snapshot(path.parent) == before
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    return message


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    # Stored as .json so that ruff, which formats and lints .ipynb files, leaves them alone.
    for item in DATA.iterdir():
        shutil.copy(item, tmp_path / f"{item.stem}.ipynb")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bad_json.ipynb",
            "not valid JSON: Expecting property name enclosed in double quotes (line 3, column 41)",
        ),
        (
            "truncated.ipynb",
            "Unterminated string starting at (line 13, column 7); the file looks cut short",
        ),
        ("empty.ipynb", "the file is empty"),
        ("binary.ipynb", "not UTF-8 text (byte 0x89 at offset 0); is it a binary file?"),
        ("future_nbformat5.ipynb", "nbformat 5.0 is newer than tnb understands"),
        ("not_a_notebook.ipynb", "not a notebook: not a notebook: no 'nbformat' key"),
        ("cells_not_a_list.ipynb", "not a notebook: cells: expected a list, found an object"),
    ],
)
def test_bad_data_files(workdir: Path, name: str, expected: str) -> None:
    assert expected in _load_error(workdir / name)


def test_truncated_file_says_it_looks_cut_short(tmp_path: Path) -> None:
    text = corpus.writes(corpus.basic())
    path = tmp_path / "cut.ipynb"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    message = _load_error(path)
    assert "line " in message and "column " in message
    assert "cut short" in message


def test_invalid_utf8_inside_json(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ipynb"
    text = corpus.writes(corpus.no_cells()).replace('"metadata": {', '"metadata": {"t": "caf\xe9",')
    path.write_bytes(text.encode("latin-1"))
    assert "not UTF-8 text (byte 0xe9" in _load_error(path)


def _nested_metadata(depth: int) -> str:
    nested = "[" * depth + "]" * depth
    return corpus.writes(corpus.no_cells()).replace(
        '"metadata": {', f'"metadata": {{"d": {nested},'
    )


def test_absurdly_deep_nesting_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.ipynb"
    path.write_text(_nested_metadata(100_000), encoding="utf-8")
    assert "not a notebook: JSON nested too deeply" in _load_error(path)


def test_deep_but_parseable_nesting_opens_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "deep.ipynb"
    path.write_text(_nested_metadata(400), encoding="utf-8")
    nb = load_notebook(path)
    nb.metadata["edited"] = True
    nb.dirty = True
    save_notebook(nb)
    again = load_notebook(path)
    assert again.metadata["d"] == nb.metadata["d"] and again.metadata["edited"] is True


def test_huge_cell_opens_and_saves_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.ipynb"
    source = "x = 1  # padding\n" * 1_500_000  # 25 MB in one cell
    nb = loads_notebook(corpus.writes(corpus.no_cells()))
    nb.insert_cell(0, "code", source)
    save_notebook(nb, path)
    again = load_notebook(path)
    assert len(again.cells) == 1 and again.cells[0].source == source


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.ipynb"
    path.write_text("\n  \n", encoding="utf-8")
    assert "empty" in _load_error(path)


def test_folder_and_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "dir.ipynb"
    folder.mkdir()
    assert "is a folder" in _load_error(folder)
    with pytest.raises(NotebookError, match=r"missing\.ipynb: no such file"):
        load_notebook(tmp_path / "missing.ipynb", missing_ok=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.ipynb"]


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(NotebookError, match="cannot be read"):
        load_notebook(tmp_path / "file" / "nb.ipynb")


def test_missing_file_opens_a_new_notebook_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.ipynb"
    nb = load_notebook(path)
    assert nb.is_new and not nb.dirty
    assert nb.path == path
    assert [(c.cell_type, c.source) for c in nb.cells] == [("code", "")]
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert list(tmp_path.iterdir()) == []


def _valid() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(corpus.writes(corpus.basic()))
    return result


def _set(d: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        d = d[key]
    if value is _DELETE:
        del d[path[-1]]
    else:
        d[path[-1]] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("cells",), _DELETE, "cells: missing"),
        (("cells",), "nope", "cells: expected a list, found a string"),
        (("nbformat",), "4", "nbformat: expected an integer, found a string"),
        (("nbformat",), True, "nbformat: expected an integer, found true or false"),
        (("nbformat",), 0, "nbformat 0 does not exist"),
        (("nbformat",), 99, "nbformat 99.5 is newer"),
        (("nbformat_minor",), _DELETE, "nbformat_minor: missing"),
        (("nbformat_minor",), 4.5, "nbformat_minor: expected an integer, found a number"),
        (("metadata",), [], "metadata: expected an object, found a list"),
        (("cells", 1), "cell", "cells[1]: expected an object, found a string"),
        (("cells", 1, "cell_type"), _DELETE, "cells[1].cell_type: expected a string, found null"),
        (("cells", 1, "cell_type"), "heading", "unknown cell type 'heading'"),
        (("cells", 1, "source"), 42, "cells[1].source: expected a string or a list of strings"),
        (
            ("cells", 1, "source"),
            ["a", 1],
            "cells[1].source: expected a string or a list of strings",
        ),
        (("cells", 1, "id"), 7, "cells[1].id: expected a string, found an integer"),
        (("cells", 1, "metadata"), None, "cells[1].metadata: expected an object, found null"),
        (("cells", 1, "execution_count"), "1", "cells[1].execution_count: expected an integer"),
        (("cells", 1, "outputs"), {}, "cells[1].outputs: expected a list, found an object"),
        (("cells", 1, "outputs", 0), [], "cells[1].outputs[0]: expected an object"),
        (("cells", 1, "outputs", 0, "output_type"), 3, "cells[1].outputs[0].output_type"),
        (("cells", 1, "outputs", 0, "text"), {"a": 1}, "cells[1].outputs[0].text"),
        (("cells", 1, "outputs", 2, "data"), "2", "cells[1].outputs[2].data: expected an object"),
        (("cells", 3, "outputs", 0, "traceback"), "tb", "cells[3].outputs[0].traceback"),
        (("cells", 3, "outputs", 0, "traceback"), ["ok", None], "traceback[1]"),
        (("cells", 0, "attachments"), [], "cells[0].attachments: expected an object"),
        (("cells", 0, "attachments"), {"a.png": "x"}, "cells[0].attachments['a.png']"),
    ],
)
def test_valid_json_that_is_not_a_notebook(
    tmp_path: Path, path: tuple[Any, ...], value: Any, expected: str
) -> None:
    d = _valid()
    _set(d, path, value)
    file = tmp_path / "wrong.ipynb"
    file.write_text(json.dumps(d), encoding="utf-8")
    message = _load_error(file)
    assert expected in message


@pytest.mark.parametrize(
    "text",
    ["[1, 2]", '"a notebook"', "null", "42", "{}", '{"cells": []}', "[" * 100_000, "1" * 5000],
)
def test_json_that_is_no_notebook_at_all(text: str) -> None:
    with pytest.raises(NotebookError) as info:
        loads_notebook(text, source="x.ipynb")
    assert str(info.value).startswith("x.ipynb: ")


def test_broken_old_notebook_is_a_notebook_error() -> None:
    with pytest.raises(NotebookError, match=r"nbformat 3\.0 could not be converted"):
        loads_notebook('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": 5}')


def test_unreadable_file_gives_a_notebook_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.ipynb"
    path.write_text(corpus.writes(corpus.basic()), encoding="utf-8")

    def deny(file: Any, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, os.strerror(13), str(file))

    # Tests run as root, where chmod does not stop reads; a module global shadows the builtin.
    monkeypatch.setattr(tnb.notebook.io, "open", deny, raising=False)
    with pytest.raises(NotebookError, match="cannot be read: Permission denied"):
        load_notebook(path)
