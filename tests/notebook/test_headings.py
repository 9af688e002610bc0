"""Markdown headings: levels, sections hidden under collapsed ones, JupyterLab's metadata."""

from __future__ import annotations

from pathlib import Path

from tnb.notebook.headings import (
    COLLAPSED_KEY,
    Heading,
    heading_level,
    headings,
    hidden_cells,
    owning_headings,
    section_end,
    set_collapsed,
)
from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.model import Cell, Notebook


def outline() -> Notebook:
    return Notebook(
        cells=[
            Cell.new("markdown", "# Title"),
            Cell.new("code", "a"),
            Cell.new("markdown", "## Part\ntext"),
            Cell.new("code", "b"),
            Cell.new("markdown", "# Next"),
            Cell.new("code", "c"),
        ]
    )


def test_headings_atx_setext_html_not_in_code() -> None:
    source = "# One\nTwo\n---\n<h3>Three <b>bold</b></h3>\n```\n# not a heading\n```\n#### Four ##"
    assert headings(source) == [
        Heading(1, "One"),
        Heading(2, "Two"),
        Heading(3, "Three bold"),
        Heading(4, "Four"),
    ]
    assert heading_level(Cell.new("markdown", "text\n### Sub\n## Main")) == 2
    assert heading_level(Cell.new("code", "# comment")) is None


def test_collapsing_hides_the_section_until_a_heading_as_high() -> None:
    nb = outline()
    assert set_collapsed(nb, nb.cells[0], True)
    assert hidden_cells(nb.cells) == [False, True, True, True, False, False]
    assert section_end(nb.cells, 0) == 4 and section_end(nb.cells, 2) == 4
    assert owning_headings(nb.cells, 3) == [2, 0]
    set_collapsed(nb, nb.cells[0], False)
    set_collapsed(nb, nb.cells[2], True)
    assert hidden_cells(nb.cells) == [False, False, False, True, False, False]


def test_collapsed_state_is_saved_as_jupyterlab_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "outline.ipynb"
    nb = outline()
    nb.path = path
    save_notebook(nb)
    original = path.read_bytes()
    loaded = load_notebook(path)
    assert set_collapsed(loaded, loaded.cells[0], True) and loaded.dirty
    save_notebook(loaded)
    assert loaded.cells[0].metadata == {COLLAPSED_KEY: True}
    assert b'"jp-MarkdownHeadingCollapsed": true' in path.read_bytes()
    again = load_notebook(path)
    assert hidden_cells(again.cells)[1]
    set_collapsed(again, again.cells[0], False)
    save_notebook(again)
    assert path.read_bytes() == original  # expanded again: byte for byte what it was


def test_the_classic_key_is_honoured_and_removed_on_expand() -> None:
    nb = outline()
    nb.cells[0].metadata["heading_collapsed"] = True
    assert hidden_cells(nb.cells)[1]
    set_collapsed(nb, nb.cells[0], False)
    assert nb.cells[0].metadata == {}
