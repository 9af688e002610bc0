"""The last door to the terminal: no line of any widget carries a control sequence of its own."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from tnb.session.sanitize import SGR_SEQUENCE, UNSAFE_SEQUENCE

# After rendering, a segment's text is only ever printable characters: colour lives in its style,
# and Textual's own cursor moves live in control segments. So any C0, ESC, DEL, C1 or bidi control
# left in the text came from outside (a cell source, a kernel name, a server's error message) and is
# removed. Kitty's placeholder U+10EEEE is kept: the picture screen's images are drawn with it.
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def guard_text(text: str) -> str:
    """``text`` without terminal sequences (payload and all) or control characters."""
    if _CONTROL_CHAR.search(text) is None:
        return text
    return _CONTROL_CHAR.sub("", UNSAFE_SEQUENCE.sub("", SGR_SEQUENCE.sub("", text)))


class TerminalGuard(LineFilter):
    """A Textual line filter applied to every rendered line: the one boundary nothing bypasses.

    Sanitising where outside strings become renderables (``render.sanitize``) keeps their colour
    and progress bars right; this filter makes it impossible for a surface that forgot (or a widget
    of a library) to send a title, a clipboard write, a screen clear or an image to the terminal.
    A link target with a control character in it loses its link (Rich writes it inside OSC 8).
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """``segments`` as they are when clean (the common case: one scan), else cleaned."""
        dirty = False
        for text, style, control in segments:
            if control is None and (
                _CONTROL_CHAR.search(text) is not None
                or (style is not None and style.link and _CONTROL_CHAR.search(style.link))
            ):
                dirty = True
                break
        if not dirty:
            return segments
        cleaned: list[Segment] = []
        for segment in segments:
            text, style, control = segment
            if control is not None:
                cleaned.append(segment)
                continue
            if style is not None and style.link and _CONTROL_CHAR.search(style.link):
                style = style.update_link(None)
            shown = guard_text(text)
            # Layout already counted the removed payload's cells: pad, so borders stay in place.
            shown += " " * (cell_len(text) - cell_len(shown))
            cleaned.append(Segment(shown, style))
        return cleaned
