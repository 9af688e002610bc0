"""The sanitiser: a corpus of hostile escape sequences never reaches the terminal, colours do."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.render.terminal import to_plain, to_terminal, unsafe_parts
from tnb.notebook.model import Output
from tnb.ui.render import render_output, sanitize, strip_ansi

ESC = "\x1b"
# (name, hostile text, text that must still be visible)
CORPUS: list[tuple[str, str, str]] = [
    ("cursor up and home", "a\x1b[5Ab\x1b[Hc", "abc"),
    ("cursor position", "x\x1b[10;20Hy\x1b[2;3fz", "xyz"),
    ("erase screen and scrollback", "keep\x1b[2J\x1b[3J\x1b[K", "keep"),
    ("reset terminal RIS", "before\x1bcafter", "beforeafter"),
    ("alternate screen", "\x1b[?1049htext\x1b[?1049l", "text"),
    ("hide cursor and mouse tracking", "\x1b[?25l\x1b[?1000h\x1b[?1006hclick", "click"),
    ("bracketed paste off", "\x1b[?2004lpaste", "paste"),
    ("OSC 0 title with BEL", "\x1b]0;pwned\x07title", "title"),
    ("OSC 2 title with ST", "\x1b]2;pwned\x1b\\title", "title"),
    ("OSC 52 clipboard write", "copy\x1b]52;c;cm0gLXJmIH4=\x07done", "copydone"),
    ("OSC 52 clipboard read", "\x1b]52;c;?\x1b\\q", "q"),
    (
        "OSC 8 hyperlink keeps text",
        "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\",
        "click me",
    ),
    ("OSC 8 with BEL", "\x1b]8;id=1;file:///etc/passwd\x07link\x1b]8;;\x07", "link"),
    ("OSC 1337 iTerm file", "\x1b]1337;File=inline=1:AAAA\x07img", "img"),
    ("OSC 4 palette change", "\x1b]4;1;rgb:ff/00/00\x1b\\pal", "pal"),
    ("DCS sixel", "pic\x1bPq#0;2;0;0;0#0~~@@vv\x1b\\end", "picend"),
    ("DCS DECRQSS query", "\x1bP$qm\x1b\\x", "x"),
    ("APC kitty graphics", "\x1b_Gf=100,a=T;iVBORw0KGgo=\x1b\\k", "k"),
    ("PM and SOS", "\x1b^private\x1b\\\x1bXstring\x1b\\ok", "ok"),
    ("8-bit CSI", "a\x9b2Jb\x9b31mc", "abc"),
    ("8-bit OSC", "\x9d0;title\x9cshown", "shown"),
    ("8-bit DCS and APC", "\x90qdata\x9c\x9fGa=T\x9cz", "z"),
    ("bare ESC and trailing ESC", "x\x1b\ny\x1b", "x\ny"),
    ("charset switch to line drawing", "\x1b(0lqk\x1b(B", "lqk"),
    ("DEC screen alignment", "\x1b#8fill", "fill"),
    ("save and restore cursor", "\x1b7s\x1b8r", "sr"),
    ("keypad and modifyOtherKeys", "\x1b=\x1b[>4;2mkeys", "keys"),
    ("device attribute queries", "\x1b[c\x1b[>c\x1b[6n\x1b[18tq", "q"),
    ("window ops", "\x1b[8;100;300t\x1b[2tw", "w"),
    ("BEL, NUL, form feed, vertical tab, DEL", "a\x07b\x00c\x0cd\x0be\x7ff", "abcdef"),
    ("C1 NEL and IND", "a\x85b\x84c", "abc"),
    ("shift out and in", "\x0eso\x0fsi", "sosi"),
    ("unterminated OSC does not hide the next line", "\x1b]0;title\nnext line", "next line"),
    ("unterminated CSI", "tail\x1b[12", "tail"),
    ("kitty placeholder character", "\U0010eeee\u0305x", "x"),
]


@pytest.mark.parametrize(("name", "hostile", "visible"), CORPUS, ids=[c[0] for c in CORPUS])
def test_sanitize_keeps_text_and_drops_the_sequence(name: str, hostile: str, visible: str) -> None:
    cleaned = sanitize(hostile)
    assert ESC not in re.sub(r"\x1b\[[0-9;:]*m", "", cleaned)
    assert visible in strip_ansi(hostile).replace("\u0305", "")


@pytest.mark.parametrize(("name", "hostile", "visible"), CORPUS, ids=[c[0] for c in CORPUS])
@pytest.mark.parametrize("kind", ["stream", "error", "text/plain", "text/markdown", "text/html"])
def test_no_escape_but_sgr_reaches_the_terminal(
    name: str, hostile: str, visible: str, kind: str
) -> None:
    text = f"\x1b[31mred\x1b[0m {hostile} end"
    if kind == "stream":
        output = Output("stream", name="stdout", text=text)
    elif kind == "error":
        output = Output("error", ename="E", evalue="v", traceback=[text, text])
    else:
        output = Output("display_data", data={kind: text})
    drawn = to_terminal(render_output(output, 80))
    assert unsafe_parts(drawn) == []
    assert "pwned" not in drawn and "evil.example" not in drawn and "cm0gLXJmIH4" not in drawn


def test_colours_survive_as_styles() -> None:
    output = Output(
        "stream", name="stdout", text="\x1b[1;31mbold red\x1b[0m \x1b[38;2;1;2;3mrgb\x1b[0m"
    )
    drawn = to_terminal(render_output(output))
    assert "\x1b[1;31mbold red" in drawn
    assert "\x1b[38;2;1;2;3mrgb" in drawn


def test_hyperlink_keeps_only_its_text() -> None:
    drawn = to_terminal(
        render_output(Output("stream", text="\x1b]8;;https://x.example\x1b\\docs\x1b]8;;\x1b\\\n"))
    )
    assert "docs" in drawn
    assert "\x1b]" not in drawn and "x.example" not in drawn


def test_carriage_return_keeps_the_last_state_of_a_progress_bar() -> None:
    assert sanitize("10%\r50%\r100%\ndone") == "100%\ndone"
    assert sanitize("abcdef\rXY") == "XYcdef"
    assert sanitize("\x1b[32m10%\x1b[0m\r\x1b[2K\x1b[32m20%\x1b[0m") == "\x1b[32m20%\x1b[0m"
    assert sanitize("line\r\nnext") == "line\nnext"


def test_backspace_deletes_the_character_before_it_within_its_line() -> None:
    assert sanitize("abc\b\bX") == "aX"
    assert sanitize("a\n\bb") == "a\nb"


def test_tabs_and_newlines_and_unicode_are_kept() -> None:
    text = "a\tb\nçé 漢字 🙂"
    assert sanitize(text) == text


def test_strip_ansi_removes_colour_too() -> None:
    assert strip_ansi("\x1b[31mred\x1b[0m\x1b]0;t\x07") == "red"


def test_drawn_text_of_the_whole_corpus_in_one_output() -> None:
    text = "\n".join(hostile for _, hostile, _ in CORPUS)
    drawn = to_plain(render_output(Output("stream", text=text), 200, max_lines=None), 200)
    for _, _, visible in CORPUS:
        assert visible.split("\n")[-1] in drawn


_PIECES = st.sampled_from(
    [ESC, "[", "]", "P", "_", "^", "X", "\\", "\x07", "\x9b", "\x9c", "\x9d", "\x90", "\x9f",
     "31", ";", ":", "m", "?", "1049", "h", "\r", "\b", "\n", "\t", "\x00", "\x7f", "\x85",
     "a", "é", "漢", "0", "2J", ">", "(", "#", " "]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_mix_of_sequence_fragments_is_safe(text: str) -> None:
    cleaned = sanitize(text)
    assert ESC not in re.sub(r"\x1b\[[0-9;:]*m", "", cleaned)
    assert re.search(r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\r]", cleaned) is None
    assert unsafe_parts(to_terminal(render_output(Output("stream", text=text)))) == []
