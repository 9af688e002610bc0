"""Server notebooks through the Contents API, against a real jupyter_server (plain and prefixed)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.contents.helpers import put_notebook, rest, save_elsewhere, server_notebook, sources
from tests.fixtures.jupyter_server import JupyterServer
from tnb.kernels.server.url import file_path_in_url, parse_server_url
from tnb.notebook.errors import NotebookError
from tnb.notebook.model import Notebook
from tnb.session.launch import LaunchOptions
from tnb.session.server_files import FolderOnServer, ServerChangedError, ServerFiles

URL_FORMS = (
    "lab/tree/{}",
    "lab/workspaces/auto-q/tree/{}",
    "doc/tree/{}",
    "tree/{}",
    "notebooks/{}",
)


@pytest.fixture(params=["plain", "prefix"])
def server(
    request: pytest.FixtureRequest,
    jupyter_server: JupyterServer,
    jupyter_server_prefix: JupyterServer,
) -> JupyterServer:
    """The session's server, then the one under /user/alice/."""
    return jupyter_server if request.param == "plain" else jupyter_server_prefix


@pytest.fixture
async def files(server: JupyterServer) -> AsyncIterator[ServerFiles]:
    """The server's files, connected as `tnb URL` does."""
    files = await ServerFiles.connect(LaunchOptions(server=server.url, token=server.token))
    yield files
    files.close()


async def opened(files: ServerFiles, path: str) -> Notebook:
    nb = await files.open(path)
    assert isinstance(nb, Notebook)
    return nb


@pytest.mark.parametrize("form", URL_FORMS)
async def test_every_url_form_names_the_file(server: JupyterServer, form: str) -> None:
    put_notebook(server, "exp/run 1.ipynb", "x = 1")
    url = server.url_with_token(form.format("exp/run%201.ipynb"))
    assert parse_server_url(url).base_url == server.url
    path = file_path_in_url(url)
    assert path == "exp/run 1.ipynb"
    files = await ServerFiles.connect(
        LaunchOptions(server=parse_server_url(url).base_url, token=server.token)
    )
    try:
        nb = await opened(files, path)
    finally:
        files.close()
    assert [c.source for c in nb.cells] == ["x = 1"]
    assert nb.remote is not None and nb.remote.path == "exp/run 1.ipynb"
    assert nb.remote.server == server.url and nb.remote.last_modified
    assert nb.path is None and nb.file_name == "run 1.ipynb"


async def test_save_writes_the_server_copy_and_a_checkpoint(
    server: JupyterServer, files: ServerFiles
) -> None:
    put_notebook(server, "save/a.ipynb", "a = 1")
    nb = await opened(files, "save/a.ipynb")
    assert await files.checkpoints(nb) == []
    nb.insert_cell(1, "code", "b = 2")
    assert nb.dirty
    before = nb.remote
    await files.save(nb)
    assert not nb.dirty
    assert sources(server_notebook(server, "save/a.ipynb")) == ["a = 1", "b = 2"]
    assert nb.remote is not None and before is not None
    assert nb.remote.last_modified != before.last_modified
    checkpoints = await files.checkpoints(nb)
    assert len(checkpoints) == 1
    # A second save needs no question: the server still has what tnb saved.
    nb.cells[0].source = "a = 10"
    nb.dirty = True
    await files.save(nb)
    assert sources(server_notebook(server, "save/a.ipynb"))[0] == "a = 10"


async def test_revert_to_checkpoint(server: JupyterServer, files: ServerFiles) -> None:
    put_notebook(server, "cp/b.ipynb", "first")
    nb = await opened(files, "cp/b.ipynb")
    await files.save(nb)  # checkpoint holds "first"
    nb.cells[0].source = "second"
    nb.dirty = True
    save_elsewhere(server, "cp/b.ipynb", "second")  # no new checkpoint, as another tool
    assert sources(server_notebook(server, "cp/b.ipynb")) == ["second"]
    [checkpoint] = await files.checkpoints(nb)
    reverted = await files.revert(nb, checkpoint)
    assert [c.source for c in reverted.cells] == ["first"]
    assert sources(server_notebook(server, "cp/b.ipynb")) == ["first"]
    assert not reverted.dirty


async def test_a_save_by_someone_else_is_not_overwritten_without_asking(
    server: JupyterServer, files: ServerFiles
) -> None:
    put_notebook(server, "conflict/c.ipynb", "mine")
    nb = await opened(files, "conflict/c.ipynb")
    save_elsewhere(server, "conflict/c.ipynb", "theirs")
    nb.cells[0].source = "mine, edited"
    nb.dirty = True
    with pytest.raises(ServerChangedError, match=r"c\.ipynb was changed on the server"):
        await files.save(nb)
    assert nb.dirty
    assert sources(server_notebook(server, "conflict/c.ipynb")) == ["theirs"]
    await files.save(nb, overwrite=True)  # the user chose "overwrite"
    assert sources(server_notebook(server, "conflict/c.ipynb")) == ["mine, edited"]


async def test_missing_file_is_created_on_first_save(
    server: JupyterServer, files: ServerFiles
) -> None:
    nb = await opened(files, "new/fresh.ipynb")
    assert nb.is_new and nb.remote is not None
    nb.cells[0].source = "print('new')"
    nb.dirty = True
    rest(server, "api/contents/new", method="PUT", body={"type": "directory"})
    await files.save(nb)
    assert sources(server_notebook(server, "new/fresh.ipynb")) == ["print('new')"]


async def test_a_folder_opens_the_browser_and_a_broken_file_says_why(
    server: JupyterServer, files: ServerFiles
) -> None:
    put_notebook(server, "dir/inside.ipynb", "1")
    assert await files.open("dir") == FolderOnServer("dir")
    assert await files.open("") == FolderOnServer("")
    (server.root_dir / "dir" / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(NotebookError, match=r"broken\.ipynb: not valid JSON.*cut short"):
        await files.open("dir/broken.ipynb")


async def test_large_notebook_round_trips_through_a_streamed_save(
    server: JupyterServer, files: ServerFiles
) -> None:
    put_notebook(server, "big/big.ipynb", "x")
    nb = await opened(files, "big/big.ipynb")
    text = "é∑😀 line\n" * 300_000  # several MB, non-ASCII: chunk boundaries inside characters
    nb.cells[0].source = text
    nb.dirty = True
    await files.save(nb)
    assert sources(server_notebook(server, "big/big.ipynb")) == [text]
