"""Each output and MIME type: stream, error, text/plain, markdown, latex, json, svg."""

from __future__ import annotations

from rich.style import Style

from tests.render.terminal import to_plain, to_terminal
from tnb.notebook.model import Output
from tnb.ui.render import PALETTES, latex_to_unicode, output_text, render_output

IPYTHON_TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[1], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m "
    "\x1b[38;5;241m1\x1b[39m\x1b[38;5;241m/\x1b[39m"
    "\x1b[38;5;241m0\x1b[39m\n",
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
]


def test_stream_stdout_keeps_ansi_colours() -> None:
    drawn = to_terminal(render_output(Output("stream", name="stdout", text="\x1b[32mok\x1b[0m\n")))
    assert "\x1b[32mok" in drawn


def test_stream_stderr_gets_the_theme_background() -> None:
    for theme in ("dark", "light"):
        rendered = render_output(Output("stream", name="stderr", text="careful\n"), theme=theme)
        drawn = to_terminal(rendered)
        background = PALETTES[theme].stderr.bgcolor
        assert background is not None
        r, g, b = background.get_truecolor()
        assert f"48;2;{r};{g};{b}m" in drawn and "careful" in drawn


def test_stream_final_cursor_marks_are_not_edits() -> None:
    # The model leaves "\r" at the end of a progress bar's line: the bar must stay visible.
    assert "50%" in to_plain(render_output(Output("stream", text="10%\r50%\r")))
    assert "abc" in to_plain(render_output(Output("stream", text="abc\b")))


def test_error_traceback_keeps_its_colours() -> None:
    output = Output(
        "error", ename="ZeroDivisionError", evalue="division by zero", traceback=IPYTHON_TRACEBACK
    )
    drawn = to_terminal(render_output(output))
    assert "\x1b[31mZeroDivisionError\x1b[0m: division by zero" in drawn
    assert "\x1b[38;5;241m1" in drawn
    assert "----> 1" in to_plain(render_output(output))


def test_error_without_traceback_shows_name_and_value() -> None:
    output = Output("error", ename="KeyError", evalue="'x'")
    drawn = to_terminal(render_output(output))
    assert "KeyError: 'x'" in to_plain(render_output(output))
    assert "\x1b[1;31m" in drawn


def test_shell_error_without_name_shows_its_exit_status() -> None:
    # bash_kernel: no ename, the exit status as evalue, no traceback.
    assert to_plain(render_output(Output("error", evalue="2"))).strip() == "error (exit status 2)"
    assert output_text(Output("error", evalue="2")) == "error (exit status 2)"
    assert to_plain(render_output(Output("error"))).strip() == "error"


def test_text_plain_keeps_ansi_colours() -> None:
    output = Output("execute_result", data={"text/plain": "\x1b[34mblue\x1b[0m"}, execution_count=1)
    assert "\x1b[34mblue" in to_terminal(render_output(output))


def test_markdown_is_formatted_and_links_are_not_hyperlinks() -> None:
    markdown = "# Title\n\nSome **bold** text and a [link](https://example.org).\n\n- one\n- two\n"
    drawn = to_terminal(render_output(Output("display_data", data={"text/markdown": markdown})))
    plain = to_plain(render_output(Output("display_data", data={"text/markdown": markdown})))
    assert "Title" in plain and "# Title" not in plain
    assert "bold" in plain and "**" not in plain
    assert "• one" in plain
    assert "https://example.org" in plain
    assert "\x1b]8" not in drawn


def test_latex_output_is_laid_out_as_display_math() -> None:
    output = Output("display_data", data={"text/latex": r"$\alpha^{2} + \frac{1}{2}\sqrt{x}$"})
    assert to_plain(render_output(output)).splitlines() == ["      1", "α² + ───√x", "      2"]


def test_latex_converter_covers_common_math() -> None:
    assert latex_to_unicode(r"$$\sum_{i=1}^{n} x_i$$") == "∑ᵢ₌₁ⁿ xᵢ"
    assert latex_to_unicode(r"\left(x + 1\right)^{2}") == "(x + 1)²"
    assert latex_to_unicode(r"\frac{a + b}{c}") == "(a + b)/c"
    assert latex_to_unicode(r"\sqrt[3]{y} \leq \infty") == "∛y ≤ ∞"
    assert latex_to_unicode(r"\mathbb{R}^{n} \to \hat{x}") == "ℝⁿ → x̂"
    assert (
        latex_to_unicode(r"\left[\begin{matrix}1 & 2\\3 & 4\end{matrix}\right]") == "[1  2; 3  4]"
    )
    assert latex_to_unicode(r"x_{\text{max}} = e^{i \pi}") == "xₘₐₓ = e^(iπ)"
    assert latex_to_unicode(r"\begin{align}a &= b \\ c &= d\end{align}") == "a = b; c = d"
    assert latex_to_unicode(r"The value $\pi \approx 3.14$") == "The value π ≈ 3.14"
    # What cannot be converted stays LaTeX, whole: never a mix of converted and raw.
    assert latex_to_unicode(r"\unknowncommand{z} + \alpha") == r"\unknowncommand{z} + \alpha"


def test_json_is_pretty_printed_and_highlighted() -> None:
    data = {"name": "tnb", "list": [1, 2], "nested": {"ok": True, "none": None}}
    output = Output(
        "display_data", data={"application/json": data, "text/plain": "<IPython.core.display.JSON>"}
    )
    plain = to_plain(render_output(output))
    assert '  "name": "tnb",' in plain
    assert '    "ok": true,' in plain
    assert "<IPython" not in plain
    drawn = to_terminal(render_output(output))
    assert drawn.count("\x1b[") > 5  # keys, strings, numbers and booleans are coloured


def test_json_strings_cannot_carry_escapes() -> None:
    output = Output("display_data", data={"application/json": {"k": "\x9b2J\x1b]0;t\x07"}})
    drawn = to_terminal(render_output(output))
    assert "\x9b" not in drawn
    assert "\x1b]" not in drawn


def test_svg_is_described_not_drawn() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200">'
        "<title>Sales</title></svg>"
    )
    output = Output(
        "display_data",
        data={"image/svg+xml": svg, "text/plain": "<IPython.core.display.SVG object>"},
    )
    plain = to_plain(render_output(output))
    assert "SVG image 320×200" in plain and "Sales" in plain


def test_svg_with_only_a_viewbox() -> None:
    output = Output("display_data", data={"image/svg+xml": '<svg viewBox="0 0 64 48"></svg>'})
    assert "64×48" in to_plain(render_output(output))


def test_output_text_is_plain_and_whole() -> None:
    text = "".join(f"\x1b[31m{i}\x1b[0m\n" for i in range(5000))
    plain = output_text(Output("stream", text=text))
    assert plain.count("\n") == 5000 and "\x1b" not in plain
    error = output_text(Output("error", ename="E", evalue="v", traceback=IPYTHON_TRACEBACK))
    assert "ZeroDivisionError: division by zero" in error and "\x1b" not in error
    table = output_text(
        Output(
            "display_data",
            data={"text/html": "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"},
        )
    )
    assert "a" in table and "1" in table


def test_note_style_is_dim() -> None:
    assert PALETTES["dark"].note == Style(dim=True, italic=True)


def test_json_sent_as_text_is_parsed_first() -> None:
    output = Output("display_data", data={"application/json": '{"a": [1, 2]}'})
    plain = to_plain(render_output(output))
    assert '  "a": [' in plain
