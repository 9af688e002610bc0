"""Markdown as JupyterLab shows it: math, inline and block HTML, links with their address."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console, ConsoleOptions, RenderResult
from rich.errors import MissingStyle
from rich.markdown import Markdown, MarkdownContext, MarkdownElement
from rich.style import Style
from rich.text import Text
from rich.theme import Theme

from tnb.session.sanitize import strip_ansi
from tnb.ui.render.html import image_label, render_html
from tnb.ui.render.math import math_text, render_math
from tnb.ui.render.math_spans import MARKER, Found, Literal, MathSpan, extract_math

_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*?)(/?)\s*>", re.DOTALL)
_ATTRIBUTE = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+)")
# Token type prefix -> (type prefix, tag) of the styles inline HTML tags open.
_TAG_KINDS = {
    "strong": ("strong", "strong"),
    "em": ("em", "em"),
    "s": ("s", "s"),
    "code": ("code", "code"),
    "u": ("u", "u"),
}
# Inline tags and the markdown token (type prefix, tag) they stand for.
_INLINE_TAGS = {
    "b": ("strong", "strong"),
    "strong": ("strong", "strong"),
    "i": ("em", "em"),
    "em": ("em", "em"),
    "cite": ("em", "em"),
    "var": ("em", "em"),
    "s": ("s", "s"),
    "del": ("s", "s"),
    "strike": ("s", "s"),
    "code": ("code", "code"),
    "tt": ("code", "code"),
    "samp": ("code", "code"),
    "u": ("u", "u"),
    "ins": ("u", "u"),
    "mark": ("u", "u"),
}


def _attributes(text: str) -> dict[str, str]:
    return {
        name.lower(): html.unescape(value.strip("\"'")) for name, value in _ATTRIBUTE.findall(text)
    }


class MathBlock(MarkdownElement):
    """A display formula: centred on lines of its own, or its LaTeX when it cannot be drawn."""

    def __init__(self, span: MathSpan) -> None:
        self.span = span

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> MarkdownElement:
        """The formula the token's marker stands for."""
        assert isinstance(markdown, NotebookMarkdown)
        found = markdown.math[int(token.content)]
        return cls(found if isinstance(found, MathSpan) else MathSpan(found.raw, True, found.raw))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Centre the box; too wide for the screen, the formula goes on one wrapping line."""
        yield display_math(self.span, options.max_width, console)


def display_math(span: MathSpan, width: int, console: Console) -> Text:
    """A display formula laid out for ``width`` columns (raw LaTeX when it cannot be drawn)."""
    style = console.get_style("markdown.math", default="none")
    box = render_math(span.source, display=True)
    if box is not None and box.width <= width:
        left = " " * ((width - box.width) // 2)
        return Text("\n".join(left + line.rstrip() for line in box.lines), style=style)
    flat = math_text(span.source)
    if flat is not None:
        return Text(flat, style=style, justify="center")
    return Text(span.raw.strip(), style=console.get_style("markdown.code", default="none"))


class HtmlBlock(MarkdownElement):
    """A block of HTML, drawn as text and tables (math inside it on one line)."""

    def __init__(self, math: list[Found]) -> None:
        self.math = math
        self.html = ""

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> MarkdownElement:
        """An empty block; the HTML arrives as its text."""
        assert isinstance(markdown, NotebookMarkdown)
        return cls(markdown.math)

    def on_text(self, context: MarkdownContext, text: object) -> None:
        """The HTML source."""
        self.html += str(text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The HTML fitted to the width (nothing for HTML that shows no text)."""
        source = MARKER.sub(lambda m: _inline_math_text(self.math[int(m.group(1))]), self.html)
        rendered = render_html(source, width=options.max_width, links=True)
        if rendered is not None:
            yield rendered


def _inline_math_text(found: Found) -> str:
    if isinstance(found, Literal):
        return found.raw
    return math_text(found.source) or found.raw


class NotebookMarkdown(Markdown):
    """Rich's Markdown with math, HTML and links as JupyterLab renders them.

    The math is taken out first (``extract_math``), then the token stream is rewritten before
    Rich draws it: formulas become Unicode (display math a centred block of its own), inline
    HTML tags the markdown they mean (``<b>`` bold, ``<br>`` a break, ``<a href>`` a link), and
    HTML blocks are drawn by ``render_html``.
    """

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "math_block": MathBlock,
        "html_block": HtmlBlock,
    }
    inlines: ClassVar[set[str]] = {"em", "strong", "code", "s", "u", "math"}  # type: ignore[misc]

    # Styles of the tags Rich does not know, for consoles whose theme does not name them.
    DEFAULT_STYLES: ClassVar[dict[str, Style]] = {
        "markdown.u": Style(underline=True),
        "markdown.math": Style(),
    }

    def __init__(self, markup: str, *, code_theme: str = "monokai") -> None:
        # hyperlinks=False: Rich would write OSC 8 sequences; the address is shown instead.
        super().__init__("", code_theme=code_theme, hyperlinks=False)
        self.markup = markup
        text, self.math = extract_math(strip_ansi(markup))
        parser = MarkdownIt().enable("strikethrough").enable("table")
        self.parsed = _split_display_math(_rewrite(parser.parse(text), self.math))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Draw with Rich, the styles of our own tags filled in where the theme lacks them."""
        missing = {}
        for name, style in self.DEFAULT_STYLES.items():
            try:
                console.get_style(name)
            except MissingStyle:
                missing[name] = style
        if not missing:
            yield from super().__rich_console__(console, options)
            return
        with console.use_theme(Theme(missing)):
            yield from super().__rich_console__(console, options)


def _rewrite(tokens: list[Token], math: list[Found]) -> list[Token]:
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.children is not None:
            # Display math gets a block of its own in a paragraph; in a heading or a table
            # cell it stays on the line.
            in_paragraph = index > 0 and tokens[index - 1].type == "paragraph_open"
            token.children = _close_open(_inline(token.children, math, in_paragraph))
    return tokens


def _inline(children: list[Token], math: list[Found], display: bool) -> list[Token]:
    out: list[Token] = []
    opened: list[str] = []  # inline styles opened by HTML tags, innermost last
    links: list[bool] = []  # per open <a>: whether it became a link token
    for token in children:
        if token.type == "text" and "@@" in token.content:
            out.extend(_math_tokens(token.content, math, display))
        elif token.type == "html_inline":
            out.extend(_balanced(_html_inline(token.content, links), opened))
        elif token.type == "image":
            label = image_label(token.content, str(token.attrs.get("src", "")))
            out.extend([Token("em_open", "em", 1), _text(label), Token("em_close", "em", -1)])
        elif token.type in ("link_open", "link_close") and token.markup == "autolink":
            continue  # <http://…>: its text is its address, shown once
        else:
            out.append(token)
    # HTML left open at the end of the paragraph is closed there, as a browser does.
    out.extend(Token(f"{kind}_close", _TAG_KINDS[kind][1], -1) for kind in reversed(opened))
    out.extend(Token("link_close", "a", -1) for made in links if made)
    return out


def _balanced(tokens: list[Token], opened: list[str]) -> list[Token]:
    """Style tokens from HTML tags, with closings that close nothing dropped (Rich would fail
    on them) and the styles opened inside a closed one closed first."""
    out: list[Token] = []
    for token in tokens:
        kind = token.type.rsplit("_", 1)[0]
        if token.type.endswith("_open") and kind in _TAG_KINDS:
            opened.append(kind)
        elif token.type.endswith("_close") and kind in _TAG_KINDS:
            if kind not in opened:
                continue
            while opened:
                inner = opened.pop()
                out.append(Token(f"{inner}_close", _TAG_KINDS[inner][1], -1))
                if inner == kind:
                    break
            continue
        out.append(token)
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _math_tokens(content: str, math: list[Found], display: bool) -> list[Token]:
    out: list[Token] = []
    position = 0
    for match in MARKER.finditer(content):
        if match.start() > position:
            out.append(_text(content[position : match.start()]))
        position = match.end()
        index = int(match.group(1))
        found = math[index] if index < len(math) else Literal(match.group(0))
        if isinstance(found, Literal):
            out.append(_text(found.raw))
        elif found.display and display:
            block = Token("math_block", "", 0)
            block.content = str(index)
            out.append(block)
        else:
            converted = math_text(found.source)
            if converted is None:
                code = Token("code_inline", "code", 0)
                code.content = found.raw
                out.append(code)
            else:
                out.append(Token("math_open", "math", 1))
                out += [_text(converted), Token("math_close", "math", -1)]
    if position < len(content):
        out.append(_text(content[position:]))
    return out


def _html_inline(content: str, links: list[bool]) -> list[Token]:
    match = _TAG.fullmatch(content.strip())
    if match is None:
        return []  # a comment, a declaration: nothing to show
    closing, name, rest, _self_closing = match.groups()
    name = name.lower()
    if name == "br":
        return [Token("hardbreak", "br", 0)]
    if name == "img":
        attributes = _attributes(rest)
        label = image_label(attributes.get("alt", ""), attributes.get("src", ""))
        return [Token("em_open", "em", 1), _text(label), Token("em_close", "em", -1)]
    if name == "a":
        if closing:
            return [Token("link_close", "a", -1)] if links and links.pop() else []
        href = _attributes(rest).get("href", "")
        links.append(bool(href))
        if not href:
            return []
        token = Token("link_open", "a", 1)
        token.attrs = {"href": href}
        return [token]
    if name == "kbd":
        return [Token("html_inline", "", 0, content=f"<{closing}kbd>")]
    if name in _INLINE_TAGS:
        kind, tag = _INLINE_TAGS[name]
        return [Token(f"{kind}_{'close' if closing else 'open'}", tag, -1 if closing else 1)]
    return []  # <span>, <font>, <sup>…: their text stays, the tag goes


def _split_display_math(tokens: list[Token]) -> list[Token]:
    """A paragraph holding display math becomes paragraphs around a math block of its own."""
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            token.type != "paragraph_open"
            or inline is None
            or inline.children is None
            or not any(child.type == "math_block" for child in inline.children)
        ):
            out.append(token)
            index += 1
            continue
        closing = tokens[index + 2]
        part: list[Token] = []
        for child in [*inline.children, None]:
            if child is None or child.type == "math_block":
                if any(t.type not in ("softbreak", "hardbreak") for t in part):
                    while part and part[-1].type in ("softbreak", "hardbreak"):
                        part.pop()
                    while part and part[0].type in ("softbreak", "hardbreak"):
                        part.pop(0)
                    wrapper = Token("inline", "", 0, children=_close_open(part))
                    out += [token.copy(), wrapper, closing.copy()]
                part = []
                if child is not None:
                    out.append(child)
            else:
                part.append(child)
        index += 3
    return out


def _close_open(part: list[Token]) -> list[Token]:
    """A piece of a split paragraph with every inline open closed in it (a link or a bold
    run the display math cut in two ends there): Rich needs them balanced."""
    out: list[Token] = []
    stack: list[Token] = []
    for token in part:
        if token.nesting == 1:
            stack.append(token)
        elif token.nesting == -1:
            kind = token.type.removesuffix("_close")
            if not stack or stack[-1].type.removesuffix("_open") != kind:
                continue
            stack.pop()
        out.append(token)
    out.extend(Token(f"{t.type.removesuffix('_open')}_close", t.tag, -1) for t in reversed(stack))
    return out


def render_markdown(source: str, *, code_theme: str = "monokai") -> NotebookMarkdown:
    """A renderable for a markdown cell or a text/markdown output."""
    return NotebookMarkdown(source, code_theme=code_theme)


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_IMAGE_SUFFIXES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}
# A picture file read for the viewer: larger ones are not pictures a terminal needs.
_MAX_PICTURE_BYTES = 20_000_000


def markdown_pictures(
    source: str, attachments: Mapping[str, object] | None, folder: Path | None
) -> list[dict[str, str]]:
    """The pictures a markdown cell shows, as MIME bundles the picture viewer can draw.

    Attached (``attachment:name``), embedded (``data:image/png;base64,...``) and local files
    next to the notebook are found; addresses on the web are not fetched.
    """
    found: list[dict[str, str]] = []
    sources = [m.group(1) for m in _MARKDOWN_IMAGE.finditer(source)]
    sources += [html.unescape(m.group(1).strip("\"'")) for m in _HTML_IMAGE.finditer(source)]
    for src in sources:
        if src.startswith("attachment:"):
            bundle = (attachments or {}).get(src.removeprefix("attachment:"))
            if isinstance(bundle, dict):
                found.append({str(k): str(v) for k, v in bundle.items()})
        elif src.startswith("data:") and ";base64," in src:
            header, _, data = src.partition(",")
            found.append({header.removeprefix("data:").split(";")[0]: data})
        elif folder is not None and "://" not in src:
            path = folder / src
            mime = _IMAGE_SUFFIXES.get(path.suffix.lower())
            try:
                if mime and path.is_file() and path.stat().st_size <= _MAX_PICTURE_BYTES:
                    found.append({mime: base64.b64encode(path.read_bytes()).decode("ascii")})
            except OSError:
                continue
    return found
