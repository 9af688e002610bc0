"""Find and replace in sources: plain, case, whole word, regex with groups; bad regex explained."""

from __future__ import annotations

import pytest

from tnb.notebook.model import Cell
from tnb.notebook.search import (
    SearchError,
    SearchOptions,
    SourceMatch,
    matching_cells,
    replace_in,
    source_matches,
)

CELLS = [Cell.new("code", "x = 1\nxs = [x]"), Cell.new("markdown", "X marks"), Cell.new("code", "")]


def test_plain_search_ignores_case_by_default() -> None:
    pattern = SearchOptions("x").pattern()
    assert pattern is not None
    assert len(source_matches(CELLS, pattern)) == 4


def test_case_and_whole_word() -> None:
    pattern = SearchOptions("x", case_sensitive=True, whole_word=True).pattern()
    assert pattern is not None
    assert source_matches(CELLS, pattern) == [SourceMatch(0, 0, 1), SourceMatch(0, 12, 13)]


def test_regex_groups_in_the_replacement_and_literal_otherwise() -> None:
    options = SearchOptions(r"(\w+) = (\d)", regex=True)
    pattern = options.pattern()
    assert pattern is not None
    assert replace_in("x = 1", pattern, r"\2 = \1", regex=True) == ("1 = x", 1)
    plain = SearchOptions("a.b").pattern()
    assert plain is not None
    assert replace_in("a.b axb", plain, r"\1", regex=False) == (r"\1 axb", 1)


def test_replace_one_at_an_offset() -> None:
    pattern = SearchOptions("x", whole_word=True).pattern()
    assert pattern is not None
    assert replace_in("x + x", pattern, "y", regex=False, start=4) == ("x + y", 1)
    assert replace_in("x + x", pattern, "y", regex=False, start=1) == ("x + x", 0)


def test_bad_regex_is_a_clear_error() -> None:
    with pytest.raises(SearchError, match="not a valid regular expression"):
        SearchOptions("(unclosed", regex=True).pattern()
    assert SearchOptions("").pattern() is None


def test_outputs_count_for_finding_cells() -> None:
    pattern = SearchOptions("hidden").pattern()
    assert pattern is not None
    assert matching_cells(CELLS, pattern, None) == []
    cell = Cell.new("code", "")
    from tnb.notebook.model import Output

    cell.outputs = [Output("stream", text="hidden text")]
    assert matching_cells([cell], pattern, lambda c: c.outputs[0].text) == [0]
