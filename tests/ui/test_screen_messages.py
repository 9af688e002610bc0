"""The notebook screen asks for saving and quitting with messages; it never calls the app."""

from __future__ import annotations

from textual.app import App
from textual.message import Message

from tests.ui.helpers import sample_notebook
from tnb.ui.screens.notebook_screen import NotebookScreen


class Host(App[int]):
    """A bare Textual app: a screen that called TnbApp's methods would fail here."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[Message] = []
        self.notebook = sample_notebook()

    def on_mount(self) -> None:
        self.push_screen(NotebookScreen(self.notebook))

    def on_notebook_screen_save_requested(self, event: NotebookScreen.SaveRequested) -> None:
        self.heard.append(event)

    def on_notebook_screen_quit_requested(self, event: NotebookScreen.QuitRequested) -> None:
        self.heard.append(event)


def last(host: Host) -> Message:
    return host.heard[-1]


async def test_save_save_as_and_the_quit_answers_are_messages() -> None:
    host = Host()
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert host.heard == [NotebookScreen.SaveRequested()]
        screen = host.screen
        assert isinstance(screen, NotebookScreen)
        screen.action_save_as()
        await pilot.pause()
        assert last(host) == NotebookScreen.SaveRequested(as_new=True)
        host.notebook.dirty = True
        await pilot.press("q", "s")  # unsaved: asked, answered "save and quit"
        await pilot.pause()
        assert last(host) == NotebookScreen.SaveRequested(then_quit=True)
        await pilot.press("q", "d")  # "discard and quit"
        await pilot.pause()
        assert last(host) == NotebookScreen.QuitRequested(discard=True)
        host.notebook.dirty = False
        await pilot.press("q")  # nothing unsaved: no question
        await pilot.pause()
        assert last(host) == NotebookScreen.QuitRequested(discard=False)
        assert len(host.heard) == 5
