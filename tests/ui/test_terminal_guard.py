"""The terminal guard: every line of every widget reaches the terminal as text and colour only."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Region
from textual.widgets import Label, Static

from tests.fixtures.hostile import ALL, CORPUS, MARKUP
from tests.ui.helpers import sample_notebook
from tnb.ui.app import TnbApp
from tnb.ui.render import sanitize, shown_source
from tnb.ui.terminal_guard import TerminalGuard, guard_text

BLACK = Color(0, 0, 0)
CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} | set(
    "\u202a\u202b\u202c\u202d\u202e"
)
CONTROLS |= set("\u2066\u2067\u2068\u2069")


def _has_control(text: str) -> bool:
    return any(char in CONTROLS for char in text)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_guard_text_drops_each_sequence_with_its_payload(name: str) -> None:
    shown = guard_text(f"before{CORPUS[name]}after")
    assert not _has_control(shown)
    assert shown.startswith("before") and shown.endswith("after")
    # String sequences lose their payload too: no title, clipboard or image data as text.
    if name.startswith(("osc0", "osc2", "osc52", "dcs", "apc", "pm", "sos", "sixel")):
        assert "TNBPWN" not in shown


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_source_and_output_sanitisers_drop_each_sequence(name: str) -> None:
    assert not _has_control(
        shown_source(f"a{CORPUS[name]}\tb\nc").replace("\t", "").replace("\n", "")
    )
    assert "\t" in shown_source("a\tb") and shown_source("a\nb") == "a\nb"
    kept = sanitize(f"a{CORPUS[name]}b").replace("\n", "")
    assert not _has_control(kept.replace("\x1b[", ""))  # only SGR may keep an ESC


def test_clean_lines_pass_untouched_and_cost_one_scan() -> None:
    segments = [Segment("plain text ", Style(bold=True)), Segment("more")]
    assert TerminalGuard().apply(segments, BLACK) is segments


def test_dirty_segments_are_cleaned_and_keep_their_cells() -> None:
    text = f"x{ALL}y"
    control = Segment("\x1b[2;3H", None, [])  # Textual's own cursor moves are control segments
    segments = [Segment(text, Style(color="red")), control]
    cleaned = TerminalGuard().apply(segments, BLACK)
    assert not _has_control(cleaned[0].text)
    assert cleaned[0].style == Style(color="red")
    assert cell_len(cleaned[0].text) == cell_len(text)  # the layout stays where it was drawn
    assert cleaned[1] is control


def test_a_link_target_with_a_control_loses_its_link() -> None:
    hostile = Style(link="https://example.org/\x1b]0;TNBPWN\x07")
    safe = Style(link="https://example.org/")
    cleaned = TerminalGuard().apply([Segment("a", hostile), Segment("b", safe)], BLACK)
    assert cleaned[0].style is not None and not cleaned[0].style.link
    assert cleaned[1].style == safe


async def test_every_widget_of_the_app_is_guarded(tmp_path: Path) -> None:
    app = TnbApp(sample_notebook(tmp_path / "n.ipynb"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert any(isinstance(f, TerminalGuard) for f in app.get_line_filters())
        label = Label(f"label {ALL}", markup=False)
        static = Static(f"static {ALL}", markup=False)
        await app.screen.mount(label, static)
        await pilot.pause()
        for widget in (label, static):
            strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
            text = "".join(
                segment.text for strip in strips for segment in strip if not segment.control
            )
            assert "TNBPWN" in text and not _has_control(text)


@pytest.mark.parametrize("message", MARKUP)
async def test_notifications_show_markup_as_typed(tmp_path: Path, message: str) -> None:
    app = TnbApp(sample_notebook(tmp_path / "n.ipynb"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.notify(message)  # Widget.notify passes markup=True itself
        await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert message in shown
        assert [n.markup for n in app._notifications] == [False]
        assert app.is_running  # [@click=app.quit] did nothing, "[/]" raised no MarkupError
