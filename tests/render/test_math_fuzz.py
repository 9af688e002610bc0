"""Any text, however broken, renders as markdown and as LaTeX without an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.render.terminal import to_plain
from tnb.ui.render import render_latex, render_markdown
from tnb.ui.render.math import render_math

# The characters that mean something to markdown, HTML or LaTeX, and some letters.
PIECES = st.sampled_from(
    [
        "$", "$$", "\\", "\\\\", "{", "}", "^", "_", "&", "<b>", "</b>", "<div>", "</div>",
        "<br>", "<a href='x'>", "</a>", "<img src=x>", "\\frac", "\\sqrt", "\\begin{pmatrix}",
        "\\end{pmatrix}", "\\begin{cases}", "\\end{cases}", "\\left(", "\\right)", "\\alpha",
        "\\text{", "x", "1", " ", "\n", "\n\n", "#", "- ", "`", "```", "@@0@@", "\\tag{1}",
        "\\hat", "\\mathbb", "*", "|", "[", "]", "(", ")", "\\over", "'", "\\not", "%",
    ]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_markdown_never_raises(source: str) -> None:
    to_plain(render_markdown(source), 60)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_latex_never_raises_and_display_math_is_a_box_or_none(source: str) -> None:
    to_plain(render_latex(source, width=60), 60)
    box = render_math(source, display=True)
    if box is not None:
        assert len({len(line) for line in box.lines}) >= 1 and 0 <= box.baseline < box.height
