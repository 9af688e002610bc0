"""A server's notebook in the app (Pilot, real jupyter_server and kernel): open, run, save
back, the conflict question, checkpoints, offline edits restored, and the file browser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.contents.helpers import put_notebook, rest, save_elsewhere, server_notebook, sources
from tests.fixtures.jupyter_server import JupyterServer, start_jupyter_server
from tests.ui.helpers import kernel_idle, screen_of, wait_for
from tnb.notebook.model import Notebook
from tnb.notebook.recovery import recovery_dir
from tnb.session.launch import LaunchOptions
from tnb.session.server_files import ServerFiles
from tnb.ui.app import TnbApp
from tnb.ui.screens.dialogs import ChoiceScreen, ConfirmScreen, NameScreen
from tnb.ui.screens.server_browser import ServerBrowserScreen

SIZE = (110, 36)
pytestmark = pytest.mark.timeout(240)


def options_for(server: JupyterServer) -> LaunchOptions:
    return LaunchOptions(server=server.url, token=server.token)


async def open_remote(server: JupyterServer, path: str) -> Notebook:
    files = await ServerFiles.connect(options_for(server))
    try:
        nb = await files.open(path)
    finally:
        files.close()
    assert isinstance(nb, Notebook)
    return nb


def outputs_text(nb: dict[str, Any]) -> str:
    return "".join(
        "".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []) if "text" in o
    )


def choice_shown(app: TnbApp, words: str) -> bool:
    screen = app.screen
    return isinstance(screen, ChoiceScreen) and words in screen.question


async def test_open_run_and_save_back_with_the_notebooks_own_session(
    jupyter_server: JupyterServer,
) -> None:
    put_notebook(jupyter_server, "ui/run.ipynb", "import os\nprint(os.getcwd())")
    nb = await open_remote(jupyter_server, "ui/run.ipynb")
    app = TnbApp(nb, kernel_args=options_for(jupyter_server), start_kernel=True, recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await kernel_idle(pilot, app)
        header = str(app.screen.query_one("#header").render())
        assert "ui/run.ipynb @ 127.0.0.1" in header
        # The kernel is the session JupyterLab would show for this file, in its folder.
        sessions = rest(jupyter_server, "api/sessions")
        assert "ui/run.ipynb" in [s["path"] for s in sessions]
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(nb.cells[0].outputs), "the cell's output")
        assert str(jupyter_server.root_dir / "ui") in nb.cells[0].outputs[0].text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "saved run.ipynb on the server" in status_line(app), "save")
        saved = server_notebook(jupyter_server, "ui/run.ipynb")
        assert str(jupyter_server.root_dir / "ui") in outputs_text(saved)
        assert saved["metadata"]["kernelspec"]["name"] == "python3"
        assert rest(jupyter_server, "api/contents/ui/run.ipynb/checkpoints")


async def test_a_concurrent_save_asks_before_overwriting(jupyter_server: JupyterServer) -> None:
    put_notebook(jupyter_server, "ui/both.ipynb", "mine = 1")
    nb = await open_remote(jupyter_server, "ui/both.ipynb")
    save_elsewhere(jupyter_server, "ui/both.ipynb", "theirs = 2")
    app = TnbApp(nb, kernel_args=options_for(jupyter_server))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "end", *" + 1", "escape")
        await wait_for(pilot, lambda: app.notebook.dirty, "the edit")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: choice_shown(app, "changed on the server"), "the question")
        assert sources(server_notebook(jupyter_server, "ui/both.ipynb")) == ["theirs = 2"]
        await pilot.press("o")  # overwrite
        await wait_for(pilot, lambda: not app.notebook.dirty, "the save")
    assert sources(server_notebook(jupyter_server, "ui/both.ipynb")) == ["mine = 1 + 1"]


async def test_reload_answer_takes_the_servers_copy(jupyter_server: JupyterServer) -> None:
    put_notebook(jupyter_server, "ui/reload.ipynb", "old")
    nb = await open_remote(jupyter_server, "ui/reload.ipynb")
    save_elsewhere(jupyter_server, "ui/reload.ipynb", "new from elsewhere")
    app = TnbApp(nb, kernel_args=options_for(jupyter_server))
    async with app.run_test(size=SIZE) as pilot:
        nb.cells[0].source = "old, edited"
        nb.dirty = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: choice_shown(app, "changed on the server"), "the question")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: [c.source for c in app.notebook.cells] == ["new from elsewhere"],
            "the server's copy",
        )
        assert not app.notebook.dirty


async def test_revert_to_checkpoint_from_the_palette_action(
    jupyter_server: JupyterServer,
) -> None:
    put_notebook(jupyter_server, "ui/cp.ipynb", "checkpointed")
    nb = await open_remote(jupyter_server, "ui/cp.ipynb")
    app = TnbApp(nb, kernel_args=options_for(jupyter_server))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")  # the save keeps a checkpoint of "checkpointed"
        await wait_for(
            pilot,
            lambda: bool(rest(jupyter_server, "api/contents/ui/cp.ipynb/checkpoints")),
            "the checkpoint",
        )
        nb.cells[0].source = "later"
        nb.dirty = True
        save_elsewhere(jupyter_server, "ui/cp.ipynb", "later")  # no checkpoint, as an autosave
        screen_of(app).action_revert_to_checkpoint()
        await wait_for(pilot, lambda: choice_shown(app, "Revert cp.ipynb"), "the checkpoints")
        assert "unsaved edits will be lost" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("1")
        await wait_for(
            pilot,
            lambda: [c.source for c in app.notebook.cells] == ["checkpointed"],
            "the reverted notebook",
        )
    assert sources(server_notebook(jupyter_server, "ui/cp.ipynb")) == ["checkpointed"]


@pytest.fixture
async def own_server(tmp_path: Path) -> AsyncIterator[list[JupyterServer]]:
    """A private server (the test stops and restarts it); every incarnation stopped after."""
    started = [start_jupyter_server(tmp_path / "own")]
    yield started
    for server in started:
        server.stop()


async def test_edits_made_while_the_server_is_gone_are_kept_and_restored(
    own_server: list[JupyterServer],
) -> None:
    server = own_server[0]
    put_notebook(server, "off/line.ipynb", "before")
    nb = await open_remote(server, "off/line.ipynb")
    app = TnbApp(nb, kernel_args=options_for(server), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")  # the app's files client is connected and has answered
        await wait_for(pilot, lambda: "saved line.ipynb" in status_line(app), "the first save")
        server.kill()
        await asyncio.to_thread(server.process.wait)
        nb.cells[0].source = "written offline"
        nb.dirty = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "not saved" in status_line(app), "the failed save")
        assert app.notebook.dirty and app.notebook.cells[0].source == "written offline"
        notes = [n.message for n in app._notifications]
        assert any("Not saved" in n and "stopped answering" in n for n in notes), notes
    # The app has gone (as when the terminal closes): the journal holds the edits.
    journals = list(recovery_dir().glob("*.journal.json"))
    kept = [j for j in journals if b"written offline" in j.read_bytes()]
    assert len(kept) == 1
    assert server.token.encode() not in kept[0].read_bytes()
    again = start_jupyter_server(server.root_dir.parent, token=server.token, port=server.port)
    own_server.append(again)
    assert again.url == server.url
    reopened = await open_remote(again, "off/line.ipynb")
    assert [c.source for c in reopened.cells] == ["before"]
    app = TnbApp(reopened, kernel_args=options_for(again), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: choice_shown(app, "Restore them?"), "the restore question")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: [c.source for c in app.notebook.cells] == ["written offline"],
            "the restored edits",
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.notebook.dirty, "the save")
    assert sources(server_notebook(again, "off/line.ipynb")) == ["written offline"]
    assert not [j for j in recovery_dir().glob("*.journal.json") if j in kept]


def browser_of(app: TnbApp) -> ServerBrowserScreen:
    screen = app.screen
    assert isinstance(screen, ServerBrowserScreen)
    return screen


def status_line(app: TnbApp) -> str:
    return str(app.screen.query_one("#status").render())


async def test_the_file_browser_opens_creates_renames_and_deletes(
    jupyter_server: JupyterServer,
) -> None:
    put_notebook(jupyter_server, "br/sub/deep.ipynb", "print('deep')")
    put_notebook(jupyter_server, "br/gone.ipynb", "x")
    app = TnbApp(
        Notebook.new(), kernel_args=options_for(jupyter_server), start_kernel=True, browse="br"
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ServerBrowserScreen), "the browser")
        browser = browser_of(app)
        await wait_for(pilot, lambda: len(browser.entries) == 2, "the listing")
        assert [e.name for e in browser.entries] == ["sub", "gone.ipynb"]  # folders first
        # d on gone.ipynb, confirmed
        await pilot.press("down", "down")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(browser.entries) == 1, "the deletion")
        assert not (jupyter_server.root_dir / "br/gone.ipynb").exists()
        # into sub/, rename deep.ipynb
        await pilot.press("up", "down", "enter")
        await wait_for(pilot, lambda: browser.folder == "br/sub", "the sub folder")
        await wait_for(pilot, lambda: [e.name for e in browser.entries] == ["deep.ipynb"], "sub")
        await pilot.press("down", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, NameScreen), "the name dialog")
        await pilot.press("home", "ctrl+k", *"deeper.ipynb", "enter")
        await wait_for(
            pilot, lambda: [e.name for e in browser.entries] == ["deeper.ipynb"], "the rename"
        )
        assert (jupyter_server.root_dir / "br/sub/deeper.ipynb").exists()
        # n: a new notebook, opened at once with its own session kernel
        await pilot.press("n")
        await wait_for(pilot, lambda: app.notebook.remote is not None, "the new notebook")
        remote = app.notebook.remote
        assert remote is not None and remote.path.startswith("br/sub/Untitled")
        await kernel_idle(pilot, app)
        assert remote.path in [s["path"] for s in rest(jupyter_server, "api/sessions")]
        # the palette's browser, back in sub/: open deeper.ipynb
        screen_of(app).action_browse_server_files()
        await wait_for(pilot, lambda: isinstance(app.screen, ServerBrowserScreen), "the browser")
        browser = browser_of(app)
        await wait_for(pilot, lambda: "deeper.ipynb" in [e.name for e in browser.entries], "list")
        row = 1 + [e.name for e in browser.entries].index("deeper.ipynb")
        await pilot.press(*["down"] * row, "enter")
        await wait_for(
            pilot,
            lambda: app.notebook.remote is not None and app.notebook.file_name == "deeper.ipynb",
            "the chosen notebook",
        )
        await kernel_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(app.notebook.cells[0].outputs), "its output")
        assert "deep" in app.notebook.cells[0].outputs[0].text


async def test_closing_the_first_browser_quits(jupyter_server: JupyterServer) -> None:
    app = TnbApp(Notebook.new(), kernel_args=options_for(jupyter_server), browse="")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ServerBrowserScreen), "the browser")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running, "the exit")


async def test_save_as_on_the_server_moves_the_notebook_there(
    jupyter_server: JupyterServer,
) -> None:
    put_notebook(jupyter_server, "ui/orig.ipynb", "original")
    put_notebook(jupyter_server, "ui/taken.ipynb", "someone else's")
    nb = await open_remote(jupyter_server, "ui/orig.ipynb")
    app = TnbApp(nb, kernel_args=options_for(jupyter_server), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        nb.cells[0].source = "copied"
        nb.dirty = True
        screen_of(app).action_save_as()
        await wait_for(pilot, lambda: isinstance(app.screen, NameScreen), "the name dialog")
        await pilot.press("home", "ctrl+k", *"taken", "enter")
        await wait_for(
            pilot,
            lambda: any("exists on the server" in n.message for n in app._notifications),
            "the refusal",
        )
        assert sources(server_notebook(jupyter_server, "ui/taken.ipynb")) == ["someone else's"]
        assert app.notebook.dirty
        screen_of(app).action_save_as()
        await wait_for(pilot, lambda: isinstance(app.screen, NameScreen), "the name dialog")
        await pilot.press("home", "ctrl+k", *"copy", "enter")
        await wait_for(pilot, lambda: "saved as copy.ipynb" in status_line(app), "the save")
        remote = app.notebook.remote
        assert remote is not None and remote.path == "ui/copy.ipynb"
        assert not app.notebook.dirty
    assert sources(server_notebook(jupyter_server, "ui/copy.ipynb")) == ["copied"]
    assert sources(server_notebook(jupyter_server, "ui/orig.ipynb")) == ["original"]


async def test_reopening_joins_the_session_jupyterlab_has_open(
    jupyter_server: JupyterServer,
) -> None:
    put_notebook(jupyter_server, "ui/shared.ipynb", "print(shared)")
    body = {"path": "ui/shared.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
    lab = rest(jupyter_server, "api/sessions", method="POST", body=body)
    try:
        nb = await open_remote(jupyter_server, "ui/shared.ipynb")
        app = TnbApp(nb, kernel_args=options_for(jupyter_server), start_kernel=True)
        async with app.run_test(size=SIZE) as pilot:
            await kernel_idle(pilot, app)
            sessions = [s for s in rest(jupyter_server, "api/sessions") if "shared" in s["path"]]
            assert [s["id"] for s in sessions] == [lab["id"]]  # joined, not duplicated
        # tnb did not start it: quitting leaves JupyterLab's session running.
        assert lab["id"] in [s["id"] for s in rest(jupyter_server, "api/sessions")]
    finally:
        rest(jupyter_server, f"api/sessions/{lab['id']}", method="DELETE")


async def test_a_refused_token_keeps_the_edits_and_says_why(
    own_server: list[JupyterServer],
) -> None:
    server = own_server[0]
    put_notebook(server, "tok/t.ipynb", "before")
    nb = await open_remote(server, "tok/t.ipynb")
    app = TnbApp(nb, kernel_args=options_for(server), recover=True)
    async with app.run_test(size=SIZE) as pilot:
        server.kill()
        await asyncio.to_thread(server.process.wait)
        # The server comes back with another token (as after a restart without a fixed one).
        again = start_jupyter_server(server.root_dir.parent, token="another", port=server.port)
        own_server.append(again)
        nb.cells[0].source = "edited"
        nb.dirty = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "not saved" in status_line(app), "the failed save")
        notes = [n.message for n in app._notifications]
        assert any("refused access (HTTP 403" in n for n in notes), notes
        assert all(server.token not in n for n in notes)
        assert app.notebook.dirty and app.notebook.cells[0].source == "edited"
    assert sources(server_notebook(again, "tok/t.ipynb")) == ["before"]
