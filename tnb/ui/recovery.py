"""Unsaved edits kept in a recovery journal, and offered back after a crash or a lost terminal."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from tnb.ui.host import AppHost
from tnb.ui.screens.dialogs import ChoiceScreen


class RecoveryParts(AppHost):
    """The app's recovery journal: written every 5 s and on exit, offered back on open."""

    def open_journal(self) -> None:
        """Journal this notebook's unsaved edits from now on; offer back the edits a stopped
        tnb left (restore, discard, or later: kept for the next open)."""
        from tnb.notebook.errors import NotebookError
        from tnb.notebook.recovery import RecoveryJournal

        nb = self.notebook
        try:
            self.journal = RecoveryJournal.for_notebook(nb)
            found = self.journal.pending(nb)
        except (NotebookError, OSError, ValueError) as error:
            self.notify(f"Recovery is off: {error}", severity="warning", markup=False)
            self.journal = None
            return
        if self._journal_timer is None:  # one timer, whichever notebook is open
            self._journal_timer = self.set_interval(5.0, self._journal_tick)
        if found is None:
            return
        if found.owner_running:
            # Its journal is the other tnb's: writing (or discarding) it here would lose them.
            self.journal = None
            self.notify(
                f"Another tnb (pid {found.pid}) has this notebook open with unsaved edits; "
                "edits made here are not journalled.",
                title="Open twice",
                severity="warning",
                timeout=15,
            )
            return
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(found.saved_at))
        question = (
            f"Unsaved edits of {nb.file_name or 'this notebook'} from {when} "
            f"were kept after tnb stopped: {found.summary()}.\nRestore them?"
        )

        def answered(answer: str | None) -> None:
            if answer == "restore":
                self.replace_notebook(found.restore(), "restored the unsaved edits")
            elif answer == "discard":
                found.discard()
            else:
                # Kept for a later session: journalling this one would replace it.
                self.journal = None
                self.notify(
                    "The recovered edits are kept for next time; edits made now are not "
                    "journalled.",
                    severity="warning",
                    timeout=10,
                )

        self.push_screen(
            ChoiceScreen(
                question,
                [
                    ("restore", "r", "Restore"),
                    ("discard", "d", "Discard"),
                    ("cancel", "l", "Later"),
                ],
            ),
            answered,
        )

    def journal_now(self) -> None:
        """Write the journal synchronously (exit, signals); never raises."""
        from tnb.notebook.errors import NotebookError

        if self.journal is None:
            return
        # Leaving anyway: on failure there is nothing better to do than exit.
        with contextlib.suppress(NotebookError, OSError):
            self.journal.write(self.notebook)

    def _journal_tick(self) -> None:
        from tnb.notebook.errors import NotebookError

        if self.journal is None or self._journal_writing:
            return
        try:
            # Serialised here, on the loop, so the model cannot change under it.
            snapshot = self.journal.snapshot(self.notebook)
        except (NotebookError, OSError) as error:
            self._journal_failed(str(error))
            return
        if snapshot is not None:
            self._journal_writing = True
            self.run_worker(self._commit_journal(snapshot), group="journal", exit_on_error=False)

    async def _commit_journal(self, snapshot: Any) -> None:
        from tnb.notebook.errors import NotebookError

        try:
            await asyncio.to_thread(snapshot.commit)  # fsync off the event loop
        except (NotebookError, OSError) as error:
            self._journal_failed(str(error))
        finally:
            self._journal_writing = False

    def _journal_failed(self, reason: str) -> None:
        if not self._journal_warned:
            self._journal_warned = True
            self.notify(reason, title="Recovery journal", severity="warning", markup=False)

    def discard_recovery(self) -> None:
        """The user quits discarding their edits: forget the journal too."""
        self._discarding = True
        if self.journal is not None:
            self.journal.discard()
