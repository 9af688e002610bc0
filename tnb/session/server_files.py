"""Notebooks that live on a Jupyter server: open, save back with a conflict check, checkpoints."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

from tnb.kernels.protocol import KernelConnectionError
from tnb.kernels.server.contents import Checkpoint, ContentsEntry, ServerContents
from tnb.kernels.server.rest import ServerRequestError
from tnb.notebook.errors import NotebookError
from tnb.notebook.io import loads_notebook, notebook_json_pieces, saved_minor
from tnb.notebook.model import Notebook
from tnb.notebook.remote import RemoteLocation, same_version
from tnb.session.launch import LaunchOptions

NOT_FOUND = 404


class ServerFileError(Exception):
    """A server file could not be opened or saved; the message says which and why."""


class ServerChangedError(ServerFileError):
    """The server's copy is not the version tnb loaded: someone else saved it meanwhile."""

    def __init__(self, location: RemoteLocation, server_modified: str | None) -> None:
        when = f" (at {server_modified})" if server_modified else ""
        super().__init__(f"{location.name} was changed on the server since it was opened{when}")
        self.location = location
        self.server_modified = server_modified


@dataclass(frozen=True)
class FolderOnServer:
    """What a server URL named when it is a folder: the file browser opens there."""

    path: str


class ServerFiles:
    """The files of one Jupyter server, reached as the launch options say (token, TLS, hub)."""

    def __init__(self, contents: ServerContents, server: str) -> None:
        self.contents = contents
        self.server = server  # the base URL, without the token

    @classmethod
    async def connect(cls, options: LaunchOptions) -> ServerFiles:
        """Connect to ``options.server`` and check the token.

        Raises:
            KernelConnectionError: unreachable, refused, or a server without files.
        """
        provider = await options.open_server()
        try:
            contents = provider.contents()
        finally:
            await provider.close()
        return cls(contents, provider.base_url)

    def close(self) -> None:
        """Release the HTTP client."""
        self.contents.close()

    def location(self, path: str) -> RemoteLocation:
        """The location of ``path`` on this server (version unknown)."""
        return RemoteLocation(self.server, path.strip("/"))

    async def open(self, path: str, *, missing_ok: bool = True) -> Notebook | FolderOnServer:
        """The notebook at ``path``, parsed by tnb; a folder's path for a folder.

        A missing file (when ``missing_ok``) gives a new notebook created there on first save.

        Raises:
            NotebookError: the file is not a notebook (the message names it and why).
            ServerFileError, KernelConnectionError: the server refused or is gone.
        """
        path = path.strip("/")
        where = self.location(path)
        try:
            entry = await self.contents.stat(path) if path else None
        except ServerRequestError as exc:
            if exc.status != NOT_FOUND:
                raise ServerFileError(f"cannot open {where}: {exc}") from None
            if not missing_ok:
                raise ServerFileError(f"{where}: no such file on the server") from None
            nb = Notebook.new()
            nb.remote = where
            return nb
        if entry is None or entry.type == "directory":
            return FolderOnServer(path)
        _, text = await self.contents.read_text(path)
        nb = loads_notebook(text, source=str(where))
        nb.remote = where.at_version(entry.last_modified)
        return nb

    async def save(
        self, nb: Notebook, *, overwrite: bool = False, to: str | None = None
    ) -> ContentsEntry:
        """Save ``nb`` to its server path (or ``to``) and keep a checkpoint, as JupyterLab does.

        Unless ``overwrite``, the server's copy must still be the version tnb loaded or last
        saved; ``to`` must not exist yet. The body is streamed (the notebook's JSON never
        exists whole in memory). On success ``nb`` is clean and points at what was saved.

        Raises:
            ServerChangedError: (unless ``overwrite``) nothing was written.
            ServerFileError, KernelConnectionError, NotebookError: nothing was saved; the
                edits are still in ``nb``.
        """
        here = nb.remote
        if here is None:
            raise ServerFileError("this notebook is not on a server")
        target = here.moved_to(to) if to is not None else here
        if not overwrite:
            await self._check_version(target, None if to is not None else here.last_modified)
        pieces = notebook_json_pieces(nb)  # raises before anything is sent
        minor = saved_minor(nb)
        try:
            entry = await self.contents.save_notebook(target.path, pieces)
        except ServerRequestError as exc:
            raise ServerFileError(f"{target.name} was not saved on the server: {exc}") from None
        nb.remote = target.at_version(entry.last_modified)
        nb.nbformat, nb.nbformat_minor = 4, minor
        nb.dirty = False
        nb.is_new = False
        nb.upgrade_notes = []
        with contextlib.suppress(ServerRequestError, KernelConnectionError):
            # Saved already: a server that keeps no checkpoints is no failure.
            await self.contents.create_checkpoint(target.path)
        return entry

    async def _check_version(self, target: RemoteLocation, known: str | None) -> None:
        try:
            entry = await self.contents.stat(target.path)
        except ServerRequestError as exc:
            if exc.status == NOT_FOUND:
                return  # new, or deleted meanwhile: saving creates it (as JupyterLab does)
            raise ServerFileError(f"{target.name} was not saved: {exc}") from None
        if known is None or not same_version(entry.last_modified, known):
            raise ServerChangedError(target, entry.last_modified)

    async def checkpoints(self, nb: Notebook) -> list[Checkpoint]:
        """The server's checkpoints of ``nb``, oldest first."""
        if nb.remote is None:
            return []
        return await self.contents.checkpoints(nb.remote.path)

    async def revert(self, nb: Notebook, checkpoint: Checkpoint) -> Notebook:
        """Restore the checkpoint on the server and return the notebook as it now is there."""
        assert nb.remote is not None
        await self.contents.restore_checkpoint(nb.remote.path, checkpoint.id)
        reverted = await self.open(nb.remote.path, missing_ok=False)
        if not isinstance(reverted, Notebook):
            raise ServerFileError(f"{nb.remote}: is a folder now")
        return reverted


@dataclass(frozen=True)
class ServerTarget:
    """What `tnb URL` names: the server (as launch options) and a path there ('' = root)."""

    options: LaunchOptions
    path: str


def server_target(text: str, options: LaunchOptions) -> ServerTarget | None:
    """The server file or folder ``text`` names when it is a server URL (None otherwise).

    The URL names the server: its base URL becomes ``options.server`` and its ``?token=``
    the token unless one was given otherwise.

    Raises:
        ServerFileError: ``--server`` names another server than the URL.
    """
    from tnb.kernels.server.url import file_path_in_url, is_server_url, parse_server_url

    if not is_server_url(text):
        return None
    address = parse_server_url(text)
    if options.server and parse_server_url(options.server).base_url != address.base_url:
        raise ServerFileError(
            f"--server {parse_server_url(options.server).base_url} and the notebook's URL "
            f"({address.base_url}) name different servers: give the URL alone"
        )
    token = options.token or address.token
    chosen = replace(options, server=address.base_url, token=token)
    return ServerTarget(chosen, file_path_in_url(text) or "")


async def open_target(
    target: ServerTarget, *, missing_ok: bool = True
) -> Notebook | FolderOnServer:
    """Connect and open what ``target`` names (see ``ServerFiles.open``).

    Raises:
        NotebookError, ServerFileError, KernelConnectionError: with the reason, no token.
    """
    files = await ServerFiles.connect(target.options)
    try:
        return await files.open(target.path, missing_ok=missing_ok)
    finally:
        files.close()


def describe_failure(exc: BaseException) -> str:
    """One line for a failed open or save: the server's reason, never the token."""
    if isinstance(exc, (ServerFileError, KernelConnectionError, NotebookError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
