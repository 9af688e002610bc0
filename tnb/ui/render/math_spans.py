"""Find the math in markdown or text/latex the way JupyterLab does, before markdown sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"@@(\d+)@@")
_SPLIT = re.compile(
    r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@|\\\\(?:\(|\)|\[|\]))",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^(`{3,}|~{3,})[^`\n]*\n[\s\S]*?^\1[`~]*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)", re.MULTILINE)
# A dollar inside code, hidden from the scan and restored afterwards (a private-use character).
_HIDDEN_DOLLAR = "\ue000"


@dataclass(frozen=True)
class MathSpan:
    """One formula found in a text: its LaTeX and how it was written."""

    source: str  # without delimiters (an environment keeps its \\begin and \\end)
    display: bool
    raw: str  # exactly as written, delimiters included


@dataclass(frozen=True)
class Literal:
    """Text that merely looked like a marker (``@@3@@`` written by the author)."""

    raw: str


Found = MathSpan | Literal


def _hide_code_dollars(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        return match.group(0).replace("$", _HIDDEN_DOLLAR)

    return _CODE_SPAN.sub(hide, _FENCE.sub(hide, text))


def _span(raw: str) -> MathSpan:
    if raw.startswith("$$"):
        return MathSpan(raw[2:-2], True, raw)
    if raw.startswith("$"):
        return MathSpan(raw[1:-1], False, raw)
    if raw.startswith("\\\\("):
        return MathSpan(raw[3:-3], False, raw)
    if raw.startswith("\\\\["):
        return MathSpan(raw[3:-3], True, raw)
    return MathSpan(raw, True, raw)  # \begin{env} ... \end{env}


def extract_math(text: str) -> tuple[str, list[Found]]:
    """``text`` with every formula replaced by ``@@N@@``, and what each marker stands for.

    JupyterLab's rules (its ``removeMath``): ``$...$``, ``$$...$$``, ``\\\\(...\\\\)``,
    ``\\\\[...\\\\]`` and ``\\begin{env}...\\end{env}`` are taken out before markdown runs, so
    its backslash escapes never reach the LaTeX (``\\\\`` stays two backslashes). Braces must
    balance, a blank line ends an unclosed formula, and ``$`` in code spans and fences is not math.
    """
    if "$" not in text and "\\" not in text and "@@" not in text:
        return text, []
    hidden = "`" in text or "~~~" in text
    if hidden:
        text = _hide_code_dollars(text)
    blocks = _SPLIT.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    found: list[Found] = []
    start: int | None = None
    end: str | None = None
    last: int | None = None
    braces = 0

    def take(first: int, final: int) -> None:
        raw = "".join(blocks[first : final + 1]).replace(_HIDDEN_DOLLAR, "$")
        for index in range(first + 1, final + 1):
            blocks[index] = ""
        blocks[first] = f"@@{len(found)}@@"
        found.append(_span(raw))

    index = 1
    while index < len(blocks):
        block = blocks[index]
        if block.startswith("@"):
            blocks[index] = f"@@{len(found)}@@"
            found.append(Literal(block))
        elif start is not None:
            if block == end:
                if braces:
                    last = index
                else:
                    take(start, index)
                    start = end = last = None
            elif re.search(r"\n.*\n", block):
                if last is not None:
                    index = last
                    take(start, index)
                start = end = last = None
                braces = 0
            elif block == "{":
                braces += 1
            elif block == "}" and braces:
                braces -= 1
        elif block in ("$", "$$"):
            start, end, braces = index, block, 0
        elif block in ("\\\\(", "\\\\["):
            start, end, braces = index, "\\\\)" if block.endswith("(") else "\\\\]", 0
        elif block[1:6] == "begin":
            start, end, braces = index, "\\end" + block[6:], 0
        index += 2
    if start is not None and last is not None:
        take(start, last)
    joined = "".join(blocks)
    return (joined.replace(_HIDDEN_DOLLAR, "$") if hidden else joined), found
