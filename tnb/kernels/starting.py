"""Starting a kernel for an open notebook: where a provider's session capability is asked."""

from __future__ import annotations

import hashlib
import socket
import uuid
from pathlib import Path
from typing import Protocol, runtime_checkable

from tnb.kernels.protocol import KernelBackend, KernelChoice, KernelProvider


@runtime_checkable
class SessionProvider(KernelProvider, Protocol):
    """A provider that files kernels under a notebook's session (a Jupyter server)."""

    async def start_for_notebook(self, choice: KernelChoice, notebook_path: str) -> KernelBackend:
        """The kernel of the session at ``notebook_path``, re-attached when there is one."""
        ...

    async def start_in(self, choice: KernelChoice, folder: str) -> KernelBackend:
        """A new kernel outside any session, working in ``folder`` (a path on the server)."""
        ...


async def start_for_notebook(
    provider: KernelProvider,
    choice: KernelChoice,
    notebook: Path | None,
    *,
    server_path: str | None = None,
) -> KernelBackend:
    """Start ``choice`` for the notebook the user has open: in its server session where the
    provider keeps sessions (reopening the notebook finds the same kernel), else a plain start
    that tells the kernel the notebook's path. ``server_path`` is the notebook's own path on
    the server when it lives there: its session is the one JupyterLab shows for that file.

    The one place the session capability is asked about: callers never probe providers.
    """
    if isinstance(provider, SessionProvider) and choice.backend == "server":
        path = server_path if server_path is not None else server_session_path(notebook)
        return await provider.start_for_notebook(choice, path)
    return await provider.start(choice, notebook=notebook)


async def start_for_server_notebook(
    provider: KernelProvider, choice: KernelChoice, server_path: str
) -> KernelBackend:
    """A new kernel for one run of the server's notebook at ``server_path`` (`tnb run URL`):
    in the notebook's folder, as JupyterLab's would be, yet in no session, so that it never
    runs the cells in the kernel a JupyterLab or tnb has open for that notebook."""
    if isinstance(provider, SessionProvider) and choice.backend == "server":
        folder = server_path.rsplit("/", 1)[0] if "/" in server_path else ""
        return await provider.start_in(choice, folder)
    return await provider.start(choice)


def server_session_path(notebook_path: Path | None) -> str:
    """The session path a server kernel is filed under for this local notebook.

    The server cannot see our files, so their path means nothing to it; yet sessions are
    keyed by path, and the same path re-attaches. ``tnb/<stem>-<hash>.ipynb`` keeps two
    ``analysis.ipynb`` from different folders (or machines) apart while staying readable in
    JupyterLab's session list; the same notebook always maps to the same path.
    """
    if notebook_path is None:
        # Nothing to re-attach to later: a path of its own, not a shared "Untitled".
        return f"tnb/untitled-{uuid.uuid4().hex[:8]}.ipynb"
    where = f"{socket.gethostname()}:{notebook_path.expanduser().resolve()}"
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"tnb/{notebook_path.stem}-{digest}.ipynb"
