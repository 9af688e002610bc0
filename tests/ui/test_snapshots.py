"""SVG snapshots of the editor: command mode, edit mode, markdown, help, 80x24, light theme."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from tests.ui.helpers import showcase_notebook
from tnb.ui.app import TnbApp

SnapCompare = Callable[..., bool]


def app() -> TnbApp:
    return TnbApp(showcase_notebook())


def test_command_mode(snap_compare: SnapCompare) -> None:
    assert snap_compare(app(), press=["j", "J"], terminal_size=(100, 34))


def test_edit_mode(snap_compare: SnapCompare) -> None:
    assert snap_compare(app(), press=["j", "enter", "down", "end"], terminal_size=(100, 34))


def test_markdown_rendered(snap_compare: SnapCompare) -> None:
    assert snap_compare(app(), terminal_size=(100, 20))


def test_help_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(app(), press=["question_mark"], terminal_size=(100, 34))


def test_small_terminal(snap_compare: SnapCompare) -> None:
    assert snap_compare(app(), press=["j", "j"], terminal_size=(80, 24))


def test_light_theme(snap_compare: SnapCompare) -> None:
    async def light(pilot: Pilot[int]) -> None:
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(app(), press=["j"], terminal_size=(100, 34), run_before=light)


def test_rich_outputs(snap_compare: SnapCompare) -> None:
    """Stored outputs of every kind (no kernel): stream, error, table, markdown, picture."""
    from tests.screenshots import TOUR
    from tnb.notebook.io import load_notebook

    async def to_outputs(pilot: Pilot[int]) -> None:
        await pilot.press(*["j"] * 6)

    assert snap_compare(TnbApp(load_notebook(TOUR)), terminal_size=(110, 40), run_before=to_outputs)
