"""Property tests: broken input only gives NotebookError; valid notebooks round-trip exactly."""

# nbformat leaves its functions unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.notebook import corpus
from tnb.notebook.io import NotebookError, dumps_notebook, load_notebook, loads_notebook

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID_TEXTS = [
    corpus.writes(corpus.basic()),
    corpus.writes(corpus.at_minor(corpus.unknown_mimes(), 4)),
    corpus.writes(corpus.attachments()),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _must_fail(text: str | bytes) -> str:
    """Load from a file in a private folder: NotebookError naming it, and nothing written."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "broken.ipynb"
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        before = path.read_bytes()
        try:
            load_notebook(path)
        except NotebookError as e:
            message = str(e)
        else:
            raise AssertionError(f"loaded without error: {text[:200]!r}")
        assert [p.name for p in Path(folder).iterdir()] == ["broken.ipynb"]
        assert path.read_bytes() == before
        assert message.startswith(f"{path}: ")
        return message


def _loads_or_error(text: str) -> None:
    """Any text: a Notebook that saves and reloads stably, or a NotebookError; nothing else."""
    try:
        nb = loads_notebook(text, source="t.ipynb")
    except NotebookError as e:
        assert str(e).startswith("t.ipynb: ")
        return
    saved = dumps_notebook(nb)
    assert dumps_notebook(loads_notebook(saved)) == saved


@SETTINGS
@given(st.sampled_from(VALID_TEXTS), st.data())
def test_truncated_notebook_is_an_error(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(text) - 2))
    _must_fail(text[:cut])


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_are_an_error(blob: bytes) -> None:
    _must_fail(blob)


@SETTINGS
@given(json_values.filter(lambda v: not isinstance(v, dict) or "nbformat" not in v))
def test_json_that_is_not_a_notebook_is_an_error(value: Any) -> None:
    _must_fail(json.dumps(value))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


@SETTINGS
@given(st.sampled_from(VALID_TEXTS), st.data(), json_values)
def test_any_value_anywhere_gives_a_notebook_or_a_notebook_error(
    text: str, data: st.DataObject, replacement: Any
) -> None:
    d = json.loads(text)
    path = data.draw(st.sampled_from(_paths(d)))
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    _loads_or_error(json.dumps(d, ensure_ascii=data.draw(st.booleans())))


@SETTINGS
@given(st.sampled_from(VALID_TEXTS), st.data())
def test_character_edits_give_a_notebook_or_a_notebook_error(
    text: str, data: st.DataObject
) -> None:
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        new = data.draw(st.text(max_size=2))
        drop = data.draw(st.integers(0, 2))
        text = text[:at] + new + text[at + drop :]
    _loads_or_error(text)


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_gives_a_notebook_or_a_notebook_error(text: str) -> None:
    _loads_or_error(text)


# -- valid notebooks, written by nbformat, come back byte for byte ------------------------

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
mime_bundles = st.dictionaries(
    st.sampled_from(
        ["text/plain", "text/html", "image/png", "image/svg+xml", "application/vnd.x", "text/x-y"]
    ),
    texts,
    min_size=1,
    max_size=3,
) | st.just({"application/json": {"a": [1, "b\n"]}})


@st.composite
def outputs(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["stream", "display_data", "execute_result", "error"]))
    if kind == "stream":
        return {
            "output_type": kind,
            "name": draw(st.sampled_from(["stdout", "stderr"])),
            "text": draw(texts),
        }
    if kind == "error":
        return {
            "output_type": kind,
            "ename": draw(texts),
            "evalue": draw(texts),
            "traceback": draw(st.lists(texts, max_size=3)),
        }
    out: dict[str, Any] = {
        "output_type": kind,
        "data": draw(mime_bundles),
        "metadata": draw(st.dictionaries(texts, json_values, max_size=2)),
    }
    if kind == "execute_result":
        out["execution_count"] = draw(st.none() | st.integers(0, 10**6))
    return out


@st.composite
def cells(draw: st.DrawFn, with_ids: bool) -> dict[str, Any]:
    kind = draw(st.sampled_from(["code", "markdown", "raw"]))
    cell: dict[str, Any] = {
        "cell_type": kind,
        "metadata": draw(st.dictionaries(st.text(max_size=5), json_values, max_size=2)),
        "source": draw(texts),
    }
    if with_ids:
        cell["id"] = draw(st.from_regex(r"\A[a-zA-Z0-9_-]{1,20}\Z"))
    if kind == "code":
        cell["execution_count"] = draw(st.none() | st.integers(0, 10**6))
        cell["outputs"] = draw(st.lists(outputs(), max_size=3))
    elif draw(st.booleans()):
        cell["attachments"] = {"a.png": draw(mime_bundles)}
    return cell


@st.composite
def notebooks(draw: st.DrawFn) -> str:
    minor = draw(st.integers(1, 5))
    cell_list = draw(st.lists(cells(with_ids=minor >= 5), max_size=5))
    if minor >= 5:
        seen: set[str] = set()
        unique = []
        for cell in cell_list:
            if cell["id"] not in seen:
                seen.add(cell["id"])
                unique.append(cell)
        cell_list = unique
    nb = nbformat.from_dict(
        {
            "cells": cell_list,
            "metadata": draw(st.dictionaries(st.text(max_size=5), json_values, max_size=3)),
            "nbformat": 4,
            "nbformat_minor": minor,
        }
    )
    return corpus.writes(nb)


@SETTINGS
@given(notebooks())
def test_any_nbformat_written_notebook_round_trips_byte_identical(text: str) -> None:
    assert dumps_notebook(loads_notebook(text)) == text
