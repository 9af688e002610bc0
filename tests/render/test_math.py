"""LaTeX math to Unicode: symbols, scripts, fractions, roots, operators, grids; raw when unknown."""

from __future__ import annotations

import pytest

from tnb.ui.render.math import math_text, render_math


def display(source: str) -> list[str]:
    box = render_math(source, display=True)
    assert box is not None, source
    return [line.rstrip() for line in box.lines]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\alpha + \beta \Gamma \Omega", "α + βΓΩ"),
        (r"x^2 + y_i^{n} - z_{ij}", "x² + yᵢⁿ − zᵢⱼ"),
        (r"\frac{a + b}{c}", "(a + b)/c"),
        (r"\sqrt{x} + \sqrt[3]{y + 1}", "√x + ∛(y + 1)"),
        (r"\sum_{i=1}^{n} x_i", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"\int_0^1 f(x)\,dx", "∫₀¹ f(x) dx"),
        (r"\hat{x} \bar{y} \vec{v} \tilde{n}", "x\u0302\u0233v\u20d7\u00f1"),
        (r"\mathbb{R}^n \to \mathcal{L}(\mathbb{C})", "ℝⁿ → ℒ(ℂ)"),
        (r"a \leq b \neq c \approx d \in \mathbb{N}", "a ≤ b ≠ c ≈ d ∈ ℕ"),
        (r"f \colon A \rightarrow B \Rightarrow C \iff D", "f: A → B ⇒ C ⟺ D"),
        (r"\sin x + \log(y)", "sin x + log(y)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"-x \cdot y", "−x ⋅ y"),
        (r"\left(1 + \frac{1}{n}\right)^n", "(1 + 1/n)ⁿ"),
        (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "(a  b; c  d)"),
        (r"e^{i\pi}", "e^(iπ)"),
        (r"{N \choose k}", "C(N, k)"),
        (r"\mathbf{x}^T \mathbf{A}", "𝐱ᵀ𝐀"),
    ],
)
def test_inline_math_is_one_line_of_unicode(source: str, expected: str) -> None:
    assert math_text(source) == expected


def test_display_fraction_is_stacked_with_a_bar() -> None:
    assert display(r"\frac{a + b}{2}") == [" a + b", "───────", "   2"]


def test_display_sum_has_its_limits_over_and_under() -> None:
    assert display(r"\sum_{i=1}^{N} x_i") == [" N", " ∑  xᵢ", "i=1"]


def test_display_matrix_is_a_grid_in_tall_brackets() -> None:
    assert display(r"A = \begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \\ 7 & 8 & 9 \end{bmatrix}") == [
        "    ⎡1  2  3⎤",
        "A = ⎢4  5  6⎥",
        "    ⎣7  8  9⎦",
    ]


def test_display_cases_are_a_grid_behind_a_brace() -> None:
    lines = display(
        r"|x| = \begin{cases} x & x \geq 0 \\ 0 & x = 0 \\ -x & \text{otherwise} \end{cases}"
    )
    assert lines == [
        "      ⎧x    x ≥ 0",
        "|x| = ⎨0    x = 0",
        "      ⎩−x   otherwise",
    ]


def test_display_aligned_lines_up_the_relations() -> None:
    lines = display(r"\begin{aligned} f(x) &= (x + 1)^2 \\ &= x^2 + 2x + 1 \end{aligned}")
    assert lines == ["f(x) = (x + 1)²", "     = x² + 2x + 1"]


def test_markdown_double_backslash_rows_and_spacing_options_are_rows() -> None:
    # Notebook authors write \\\\ (markdown would eat one pair) and \\[5pt].
    lines = display("a &= 1 \\\\\\\\[5pt] b &= 2")
    assert lines == ["a = 1", "b = 2"]


def test_display_root_over_a_fraction_grows_with_it() -> None:
    lines = display(r"\sqrt{\frac{a}{b}}")
    assert lines[-1].startswith("╲╱") and "a" in lines[1] and "b" in lines[-1]


def test_left_right_brackets_grow_to_their_content() -> None:
    lines = display(r"\left( \frac{1}{2} \right)")
    assert [line[0] for line in lines] == ["⎛", "⎜", "⎝"]


def test_superscript_that_unicode_lacks_is_raised_in_display() -> None:
    assert display(r"e^{i\pi}") == [" iπ", "e"]


def test_tags_go_to_the_right() -> None:
    assert display(r"E = mc^2 \tag{1}") == ["E = mc²    (1)"]


@pytest.mark.parametrize(
    "source",
    [
        r"\unknowncommand{x} + \alpha",
        r"\begin{tikzpicture}\end{tikzpicture}",
        r"\frac{a}{",
        "a } b",
    ],
)
def test_what_cannot_be_converted_is_none_never_a_mix(source: str) -> None:
    assert render_math(source, display=True) is None
    assert math_text(source) is None
