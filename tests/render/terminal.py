"""Test helpers: draw a renderable the way a real terminal would receive it."""

from __future__ import annotations

import io
import re

from rich.console import Console, RenderableType

# What Rich itself writes for colour and style; everything else is forbidden in what we draw.
SGR = re.compile(r"\x1b\[[0-9;]*m")
FORBIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\U0010eeee]")


def to_terminal(renderable: RenderableType, width: int = 80) -> str:
    """The exact characters a true-colour terminal would get for ``renderable``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="truecolor",
        width=width,
        height=50,
        legacy_windows=False,
        _environ={},
    )
    console.print(renderable)
    return buffer.getvalue()


def to_plain(renderable: RenderableType, width: int = 80) -> str:
    """The text of ``renderable`` as drawn, without any style."""
    return SGR.sub("", to_terminal(renderable, width))


def unsafe_parts(terminal_output: str) -> list[str]:
    """Every control character left once Rich's own SGR sequences are removed (tab aside)."""
    return FORBIDDEN.findall(SGR.sub("", terminal_output).replace("\t", ""))
