"""Markdown cells as JupyterLab shows them: math found its way, HTML drawn, links with addresses."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image

from tests.render.terminal import to_plain, to_terminal
from tnb.ui.render import render_markdown
from tnb.ui.render.math_spans import Literal, MathSpan, extract_math


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def lines(source: str, width: int = 60) -> list[str]:
    drawn = [line.rstrip() for line in to_plain(render_markdown(source), width).splitlines()]
    while drawn and not drawn[0]:
        drawn.pop(0)  # Rich starts some blocks (lists) with a blank line
    return drawn


def test_math_is_taken_out_before_markdown_escapes_reach_it() -> None:
    text, found = extract_math(r"rows $a \\ b$ and `$code$` and \$5 and $$x_1$$")
    assert text == "rows @@0@@ and `$code$` and \\$5 and @@1@@"
    assert found == [
        MathSpan(r"a \\ b", False, r"$a \\ b$"),
        MathSpan("x_1", True, "$$x_1$$"),
    ]


def test_unbalanced_dollars_and_author_markers_stay_text() -> None:
    assert extract_math("costs $5\n\nand $6") == ("costs $5\n\nand $6", [])
    assert extract_math("@@7@@") == ("@@0@@", [Literal("@@7@@")])


def test_inline_math_flows_in_its_paragraph() -> None:
    assert lines(r"Energy $E = mc^2$ and $\alpha_i \leq \beta$.") == ["Energy E = mc² and αᵢ ≤ β."]


def test_display_math_gets_centred_lines_of_its_own() -> None:
    drawn = lines("Before\n$$\\frac{a}{b}$$\nafter", width=21)
    assert drawn == ["Before", "", "          a", "         ───", "          b", "", "after"]


def test_matrix_rows_survive_markdown() -> None:
    # In markdown "\\" would become "\": the rows would be lost (the bug this fixes).
    drawn = lines(r"$$\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}$$", width=10)
    assert drawn == ["  ⎡1  0⎤", "  ⎣0  1⎦"]


def test_environment_without_dollars_is_display_math() -> None:
    drawn = lines("\\begin{align}\na &= 1 \\\\\nbc &= 2\n\\end{align}", width=12)
    assert drawn == ["    a = 1", "   bc = 2"]


def test_math_inside_a_list_item_is_indented_with_it() -> None:
    drawn = lines("- first $x^2$\n- second\n  $$y_0$$", width=20)
    assert drawn[0] == " • first x²"
    assert drawn[1] == " • second"
    assert drawn[-1].strip() == "y₀" and drawn[-1].startswith("   ")


def test_unconvertible_math_stays_latex_as_written() -> None:
    drawn = lines(r"Try $\weird{x} + \alpha$ here and $$\begin{tikzcd} a \end{tikzcd}$$")
    assert drawn[0] == r"Try $\weird{x} + \alpha$ here and"
    assert r"$$\begin{tikzcd} a \end{tikzcd}$$" in drawn


def test_html_only_cell_is_not_blank() -> None:
    source = (
        '<div align="center">\n<h1>Course notes</h1>\n'
        "<p>By <b>someone</b>, <i>2024</i></p>\n"
        '<img src="logo.png" alt="the logo" width="200">\n</div>'
    )
    drawn = "\n".join(lines(source))
    assert "Course notes" in drawn
    assert "By someone, 2024" in drawn
    assert "[image: the logo] (logo.png)" in drawn


def test_html_lists_tables_details_and_unknown_tags() -> None:
    source = (
        "<ul><li>one</li><li>two</li></ul>\n"
        "<table><tr><th>key</th><th>value</th></tr><tr><td>a</td><td>1</td></tr></table>\n"
        "<details><summary>More</summary>Hidden <blink>text</blink></details>"
    )
    drawn = "\n".join(lines(source))
    assert "• one" in drawn and "• two" in drawn
    assert "key" in drawn and "value" in drawn and "a" in drawn and "1" in drawn
    assert "▼ More" in drawn and "Hidden text" in drawn


def test_inline_html_becomes_markdown() -> None:
    drawn = lines(
        'A <b>bold</b> word<br>next <a href="https://jupyter.org">Jupyter</a> <x-y>z</x-y>'
    )
    assert drawn == ["A bold word", "next Jupyter (https://jupyter.org) z"]
    terminal = to_terminal(render_markdown("A <b>bold</b> <u>under</u>"))
    assert "\x1b[1mbold" in terminal and "\x1b[4munder" in terminal


def test_links_show_their_address_once_and_no_osc8() -> None:
    source = (
        "[docs](https://docs.org) and <https://auto.org> and ![chart](data:image/png;base64,AA)"
    )
    drawn = lines(source, width=100)
    assert drawn == [
        "docs (https://docs.org) and https://auto.org and [image: chart] (embedded: p views it)"
    ]
    assert "\x1b]8" not in to_terminal(render_markdown(source))


def test_escape_sequences_in_markdown_are_dropped() -> None:
    terminal = to_terminal(render_markdown("title \x1b]0;pwned\x07 \x1b[2J done"))
    assert "\x1b]0" not in terminal and "\x1b[2J" not in terminal and "done" in terminal


def test_pictures_of_a_markdown_cell_are_found_for_the_viewer(tmp_path: Path) -> None:
    from tnb.ui.render.markdown import markdown_pictures

    (tmp_path / "local.png").write_bytes(PNG)
    source = (
        "![a](attachment:att.png) ![b](data:image/png;base64,QUJD) ![c](local.png) "
        '![d](https://example.org/x.png) <img src="local.png">'
    )
    attachments = {"att.png": {"image/png": "REVG"}}
    found = markdown_pictures(source, attachments, tmp_path)
    local = base64.b64encode(PNG).decode()
    assert found == [
        {"image/png": "REVG"},
        {"image/png": "QUJD"},
        {"image/png": local},
        {"image/png": local},
    ]


async def test_p_views_a_markdown_cells_attached_picture() -> None:
    from tnb.notebook.model import Cell, Notebook
    from tnb.ui.app import TnbApp
    from tnb.ui.screens.picture import PictureScreen

    cell = Cell.new("markdown", "![logo](attachment:logo.png)")
    cell.attachments = {"logo.png": {"image/png": base64.b64encode(PNG).decode()}}
    app = TnbApp(Notebook(cells=[cell]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "[image: logo] (attached: p views it)" in "".join(
            app.notebook_screen.view.render_line(y).text  # type: ignore[union-attr]
            for y in range(5)
        )
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PictureScreen)
