"""Pygments lexers and themes for cell sources, looked up once per language."""

from __future__ import annotations

from functools import lru_cache

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
from pygments.lexers.special import TextLexer  # type: ignore[import-untyped]
from pygments.util import ClassNotFound  # type: ignore[import-untyped]

# Kernels report names Pygments does not know under that exact spelling.
_ALIASES = {"python3": "python", "ipython": "python", "ipython3": "python", "sh": "bash"}


@lru_cache(maxsize=32)
def lexer_for(language: str) -> Lexer:
    """A Pygments lexer for a notebook language name, plain text when unknown."""
    name = _ALIASES.get(language.lower(), language.lower())
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return TextLexer()


def syntax_theme(dark: bool) -> str:
    """The Pygments style for highlighted sources in a dark or light Textual theme."""
    return "monokai" if dark else "default"


def text_area_language(language: str) -> str | None:
    """The TextArea (tree-sitter) language for a notebook language, None when unsupported."""
    name = _ALIASES.get(language.lower(), language.lower())
    supported = {
        "python", "bash", "css", "html", "java", "javascript", "json", "markdown",
        "rust", "sql", "toml", "yaml", "go", "regex", "xml",
    }  # fmt: skip
    return name if name in supported else None
