"""Saving: save, save as, reload, and the questions a changed or read-only file asks first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tnb.ui.host import AppHost
from tnb.ui.screens.dialogs import ChoiceScreen, ConflictScreen

if TYPE_CHECKING:
    from tnb.notebook.readonly import ReadOnlyError


class SavingParts(AppHost):
    """Writes the notebook atomically with its kernel's metadata; never loses the edits."""

    def save_notebook(
        self, *, overwrite_external: bool = False, overwrite_readonly: bool = False
    ) -> bool:
        """Write the notebook atomically; on failure tell the user and keep everything.

        A file changed on disk by another program is not overwritten without asking
        (overwrite / reload / save as); the answer saves again, reloads or saves elsewhere.
        Nor is a read-only file (save anyway / save as / cancel), even for root.
        """
        from tnb.notebook.io import NotebookError, ReadOnlyError
        from tnb.notebook.ondisk import ExternalChangeError

        try:
            self._write(
                None,
                overwrite_external=overwrite_external,
                overwrite_readonly=overwrite_readonly,
            )
        except ExternalChangeError as error:
            self._ask_external_change(error.check.describe())
            return False
        except ReadOnlyError as error:
            self._ask_read_only(error, overwrite_external=overwrite_external)
            return False
        except (NotebookError, OSError) as error:
            self.notify(f"Not saved: {error}", title="Save failed", severity="error", timeout=15)
            return False
        return True

    def _write(
        self, path: Path | None, *, overwrite_external: bool, overwrite_readonly: bool = False
    ) -> None:
        """Save to ``path`` (default: the notebook's own) with the kernel's metadata; the
        journal is dropped once the file holds the edits.

        Raises:
            ExternalChangeError, NotebookError, OSError: as ``save_notebook``; nothing written.
        """
        from tnb.notebook.io import save_notebook

        nb = self.notebook
        self.record_kernel_metadata()
        save_notebook(
            nb,
            path,
            overwrite_external=overwrite_external,
            overwrite_readonly=overwrite_readonly,
        )
        if self.journal is not None:
            self.journal.discard()

    def record_kernel_metadata(self) -> None:
        """Write the kernel's kernelspec, language_info and widget state into the notebook."""
        nb = self.notebook
        known = self.kernel_metadata or {}
        spec, info = known.get("kernelspec"), known.get("language_info")
        nb.record_kernel(
            spec if isinstance(spec, dict) and spec.get("name") else None,
            info if isinstance(info, dict) else None,
        )
        self.kernels.widgets.save(nb)

    def _ask_read_only(self, error: ReadOnlyError, *, overwrite_external: bool) -> None:
        def answered(answer: str | None) -> None:
            screen = self.notebook_screen
            if answer == "overwrite":
                saved = self.save_notebook(
                    overwrite_external=overwrite_external, overwrite_readonly=True
                )
                if saved and screen is not None:
                    screen.update_bars("saved over the read-only file (it stays read-only)")
            elif answer == "save-as":
                self.save_as()

        self.push_screen(
            ChoiceScreen(
                f"{error.path.name} is read-only ({error.reason}).\nYour version was not "
                "saved. Save it under another name, or save over the file anyway (it stays "
                "read-only)?",
                [
                    ("cancel", "c", "Cancel"),
                    ("save-as", "a", "Save as…"),
                    ("overwrite", "o", "Save anyway"),
                ],
            ),
            answered,
        )

    def _ask_external_change(self, what: str) -> None:
        def answered(answer: str | None) -> None:
            screen = self.notebook_screen
            if answer == "overwrite":
                if self.save_notebook(overwrite_external=True) and screen is not None:
                    screen.update_bars("saved (overwrote the file on disk)")
            elif answer == "reload":
                self.reload()
            elif answer == "save-as":
                self.save_as()

        self.push_screen(ConflictScreen(what, "the file"), answered)

    def save_as(self) -> None:
        """Ask for another file name and save there; the notebook is that file from then on."""
        from tnb.notebook.io import NotebookError
        from tnb.notebook.ondisk import ExternalChangeError
        from tnb.ui.screens.dialogs import SaveAsScreen, unused_path

        nb = self.notebook
        current = nb.path or untitled_path(Path.cwd())
        old_journal = self.journal

        def save(path: Path) -> str | None:
            try:
                # Never over another file without asking: an existing name is refused.
                self._write(path, overwrite_external=False)
            except ExternalChangeError as error:
                return f"{error.check.describe()}: choose another name."
            except (NotebookError, OSError) as error:
                return f"Not saved: {error}"
            return None

        def saved(path: Path | None) -> None:
            if path is None:
                return
            if old_journal is not None:
                from tnb.notebook.recovery import RecoveryJournal

                old_journal.discard()
                # Unsaved edits from now on belong to the new file's journal.
                self.journal = RecoveryJournal.for_notebook(nb)
            screen = self.notebook_screen
            if screen is not None:
                screen.update_bars(f"saved as {path.name}")

        self.push_screen(SaveAsScreen(unused_path(current), save), saved)

    def reload(self) -> None:
        from tnb.notebook.io import NotebookError, load_notebook

        path = self.notebook.path
        if path is None:
            return
        try:
            notebook = load_notebook(path, missing_ok=False)
        except NotebookError as error:
            self.notify(f"Not reloaded: {error}", severity="error", markup=False)
            return
        self.replace_notebook(notebook, f"reloaded {path.name}")


def untitled_path(folder: Path) -> Path:
    """Untitled.ipynb in ``folder``, or Untitled1.ipynb, ... : the first that does not exist."""
    candidate = folder / "Untitled.ipynb"
    number = 1
    while candidate.exists():
        candidate = folder / f"Untitled{number}.ipynb"
        number += 1
    return candidate
