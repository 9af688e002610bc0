"""text/latex outputs (IPython's Latex and Math, sympy) as Unicode: formulas laid out, text kept."""

from __future__ import annotations

from functools import lru_cache

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text

from tnb.ui.render.math import math_text, render_math
from tnb.ui.render.math_spans import MARKER, Literal, MathSpan, extract_math


def _spans(source: str) -> tuple[str, list[MathSpan | Literal]]:
    text, found = extract_math(source)
    bare = all(isinstance(f, MathSpan) and f.raw.startswith("\\begin") for f in found)
    if bare and "\\" in MARKER.sub("", text):
        # Bare LaTeX without delimiters (some libraries send it so): one display formula.
        return "@@0@@", [MathSpan(source.strip(), True, source)]
    return text, found


@lru_cache(maxsize=256)
def latex_to_unicode(source: str) -> str:
    """Text with LaTeX formulas as one line of Unicode each (for find, the pager, the clipboard).

    A formula that cannot be converted stays as it was written, delimiters included.
    """
    text, found = _spans(source)

    def replace(match: object) -> str:
        item = found[int(match.group(1))]  # type: ignore[attr-defined]
        if isinstance(item, Literal):
            return item.raw
        converted = math_text(item.source)
        if converted is None:
            return item.raw
        return f"\n{converted}\n" if item.display else converted

    converted = MARKER.sub(replace, text)
    lines = [line.strip() for line in converted.split("\n")]
    return "\n".join(line for line in lines if line)


def render_latex(source: str, *, width: int, code_style: Style | None = None) -> RenderableType:
    """A text/latex output: display formulas laid out in two dimensions, centred when written
    between ``$$``; a formula alone in the output (sympy's ``$\\displaystyle …$``) starts at
    the left; text between formulas flows, inline formulas on its lines."""
    text, found = _spans(source)
    pieces = MARKER.split(text)
    blocks: list[RenderableType] = []
    line = Text()
    alone = len(found) == 1 and not MARKER.sub("", text).strip()
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            line.append(" ".join(piece.split()) if piece.strip() else (" " if piece else ""))
            continue
        item = found[int(piece)]
        if isinstance(item, Literal):
            line.append(item.raw)
            continue
        if not (item.display or alone):
            converted = math_text(item.source)
            if converted is None:
                line.append(item.raw, code_style or "")
            else:
                line.append(converted)
            continue
        if line.plain.strip():
            blocks.append(line)
        line = Text()
        blocks.append(_display(item, width, centred=item.display, code_style=code_style))
    if line.plain.strip():
        blocks.append(line)
    if not blocks:
        return Text(source)
    return blocks[0] if len(blocks) == 1 else Group(*blocks)


def _display(item: MathSpan, width: int, *, centred: bool, code_style: Style | None) -> Text:
    box = render_math(item.source, display=True)
    if box is not None and box.width <= width:
        left = " " * ((width - box.width) // 2) if centred else ""
        return Text("\n".join(left + line.rstrip() for line in box.lines))
    flat = math_text(item.source)
    if flat is not None:
        return Text(flat)
    return Text(item.raw.strip(), code_style or "")
