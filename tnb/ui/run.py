"""`tnb NOTEBOOK`: open the notebook in the app and run until the user quits."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from pathlib import Path

from tnb.notebook.model import Notebook
from tnb.session.bounded_exit import EXIT
from tnb.session.launch import LaunchOptions
from tnb.ui.app import TnbApp
from tnb.ui.saving import untitled_path


def run_app(args: argparse.Namespace) -> int:
    """Open ``args.notebook`` (a file, a server's URL, or a new untitled notebook) and run
    until the user quits."""
    from tnb.notebook.io import NotebookError, load_notebook
    from tnb.session.server_files import ServerFileError, server_target

    EXIT.install()  # from here on SIGHUP/SIGTERM end tnb within a bound, whatever it does
    options = LaunchOptions.of(args)
    text = str(args.notebook) if args.notebook is not None else None
    try:
        target = server_target(text, options) if text else None
    except ServerFileError as error:
        print(f"tnb: {error}", file=sys.stderr)
        return 2
    if target is not None:
        options = target.options
    options = _ask_token(options)
    browse: str | None = None
    notebook: Notebook | None = None
    path = Path(text).expanduser() if text and target is None else None
    if target is None and path is not None and options.server and not path.exists():
        # `tnb --server URL path/on/server.ipynb`: the server's file when it has one.
        found = _from_server(options, str(path), quiet=True)
        notebook = found if isinstance(found, Notebook) else None
    if target is not None:
        opened = _from_server(target.options, target.path)
        if opened is None:
            return 1
        if isinstance(opened, Notebook):
            notebook = opened
        else:
            browse = opened
            notebook = Notebook.new()
    if notebook is None:
        try:
            notebook = load_notebook(path or untitled_path(Path.cwd()), missing_ok=True)
        except NotebookError as error:
            print(f"tnb: {error}", file=sys.stderr)
            return 1
    app = TnbApp(
        notebook,
        kernel_args=options,
        start_kernel=not options.no_kernel,
        handle_signals=True,
        recover=True,
        browse=browse,
    )
    result = app.run()
    EXIT.detach()
    kept = app.kernels.kept_connection_file
    if kept is not None:
        with contextlib.suppress(OSError):  # the terminal may be gone
            print(f"tnb: the kernel is still running; attach with: tnb --existing {kept}")
    return result or 0


def _ask_token(options: LaunchOptions) -> LaunchOptions:
    """Ask for the server's token here, before Textual owns the terminal; memory only."""
    if not options.server:
        return options
    from tnb.kernels.server.url import needs_token
    from tnb.session.cli_token import terminal_token_prompt

    server = options.server
    ask = terminal_token_prompt(server) if needs_token(server, options.token) else None
    if ask is not None:
        options = dataclasses.replace(options, token=ask() or None)
    return options


def _from_server(
    options: LaunchOptions, path: str, *, quiet: bool = False
) -> Notebook | str | None:
    """The server's notebook at ``path``, or the folder to browse; None when it cannot be
    opened (said on stderr unless ``quiet``, which also means: only an existing notebook)."""
    from tnb.session.server_files import FolderOnServer, ServerTarget, describe_failure, open_target

    try:
        opened = asyncio.run(open_target(ServerTarget(options, path), missing_ok=not quiet))
    except Exception as error:  # any failure is the user's to read; nothing was changed
        if not quiet:
            print(f"tnb: {describe_failure(error)}", file=sys.stderr)
        return None
    if isinstance(opened, FolderOnServer):
        return None if quiet else opened.path
    return opened
