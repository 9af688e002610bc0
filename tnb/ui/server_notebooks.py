"""Notebooks on a Jupyter server in the app: save back, conflicts, checkpoints, the browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tnb.ui.host import AppHost
from tnb.ui.screens.dialogs import ChoiceScreen, ConflictScreen, NameScreen

if TYPE_CHECKING:
    from tnb.kernels.server.contents import Checkpoint
    from tnb.session.server_files import ServerFiles


class ServerNotebookParts(AppHost):
    """Saving a server's notebook goes back to the server; the edits stay until it succeeds."""

    _server_files: ServerFiles | None
    _server_saving: bool

    async def server_files(self) -> ServerFiles:
        """The files of the notebook's server (connected once, with the launch's token).

        Raises:
            KernelConnectionError: unreachable or refused.
        """
        from tnb.session.server_files import ServerFiles

        if self._server_files is None:
            self._server_files = await ServerFiles.connect(self.kernel_args)
        return self._server_files

    def close_server_files(self) -> None:
        """Release the HTTP client (on exit)."""
        if self._server_files is not None:
            self._server_files.close()
            self._server_files = None

    def browse_server(self, folder: str, *, first: bool = False) -> None:
        """Open the server's file browser at ``folder``; the notebook chosen there opens
        (``first``: nothing is open yet, so closing the browser quits)."""
        if not first and self.notebook.dirty:
            self.notify(
                f"{self.notebook.file_name or 'This notebook'} has unsaved changes: save them "
                "before opening another notebook.",
                severity="warning",
            )
            return
        self.run_worker(self._browse(folder, first), group="server-open", exit_on_error=False)

    async def _browse(self, folder: str, first: bool) -> None:
        from tnb.session.server_files import describe_failure
        from tnb.ui.screens.server_browser import ServerBrowserScreen

        try:
            files = await self.server_files()
        except Exception as error:  # shown; nothing else happens
            why = describe_failure(error)
            self.notify(f"Cannot list the server's files: {why}", severity="error")
            if first:
                self.exit(1, message=why)
            return

        def chosen(path: str | None) -> None:
            if path:
                self.open_server_notebook(path, first=first)
            elif first:
                self.exit()

        self.push_screen(ServerBrowserScreen(files, folder), chosen)

    def open_server_notebook(self, path: str, *, first: bool = False) -> None:
        """Open the server's notebook at ``path`` here, with the kernel of its session."""
        self.run_worker(self._open(path, first), group="server-open", exit_on_error=False)

    async def _open(self, path: str, first: bool) -> None:
        from tnb.notebook.model import Notebook
        from tnb.session.server_files import describe_failure

        try:
            files = await self.server_files()
            notebook = await files.open(path)
        except Exception as error:  # shown; the open notebook stays
            self.notify(f"Not opened: {describe_failure(error)}", severity="error")
            self.browse_server(path.rsplit("/", 1)[0] if "/" in path else "", first=first)
            return
        if not isinstance(notebook, Notebook):
            self.browse_server(notebook.path, first=first)
            return
        if self.journal is not None:
            self.journal.discard()
            self.journal = None
        self.replace_notebook(notebook, f"opened {notebook.file_name} from the server")
        self.open_journal()
        self._kernel_worker(self._start_initial())

    def save_to_server(self, *, overwrite: bool = False, then_quit: bool = False) -> None:
        """Save the notebook back to its server, in a worker; the answer shows in the bars."""
        if self._server_saving:
            # A second save would find the first one's version on the server and take it
            # for someone else's: one at a time (a cancelled upload would be lost work too).
            self.notify("Still saving to the server…")
            return
        self._server_saving = True
        self.run_worker(
            self._save_to_server(overwrite=overwrite, then_quit=then_quit),
            group="server-save",
            exit_on_error=False,
        )

    async def _save_to_server(self, *, overwrite: bool, then_quit: bool) -> bool:
        try:
            return await self._save_to_server_once(overwrite=overwrite, then_quit=then_quit)
        finally:
            self._server_saving = False

    async def _save_to_server_once(self, *, overwrite: bool, then_quit: bool) -> bool:
        from tnb.session.server_files import ServerChangedError, describe_failure

        nb = self.notebook
        self.record_kernel_metadata()
        screen = self.notebook_screen
        if screen is not None:
            screen.update_bars(f"saving {nb.file_name} to the server…")
        try:
            files = await self.server_files()
            await files.save(nb, overwrite=overwrite)
        except ServerChangedError as error:
            self._ask_server_change(str(error), then_quit=then_quit)
            return False
        except Exception as error:  # any failure: the edits stay (and in the journal)
            self._server_save_failed(describe_failure(error))
            return False
        if self.journal is not None:
            self.journal.discard()
        if then_quit:
            self.exit()
        elif screen is not None:
            screen.update_bars(f"saved {nb.file_name} on the server")
        return True

    def _server_save_failed(self, why: str) -> None:
        screen = self.notebook_screen
        if screen is not None:
            screen.update_bars("not saved: the edits are kept")
        kept = " They are kept in the recovery journal." if self.journal is not None else ""
        self.notify(
            f"Not saved: {why}.\nYour edits are still here; save again when the server is "
            f"back.{kept}",
            title="Save failed",
            severity="error",
            timeout=20,
        )

    def _ask_server_change(self, what: str, *, then_quit: bool) -> None:
        def answered(answer: str | None) -> None:
            if answer == "overwrite":
                self.save_to_server(overwrite=True, then_quit=then_quit)
            elif answer == "reload":
                self.reload_from_server()
            elif answer == "save-as":
                self.save_as_on_server()

        self.push_screen(ConflictScreen(what, "the server's copy"), answered)

    def save_as_on_server(self) -> None:
        """Ask for a name (a path on the server, relative to the notebook's folder) and save
        there; the notebook is that file from then on."""
        remote = self.notebook.remote
        if remote is None:
            return
        stem = remote.name.removesuffix(".ipynb")

        def answered(name: str | None) -> None:
            if not name:
                return
            if not name.endswith(".ipynb"):
                name += ".ipynb"
            path = name.lstrip("/") if name.startswith("/") else _join(remote.folder, name)
            self.run_worker(self._save_as(path), group="server-save", exit_on_error=False)

        where = f"/{remote.folder}" if remote.folder else "the server's root folder"
        self.push_screen(
            NameScreen(f"Save as, on the server in {where}:", f"{stem}-Copy1.ipynb"), answered
        )

    async def _save_as(self, path: str) -> None:
        from tnb.notebook.recovery import RecoveryJournal
        from tnb.session.server_files import ServerChangedError, describe_failure

        nb = self.notebook
        self.record_kernel_metadata()
        try:
            files = await self.server_files()
            await files.save(nb, to=path)
        except ServerChangedError:
            self.notify(
                f"{path} already exists on the server: choose another name.", severity="error"
            )
            return
        except Exception as error:  # the edits stay
            self._server_save_failed(describe_failure(error))
            return
        if self.journal is not None:
            self.journal.discard()
            self.journal = RecoveryJournal.for_notebook(nb)
        screen = self.notebook_screen
        if screen is not None:
            screen.update_bars(f"saved as {nb.file_name} on the server")

    def reload_from_server(self) -> None:
        """Load the server's copy instead of the edits (asked for by the conflict question)."""
        self.run_worker(self._reload(), group="server-save", exit_on_error=False)

    async def _reload(self) -> None:
        from tnb.notebook.model import Notebook
        from tnb.session.server_files import describe_failure

        remote = self.notebook.remote
        if remote is None:
            return
        try:
            files = await self.server_files()
            notebook = await files.open(remote.path, missing_ok=False)
        except Exception as error:  # nothing replaced
            self.notify(f"Not reloaded: {describe_failure(error)}", severity="error")
            return
        if isinstance(notebook, Notebook):
            self.replace_notebook(notebook, f"reloaded {remote.name} from the server")

    def revert_to_checkpoint(self) -> None:
        """List the server's checkpoints of this notebook and put the one chosen back."""
        if self.notebook.remote is None:
            self.notify(
                "Checkpoints are kept by a Jupyter server: this notebook is a local file.",
                severity="warning",
            )
            return
        self.run_worker(self._choose_checkpoint(), group="server-save", exit_on_error=False)

    async def _choose_checkpoint(self) -> None:
        from tnb.session.server_files import describe_failure
        from tnb.ui.screens.server_browser import when_text

        nb = self.notebook
        try:
            files = await self.server_files()
            checkpoints = await files.checkpoints(nb)
        except Exception as error:  # shown; nothing changed
            self.notify(f"No checkpoints: {describe_failure(error)}", severity="error")
            return
        if not checkpoints:
            self.notify(f"The server keeps no checkpoint of {nb.file_name} yet: save first.")
            return
        newest = list(reversed(checkpoints))[:9]
        choices = [
            (f"checkpoint-{i}", str(i + 1), when_text(c.last_modified))
            for i, c in enumerate(newest)
        ]
        lost = " Your unsaved edits will be lost." if nb.dirty else ""

        def answered(answer: str | None) -> None:
            if answer is not None and answer.startswith("checkpoint-"):
                chosen = newest[int(answer.removeprefix("checkpoint-"))]
                self.run_worker(self._revert(chosen), group="server-save", exit_on_error=False)

        self.push_screen(
            ChoiceScreen(
                f"Revert {nb.file_name} to the checkpoint saved at:{lost}",
                [*choices, ("cancel", "c", "Cancel")],
            ),
            answered,
        )

    async def _revert(self, checkpoint: Checkpoint) -> None:
        from tnb.session.server_files import describe_failure

        try:
            files = await self.server_files()
            notebook = await files.revert(self.notebook, checkpoint)
        except Exception as error:  # nothing replaced
            self.notify(f"Not reverted: {describe_failure(error)}", severity="error")
            return
        if self.journal is not None:
            self.journal.discard()
        self.replace_notebook(notebook, "reverted to the checkpoint")


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name
