"""Conversion between nbformat v4 JSON (as parsed from the file) and the model's dataclasses."""

from __future__ import annotations

from typing import Any

from tnb.notebook.errors import SchemaError
from tnb.notebook.jsonshape import (
    describe,
    expect_count,
    expect_dict,
    expect_int,
    expect_list,
    expect_str,
    join_bundle,
    join_multiline,
    split_bundle,
    split_multiline,
)
from tnb.notebook.model import (
    CELL_TYPES,
    FIRST_MINOR_WITH_IDS,
    Cell,
    Notebook,
    new_cell_id,
)
from tnb.notebook.outputs import output_from_json, output_to_json

_CELL_KEYS = frozenset(
    {"cell_type", "id", "source", "metadata", "outputs", "execution_count", "attachments"}
)
_NOTEBOOK_KEYS = frozenset({"cells", "metadata", "nbformat", "nbformat_minor"})
# nbformat's strip_transient drops these on every read and write.
_TRANSIENT_NOTEBOOK_METADATA = ("orig_nbformat", "orig_nbformat_minor", "signature")


def cell_from_json(value: Any, where: str, *, ids_expected: bool) -> Cell:
    """A Cell from one entry of the file's ``cells`` list.

    A missing id gets a fresh one. In a pre-4.5 notebook (``ids_expected`` false) an id found
    in the file is also kept in ``extra`` so that it is written back as it was.
    """
    d = expect_dict(value, where)
    cell_type = expect_str(d.get("cell_type"), f"{where}.cell_type")
    if cell_type not in CELL_TYPES:
        raise SchemaError(
            f"{where}.cell_type",
            f"unknown cell type {cell_type!r} (expected code, markdown or raw)",
        )
    extra = {k: v for k, v in d.items() if k not in _CELL_KEYS}
    cell_id = d.get("id")
    if cell_id is None:
        cell_id = new_cell_id()
    else:
        expect_str(cell_id, f"{where}.id")
        if not ids_expected:
            extra["id"] = cell_id
    cell = Cell(
        cell_type=cell_type,
        source=join_multiline(d.get("source", ""), f"{where}.source"),
        id=cell_id,
        metadata=expect_dict(d.get("metadata", {}), f"{where}.metadata"),
        extra=extra,
    )
    if "attachments" in d:
        attachments = expect_dict(d["attachments"], f"{where}.attachments")
        cell.attachments = {
            name: join_bundle(bundle, f"{where}.attachments[{name!r}]")
            for name, bundle in attachments.items()
        }
    if cell_type == "code":
        cell.execution_count = expect_count(d.get("execution_count"), f"{where}.execution_count")
        outputs = expect_list(d.get("outputs", []), f"{where}.outputs")
        cell.outputs = [output_from_json(o, f"{where}.outputs[{i}]") for i, o in enumerate(outputs)]
    else:
        # Code-only keys on a markdown or raw cell are not ours to drop.
        for key in ("outputs", "execution_count"):
            if key in d:
                extra[key] = d[key]
    return cell


def cell_to_json(cell: Cell, *, with_id: bool, split_lines: bool = True) -> dict[str, Any]:
    """The cell as nbformat's writer stores it (multiline strings as one string unless
    ``split_lines``). Shares nested values: serialize, don't mutate."""
    out = dict(cell.extra)
    out["cell_type"] = cell.cell_type
    if with_id:
        out["id"] = cell.id
    metadata = cell.metadata
    if "trusted" in metadata:
        metadata = {k: v for k, v in metadata.items() if k != "trusted"}
    out["metadata"] = metadata
    out["source"] = split_multiline(cell.source) if split_lines else cell.source
    if cell.attachments is not None:
        out["attachments"] = (
            {name: split_bundle(b) for name, b in cell.attachments.items()}
            if split_lines
            else cell.attachments
        )
    if cell.cell_type == "code":
        out["execution_count"] = cell.execution_count
        out["outputs"] = [output_to_json(o, split_lines=split_lines) for o in cell.outputs]
    return out


def notebook_from_json(value: Any) -> Notebook:
    """A Notebook from a parsed nbformat 4 file; upgrade notes say what saving will change.

    Raises:
        SchemaError: the JSON is not an nbformat 4 notebook (``where`` names the bad part).
    """
    d = expect_dict(value, "top level")
    major = expect_int(d.get("nbformat"), "nbformat")
    if major != 4:
        raise SchemaError("nbformat", f"expected 4 here, found {major}")
    if "nbformat_minor" not in d:
        raise SchemaError("nbformat_minor", "missing")
    minor = expect_int(d["nbformat_minor"], "nbformat_minor")
    if minor < 0:
        raise SchemaError("nbformat_minor", f"expected 0 or more, found {minor}")
    if "cells" not in d:
        raise SchemaError("cells", "missing (a notebook has a list of cells)")
    raw_cells = expect_list(d["cells"], "cells")
    metadata = expect_dict(d.get("metadata", {}), "metadata")
    for key in _TRANSIENT_NOTEBOOK_METADATA:
        if key in metadata:
            metadata = {k: v for k, v in metadata.items() if k not in _TRANSIENT_NOTEBOOK_METADATA}
    ids_expected = minor >= FIRST_MINOR_WITH_IDS
    cells = [
        cell_from_json(c, f"cells[{i}]", ids_expected=ids_expected) for i, c in enumerate(raw_cells)
    ]
    nb = Notebook(
        cells=cells,
        metadata=metadata,
        nbformat=4,
        nbformat_minor=minor,
        extra={k: v for k, v in d.items() if k not in _NOTEBOOK_KEYS},
    )
    if ids_expected:
        _repair_ids(nb, raw_cells)
    if "metadata" not in d:
        nb.upgrade_notes.append("the notebook has no metadata: an empty one is added on save")
    return nb


def _repair_ids(nb: Notebook, raw_cells: list[Any]) -> None:
    """Give missing and duplicate ids fresh ones, as nbformat's validator does, and say so."""
    missing = sum(1 for raw in raw_cells if "id" not in raw)
    seen: set[str] = set()
    duplicates = 0
    for cell in nb.cells:
        if cell.id in seen:
            cell.id = new_cell_id()
            duplicates += 1
        seen.add(cell.id)
    if missing:
        nb.upgrade_notes.append(f"{_cells(missing)} had no id: new ids are added on save")
    if duplicates:
        nb.upgrade_notes.append(f"{_cells(duplicates)} had a duplicate id: new ids are saved")


def notebook_to_json(nb: Notebook, *, minor: int, split_lines: bool = True) -> dict[str, Any]:
    """The notebook as nbformat's writer stores it, at nbformat 4.``minor``; with
    ``split_lines=False`` multiline strings stay one string each (valid nbformat too: what a
    server's save takes without a list of lines built for every output)."""
    metadata = nb.metadata
    if any(key in metadata for key in _TRANSIENT_NOTEBOOK_METADATA):
        metadata = {k: v for k, v in metadata.items() if k not in _TRANSIENT_NOTEBOOK_METADATA}
    with_id = minor >= FIRST_MINOR_WITH_IDS
    out = dict(nb.extra)
    out["cells"] = [
        cell_to_json(cell, with_id=with_id, split_lines=split_lines) for cell in nb.cells
    ]
    out["metadata"] = metadata
    out["nbformat"] = 4
    out["nbformat_minor"] = minor
    return out


def check_top_level(value: Any) -> tuple[int, int]:
    """The (major, minor) nbformat version a parsed file claims, or SchemaError."""
    d = expect_dict(value, "top level")
    if "nbformat" not in d:
        keys = ", ".join(sorted(map(repr, d))[:5]) or "none"
        raise SchemaError("", f"not a notebook: no 'nbformat' key (top-level keys: {keys})")
    major = d["nbformat"]
    if not isinstance(major, int) or isinstance(major, bool):
        raise SchemaError("nbformat", f"expected an integer, found {describe(major)}")
    minor = d.get("nbformat_minor", 0)
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise SchemaError("nbformat_minor", f"expected an integer, found {describe(minor)}")
    return major, minor


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"
