"""One sanitiser for every string a kernel sends: keep SGR colour, drop every other control."""

from __future__ import annotations

import re

# SGR is the only sequence kept: plain digits, ';' and ':' (ITU T.416 sub-parameters), final 'm'.
# Private-marker forms such as "\x1b[>4;2m" (xterm modifyOtherKeys) are not colour and are dropped.
_SGR = r"\x1b\[[0-9;:]*m"

# Everything that is not SGR, one alternative per ECMA-48 family, 7-bit and 8-bit (C1) introducers.
# String sequences (OSC, DCS, SOS, PM, APC) run to BEL or ST; an unterminated one stops at a newline
# or the next ESC, so a stray introducer cannot hide the rest of an output (a terminal would).
UNSAFE_SEQUENCE = re.compile(
    rf"(?!{_SGR})"
    r"(?:"
    # OSC, DCS, SOS, PM, APC
    r"(?:\x1b[P\]X^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI (cursor, erase, modes, private modes)
    r"|\x1b[ -/]*[0-~]?"  # nF/Fp/Fe/Fs escapes (RIS, charset switches, DECSC) and bare ESC
    # C0 but \t \n \b \r (handled below), DEL, C1, bidi embeddings, overrides and isolates
    # (they reorder what the user reads: "Trojan Source"), and kitty's image placeholder U+10EEEE.
    r"|[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U0010eeee]"
    r")"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U0010eeee]")
SGR_SEQUENCE = re.compile(r"\x1b\[[0-9;:]*m")


def _apply_carriage_returns(text: str) -> str:
    """Overlay what follows a ``\\r`` on the start of its line, as JupyterLab and a terminal do."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if "\r" not in line:
            continue
        shown = ""
        for part in line.split("\r"):
            # Overlaying by character count is wrong once colour codes sit in the text; the last
            # part then wins whole, which is what progress bars that redraw the full line need.
            colour = "\x1b" in part or "\x1b" in shown
            shown = (part or shown) if colour else part + shown[len(part) :]
        lines[index] = shown
    return "\n".join(lines)


def _apply_backspaces(text: str) -> str:
    """Delete the character before each ``\\b`` (not across lines), as JupyterLab does; linear."""
    parts = text.split("\x08")
    kept = list(parts[0])
    for part in parts[1:]:
        if kept and kept[-1] != "\n":
            kept.pop()
        kept.extend(part)
    return "".join(kept)


def sanitize(text: str) -> str:
    """Return ``text`` with SGR colour sequences, printable characters, ``\\n`` and ``\\t`` only.

    Cursor movement, erases, screen clears, private modes, OSC (titles, OSC 52 clipboard writes,
    OSC 8 hyperlinks: their link text is kept), DCS (sixel), APC (kitty graphics), SOS/PM, other
    escapes, bare ESC, C1 and other C0 controls, DEL and bidi overrides and isolates are removed.
    ``\\r`` overlays the start of its line and ``\\b`` deletes the character before it, so progress
    bars show their last state.
    """
    if _CONTROL.search(text) is None:  # a char-class scan is ~5x faster than the full pattern
        return text
    text = UNSAFE_SEQUENCE.sub("", text)
    if "\r" in text:
        text = _apply_carriage_returns(text)
    if "\b" in text:
        text = _apply_backspaces(text)
    return text


def strip_ansi(text: str) -> str:
    """Return ``text`` sanitised and without colour: plain text for a pager or the clipboard."""
    return SGR_SEQUENCE.sub("", sanitize(text))


def shown_source(text: str) -> str:
    """A cell's source as drawn: every escape sequence (colour too) and control but tab and
    newline removed, so a source is shown as the text it is and never acts on the terminal."""
    if _CONTROL.search(text) is None:
        return text
    text = UNSAFE_SEQUENCE.sub("", SGR_SEQUENCE.sub("", text.replace("\r\n", "\n")))
    return _CONTROL.sub("", text)
