"""What the app's parts (recovery, saving, kernel actions) may use of the app they make up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from abc import abstractmethod

    from textual.app import App

    from tnb.notebook.model import Notebook
    from tnb.session.kernel_session import KernelSession
    from tnb.session.launch import LaunchOptions
    from tnb.ui.screens.notebook_screen import NotebookScreen

    class AppHost(App[int]):
        """TnbApp as its parts see it: mypy checks them against this; at run time they are
        plain mixins of TnbApp (tnb/ui/app.py), which provides all of it."""

        notebook: Notebook
        language: str
        kernels: KernelSession
        kernel_args: LaunchOptions
        # {"kernelspec": ..., "language_info": ...} of the kernel, written into the file.
        kernel_metadata: dict[str, Any] | None
        journal: Any  # the notebook's RecoveryJournal when recovering
        _journal_warned: bool
        _journal_timer: Any
        _journal_writing: bool
        _discarding: bool
        _starting: bool
        _offered_restart_for: str | None

        @property
        @abstractmethod
        def notebook_screen(self) -> NotebookScreen | None: ...

        @abstractmethod
        def replace_notebook(self, notebook: Notebook, note: str) -> None: ...

        @abstractmethod
        def record_kernel_metadata(self) -> None: ...

        @abstractmethod
        def open_journal(self) -> None: ...

        @abstractmethod
        def _kernel_worker(self, coro: Any) -> None: ...

        @abstractmethod
        async def _start_initial(self, *, ask: bool = True) -> None: ...

        @abstractmethod
        def debug_cell_finished(self) -> None: ...

        @abstractmethod
        def debug_kernel_gone(self) -> None: ...

else:
    AppHost = object
