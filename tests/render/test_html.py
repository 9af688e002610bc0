"""text/html as readable text and Rich tables: pandas' DataFrame.to_html must look like a table."""

from __future__ import annotations

from rich.table import Table

from tests.render.terminal import to_plain, to_terminal, unsafe_parts
from tnb.notebook.model import Output
from tnb.ui.render import render_html, render_output

# Written by hand as pandas 2.x's DataFrame._repr_html_() writes it (pandas is not installed).
PANDAS_HTML = """<div>
<style scoped>
    .dataframe tbody tr th:only-of-type {
        vertical-align: middle;
    }

    .dataframe tbody tr th {
        vertical-align: top;
    }

    .dataframe thead th {
        text-align: right;
    }
</style>
<table border="1" class="dataframe">
  <thead>
    <tr style="text-align: right;">
      <th></th>
      <th>city</th>
      <th>population</th>
      <th>area_km2</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th>0</th>
      <td>Zürich</td>
      <td>421878</td>
      <td>87.88</td>
    </tr>
    <tr>
      <th>1</th>
      <td>Genève &amp; environs</td>
      <td>203856</td>
      <td>NaN</td>
    </tr>
  </tbody>
</table>
<p>2 rows × 3 columns</p>
</div>"""

PANDAS_PLAIN = "     city  population  area_km2\n0  Zürich      421878     87.88\n1  Genève ..."

# A MultiIndex on both axes: header cells span columns, index cells span rows.
MULTIINDEX_HTML = """<table border="1" class="dataframe">
  <thead>
    <tr>
      <th></th>
      <th></th>
      <th colspan="2" halign="left">sales</th>
    </tr>
    <tr>
      <th></th>
      <th></th>
      <th>q1</th>
      <th>q2</th>
    </tr>
    <tr>
      <th>region</th>
      <th>shop</th>
      <th></th>
      <th></th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th rowspan="2" valign="top">north</th>
      <th>a</th>
      <td>1</td>
      <td>2</td>
    </tr>
    <tr>
      <th>b</th>
      <td>3</td>
      <td>4</td>
    </tr>
    <tr>
      <th>south</th>
      <th>c</th>
      <td>5</td>
      <td>6</td>
    </tr>
  </tbody>
</table>"""


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_pandas_dataframe_draws_as_a_table() -> None:
    rendered = render_html(PANDAS_HTML)
    assert rendered is not None
    drawn = to_plain(rendered, 80)
    lines = _lines(drawn)
    header = next(line for line in lines if "city" in line)
    assert header.split() == ["city", "population", "area_km2"]
    row0 = next(line for line in lines if "Zürich" in line)
    row1 = next(line for line in lines if "Genève" in line)
    assert row0.split() == ["0", "Zürich", "421878", "87.88"]
    assert row1.split() == ["1", "Genève", "&", "environs", "203856", "NaN"]
    # Numbers are right-aligned, as pandas shows them: the columns end at the same place.
    assert row0.index("421878") + 6 == row1.index("203856") + 6
    assert row0.index("87.88") + 5 == row1.index("NaN") + 3
    assert any(set(line.strip()) <= {"─", " "} for line in lines)  # the header rule
    assert "2 rows × 3 columns" in drawn
    assert "vertical-align" not in drawn  # the <style> block is not text


def test_pandas_bundle_prefers_the_table_to_text_plain() -> None:
    output = Output(
        "execute_result",
        execution_count=1,
        data={"text/html": PANDAS_HTML, "text/plain": PANDAS_PLAIN},
    )
    drawn = to_plain(render_output(output))
    assert "Genève & environs" in drawn and "Genève ..." not in drawn


def test_the_table_is_a_rich_table() -> None:
    rendered = render_html(
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>x</td></tr></table>"
    )
    assert isinstance(rendered, Table)
    assert [str(column.header) for column in rendered.columns] == ["a", "b"]
    assert rendered.row_count == 1


def test_multiindex_headers_and_row_spans_line_up() -> None:
    rendered = render_html(MULTIINDEX_HTML)
    assert isinstance(rendered, Table)
    assert len(rendered.columns) == 4
    lines = _lines(to_plain(rendered))
    assert ["sales"] in [line.split() for line in lines]
    assert ["q1", "q2"] in [line.split() for line in lines]
    assert ["region", "shop"] in [line.split() for line in lines]
    body = [line.split() for line in lines if line.split() and line.split()[-1] in "246"]
    # "north" spans two rows: the second row has an empty first cell, so "b" starts it.
    assert body == [["north", "a", "1", "2"], ["b", "3", "4"], ["south", "c", "5", "6"]]


def test_wide_table_keeps_the_columns_that_fit_and_counts_the_rest() -> None:
    cells = "".join(f"<td>value-{i}-xxxxxxxx</td>" for i in range(20))
    rendered = render_html(f"<table><tr>{cells}</tr><tr>{cells}</tr></table>", width=60)
    assert rendered is not None
    drawn = to_plain(rendered, 60)
    assert all(len(line) <= 60 for line in drawn.splitlines())
    assert "value-0-xxxxxxxx" in drawn and "value-2-xxxxxxxx" in drawn
    assert "17 more columns" in drawn


def test_long_tables_keep_max_rows_and_count_the_rest() -> None:
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(500))
    rendered = render_html(f"<table>{rows}</table>", max_rows=10)
    assert rendered is not None
    drawn = to_plain(rendered)
    assert "490 more rows" in drawn
    assert " 9" in drawn and "10" not in drawn.replace("490", "")


def test_readable_text_from_html() -> None:
    html = (
        "<h2>Report</h2>"
        "<p>Some <b>bold</b>, <i>italic</i> and <code>code</code> &lt;escaped&gt;.</p>"
        "<ul><li>first</li><li>second<ol><li>nested</li></ol></li></ul>"
        "<pre>  indented\n    more</pre><br>after<hr><a href='https://example.org'>a link</a>"
        "<img src='x.png' alt='a cat'>"
    )
    rendered = render_html(html)
    assert rendered is not None
    drawn = to_plain(rendered)
    assert "Report" in drawn
    assert "Some bold, italic and code <escaped>." in drawn
    assert "• first" in drawn and "  1. nested" in drawn
    assert "  indented\n    more" in drawn
    assert "a link" in drawn and "[image: a cat]" in drawn
    styled = to_terminal(rendered)
    assert "\x1b[1mbold" in styled and "\x1b[3mitalic" in styled


def test_script_and_style_are_not_shown() -> None:
    assert render_html("<script>alert('x')</script><style>p{}</style>") is None


def test_entities_cannot_smuggle_escapes() -> None:
    rendered = render_html(
        "<p>a&#27;]0;pwned&#7;b&#155;2Jc</p><table><tr><td>&#27;[2J</td></tr></table>"
    )
    assert rendered is not None
    drawn = to_terminal(rendered)
    assert unsafe_parts(drawn) == []
    assert "\x1b]" not in drawn


def test_broken_html_still_shows_its_text() -> None:
    rendered = render_html("<table><tr><td>unclosed<td>cells<p>and <b>text")
    assert rendered is not None
    drawn = to_plain(rendered)
    assert "unclosed" in drawn and "cells" in drawn


def test_a_rowspan_past_a_short_row_still_lines_up() -> None:
    html = (
        "<table><tr><td>a</td><td>b</td><td rowspan='2'>x</td></tr>"
        "<tr><td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>"
    )
    rendered = render_html(html)
    assert isinstance(rendered, Table)
    assert len(rendered.columns) == 3
    assert [line.split() for line in _lines(to_plain(rendered))] == [
        ["a", "b", "x"],
        ["c"],
        ["d", "e", "f"],
    ]


def test_wide_characters_are_measured_in_cells() -> None:
    cells = "".join(f"<td>漢字漢字漢字漢字{i}</td>" for i in range(10))
    rendered = render_html(f"<table><tr>{cells}</tr></table>", width=60)
    assert rendered is not None
    drawn = to_plain(rendered, 60)
    assert "more columns" in drawn
    assert "漢字漢字漢字漢字0" in drawn
