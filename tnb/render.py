"""Outputs to Rich renderables: MIME ranking, sanitised ANSI text (placeholder until issue 6)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from tnb.notebook.model import Output


def render_output(output: Output, width: int = 80) -> RenderableType:
    """A renderable for one output, at most ``width`` cells wide."""
    if output.output_type == "stream":
        return Text.from_ansi(output.text.rstrip("\n"))
    if output.output_type == "error":
        return Text.from_ansi("\n".join(output.traceback))
    text = output.data.get("text/plain", "")
    return Text.from_ansi(str(text).rstrip("\n"))
