"""`tnb NOTEBOOK`: open the notebook in the app and run until the user quits."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from pathlib import Path

from tnb.session.bounded_exit import EXIT
from tnb.session.launch import LaunchOptions
from tnb.ui.app import TnbApp
from tnb.ui.saving import untitled_path


def run_app(args: argparse.Namespace) -> int:
    """Open ``args.notebook`` (or a new untitled one) and run until the user quits."""
    from tnb.notebook.io import NotebookError, load_notebook

    EXIT.install()  # from here on SIGHUP/SIGTERM end tnb within a bound, whatever it does
    path: Path = args.notebook if args.notebook is not None else untitled_path(Path.cwd())
    try:
        notebook = load_notebook(path, missing_ok=True)
    except NotebookError as error:
        print(f"tnb: {error}", file=sys.stderr)
        return 1
    options = LaunchOptions.of(args)
    if options.server:
        from tnb.kernels.server.url import needs_token
        from tnb.session.cli_token import terminal_token_prompt

        # Asked here, before Textual owns the terminal; the token stays in memory only.
        server = options.server
        ask = terminal_token_prompt(server) if needs_token(server, options.token) else None
        if ask is not None:
            options = dataclasses.replace(options, token=ask() or None)
    app = TnbApp(
        notebook,
        kernel_args=options,
        start_kernel=not options.no_kernel,
        handle_signals=True,
        recover=True,
    )
    result = app.run()
    EXIT.detach()
    kept = app.kernels.kept_connection_file
    if kept is not None:
        with contextlib.suppress(OSError):  # the terminal may be gone
            print(f"tnb: the kernel is still running; attach with: tnb --existing {kept}")
    return result or 0
