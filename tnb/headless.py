"""`tnb run` (execute a notebook headless and save it) and `tnb kernels` (list kernels)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tnb.kernels.protocol import (
    KernelBackend,
    KernelChoice,
    KernelConnectionError,
    KernelProvider,
    KernelStartError,
)
from tnb.session.closed_pipe import say
from tnb.session.launch import LaunchOptions
from tnb.session.sanitize import sanitize, strip_ansi

if TYPE_CHECKING:
    from tnb.notebook.model import Notebook

# Exit codes of `tnb run`.
EXIT_OK = 0
EXIT_CELL_FAILED = 1  # a cell raised, timed out, or the kernel died
EXIT_USAGE = 2  # the notebook, the kernel or the server could not be used


class UserError(Exception):
    """A problem the user can fix: printed as one message, never as a traceback."""


def _plain(text: str, stream: TextIO) -> str:
    """A kernel's text for the terminal with its colours, for a file or pipe without them."""
    return sanitize(text) if stream.isatty() else strip_ansi(text)


def _say(message: str) -> None:
    # Messages carry kernel names, server errors and a kernel's stderr: text and colour only.
    say(sanitize(message))


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"


@asynccontextmanager
async def _provider(
    args: argparse.Namespace, notebook_dir: Path | None, *, start_hub_server: bool = False
) -> AsyncIterator[KernelProvider]:
    """The server's provider when --server is given, else the local (raw) one.

    ``start_hub_server``: a stopped JupyterHub server is started, with its progress shown.
    """
    options = LaunchOptions.of(args)
    if not options.server:
        # As nbclient: a headless run leaves no history.sqlite behind.
        yield options.local_provider(notebook_dir, ipython_history=":memory:")
        return
    from tnb.kernels.server.provider import HubStartPolicy
    from tnb.session.cli_token import terminal_token_prompt

    try:
        provider: KernelProvider = await options.open_server(
            prompt_token=terminal_token_prompt(options.server),
            hub=_hub_policy() if start_hub_server else HubStartPolicy(),
        )
    except KernelConnectionError as exc:
        raise UserError(str(exc)) from None
    try:
        yield provider
    finally:
        with contextlib.suppress(Exception):
            await provider.close()


def _hub_policy() -> Any:
    """Start a stopped hub server (running the notebook needs it), saying what happens."""
    from tnb.kernels.server.provider import HubServer, HubStartPolicy, SpawnProgress

    async def confirm(server: HubServer) -> bool:
        _say(f"tnb run: your server {server.label} on the hub is not running; starting it")
        return True

    def progress(event: SpawnProgress) -> None:
        _say(f"tnb run: server: {event}")

    return HubStartPolicy(confirm=confirm, progress=progress)


# --------------------------------------------------------------------------- tnb kernels


def _choice_json(choice: KernelChoice) -> dict[str, Any]:
    return {
        "key": choice.key,
        "backend": choice.backend,
        "kind": choice.kind,
        "name": choice.name,
        "display_name": choice.display_name,
        "language": choice.language,
        "location": choice.location,
        "available": choice.available,
        "reason": choice.reason,
        "fix": choice.fix,
    } | (
        {
            "environment_kind": choice.details.get("environment_kind", ""),
            "python_version": choice.details.get("python_version", ""),
            "ipykernel": choice.available,
        }
        if choice.kind == "environment"
        else {}
    )


def _print_table(choices: list[KernelChoice]) -> None:
    rows = [("NAME", "KIND", "LANGUAGE", "DISPLAY NAME", "WHERE")]
    for c in choices:
        name = c.name if c.kind in ("spec", "running", "session") else c.key
        rows.append((name, c.kind, c.language, c.display_name, c.location))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        print(strip_ansi("  ".join([*cells, row[4]]).rstrip()))
    for c in choices:
        if not c.available:
            fix = f" (fix: {c.fix})" if c.fix else ""
            print(strip_ansi(f"unavailable: {c.display_name}: {c.reason}{fix}"))


async def _kernels(args: argparse.Namespace) -> int:
    notebook: Path | None = getattr(args, "notebook", None)
    async with _provider(args, notebook.parent if notebook else None) as provider:
        try:
            choices = await provider.list_choices()
        except KernelConnectionError as exc:
            raise UserError(str(exc)) from None
    if args.json:
        print(json.dumps([_choice_json(c) for c in choices], indent=2))
    elif not choices:
        print("no kernels found")
    else:
        _print_table(choices)
    return EXIT_OK


def kernels_command(args: argparse.Namespace) -> int:
    """`tnb kernels [--json]`: list what can be started; returns the exit code."""
    try:
        return asyncio.run(_kernels(args))
    except UserError as exc:
        _say(f"tnb kernels: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


# --------------------------------------------------------------------------- tnb run


async def _start(
    args: argparse.Namespace, provider: KernelProvider, notebook: Notebook
) -> tuple[KernelBackend, KernelChoice]:
    from tnb.kernels.selection import NoSuchKernelError, select_choice, why_chosen
    from tnb.kernels.starting import start_for_server_notebook

    if LaunchOptions.of(args).existing:
        if args.server:
            raise UserError("--existing and --server cannot be used together")
        from tnb.kernels.raw.provider import LocalProvider

        try:
            backend = await LocalProvider().attach_existing(Path(args.existing))
        except KernelConnectionError as exc:
            raise UserError(str(exc)) from None
        return backend, backend.choice
    from tnb.session.memory import remember, remembered

    last = None if args.server else remembered(notebook.path, notebook.kernel_name)
    try:
        choices = await provider.list_choices()
        choice = select_choice(
            choices,
            wanted=args.kernel,
            notebook_kernel=notebook.kernel_name,
            language=notebook.language,
            remembered=last,
        )
    except (NoSuchKernelError, KernelConnectionError) as exc:
        raise UserError(str(exc)) from None
    why = why_chosen(
        choice, wanted=args.kernel, notebook_kernel=notebook.kernel_name, remembered=last
    )
    if not args.kernel and choice.name != notebook.kernel_name:  # a default: say which
        _say(f"tnb run: kernel {choice.display_name} ({choice.name}): {why}")
    try:
        # A plain start even on a server: a session would re-attach to the kernel the
        # notebook has open in a tnb or JupyterLab, and run the cells there.
        if notebook.remote is not None:
            backend = await start_for_server_notebook(provider, choice, notebook.remote.path)
        else:
            backend = await provider.start(choice, notebook=notebook.path)
    except (KernelStartError, KernelConnectionError) as exc:
        raise UserError(str(exc)) from None
    remember(notebook.path, choice)
    return backend, choice


def _cell_label(notebook: Any, cell: Any) -> str:
    index = next(i for i, c in enumerate(notebook.cells) if c is cell)
    return f"cell {index + 1}" + (f" (id {cell.id})" if cell.id else "")


def _report_failure(notebook: Any, result: Any, timeout: float | None) -> None:
    label = _cell_label(notebook, result.cell)
    if result.status == "timeout":
        _say(f"tnb run: {label} did not finish within {timeout:g} s; it was interrupted")
    elif result.status == "died":
        died = result.died
        _say(f"tnb run: {label}: {died.describe() if died else 'the kernel died'}")
    else:
        error = result.error
        _say(f"tnb run: {label} raised {error.ename if error else 'an error'}:")
        if error is not None:
            if error.traceback:
                _say(_plain("\n".join(error.traceback), sys.stderr))
            else:
                _say(f"{error.ename}: {error.evalue}")
            if error.ename == "StdinNotImplementedError":
                _say(
                    "tnb run: the cell asked for input(), which `tnb run` cannot answer; "
                    "open the notebook in tnb to answer it"
                )


async def _run(args: argparse.Namespace) -> int:
    from tnb.notebook.errors import NotebookError
    from tnb.notebook.io import load_notebook, save_notebook
    from tnb.notebook.model import FIRST_MINOR_WITH_TIMING
    from tnb.notebook.readonly import read_only_reason
    from tnb.session.runner import Runner, apply_kernel_metadata
    from tnb.session.widgets import WidgetManager

    if args.timeout is not None and args.timeout <= 0:
        raise UserError("--timeout must be a positive number of seconds")
    remote = await _open_remote(args)
    if remote is not None:
        notebook, output, notebook_dir = remote, args.output, Path.cwd()
    else:
        path = Path(args.notebook)
        try:
            notebook = load_notebook(path, missing_ok=False)
        except NotebookError as exc:
            raise UserError(str(exc)) from None
        output, notebook_dir = args.output or path, path.parent
    readonly = read_only_reason(output) if output is not None else None
    if readonly is not None:
        # Refused before running: the outputs would have nowhere to go.
        raise UserError(
            f"{output} is read-only ({readonly}): nothing was run; make it writable "
            f"(chmod u+w {output}) or write the result elsewhere with -o FILE"
        )
    was = notebook.nbformat_minor
    if args.record_timing and notebook.upgrade_format(FIRST_MINOR_WITH_TIMING):
        _say(
            f"tnb run: saving as nbformat 4.{FIRST_MINOR_WITH_TIMING} (was 4.{was}): "
            "--record-timing writes metadata.execution, which 4.4 defines"
        )
    async with _provider(args, notebook_dir, start_hub_server=True) as provider:
        backend, choice = await _start(args, provider, notebook)
        try:
            apply_kernel_metadata(notebook, choice, backend.info)
            widgets = WidgetManager()
            widgets.attach(backend)  # their state is saved, as nbclient does
            runner = Runner(
                backend,
                notebook,
                timeout=args.timeout,
                allow_errors=args.allow_errors,
                record_timing=args.record_timing,
            )
            run = await runner.run_all()
            widgets.save(notebook)
        finally:
            with contextlib.suppress(Exception):
                await backend.shutdown()
            kept = backend.connection_file
            if kept is not None:
                _say(f"tnb run: kernel kept running; attach with: tnb --existing {kept}")
    if output is None:
        await _save_remote(args, notebook)
        output_name = str(notebook.remote)
    else:
        try:
            save_notebook(notebook, output)
        except NotebookError as exc:
            raise UserError(str(exc)) from None
        output_name = str(output)
    ran = len(run.results)
    # --allow-errors allows exceptions, not timeouts or a dead kernel.
    failures = [
        r for r in run.results if r.failed and not (args.allow_errors and r.status == "error")
    ]
    allowed = [r for r in run.results if r.failed and r not in failures]
    for result in failures:
        _report_failure(notebook, result, args.timeout)
    if run.failure is not None:
        _say(f"tnb run: stopped at {_cell_label(notebook, run.failure.cell)}; saved {output_name}")
        return EXIT_CELL_FAILED
    if failures:
        _say(f"tnb run: {_cells(ran)} ran, {len(failures)} failed; saved {output_name}")
        return EXIT_CELL_FAILED
    note = f", {len(allowed)} raised (allowed)" if allowed else ""
    _say(f"tnb run: {_cells(ran)} ran{note}; saved {output_name}")
    return EXIT_OK


async def _open_remote(args: argparse.Namespace) -> Notebook | None:
    """The server's notebook `tnb run URL` names (args then name its server), else None."""
    from tnb.session.server_files import (
        FolderOnServer,
        ServerFileError,
        describe_failure,
        open_target,
        server_target,
    )

    try:
        target = server_target(str(args.notebook), LaunchOptions.of(args))
    except ServerFileError as exc:
        raise UserError(str(exc)) from None
    if target is None:
        return None
    args.server, args.token = target.options.server, target.options.token
    try:
        opened = await open_target(target, missing_ok=False)
    except Exception as exc:  # the reason, without the token
        raise UserError(describe_failure(exc)) from None
    if isinstance(opened, FolderOnServer):
        raise UserError(f"{target.path or 'the URL'} is a folder on the server, not a notebook")
    return opened


async def _save_remote(args: argparse.Namespace, notebook: Notebook) -> None:
    """Save the outputs back to the server; a copy saved there meanwhile is not overwritten."""
    from tnb.session.server_files import ServerChangedError, ServerFiles, describe_failure

    try:
        files = await ServerFiles.connect(LaunchOptions.of(args))
        try:
            await files.save(notebook)
        finally:
            files.close()
    except ServerChangedError as exc:
        raise UserError(
            f"{exc}: the outputs were not saved over it; run again with -o FILE to keep them "
            "in a local file"
        ) from None
    except Exception as exc:  # the reason, without the token
        raise UserError(f"not saved: {describe_failure(exc)}") from None


async def _run_until_signalled(args: argparse.Namespace) -> int:
    """``_run``, stopped (kernel shut down, nothing saved) by SIGHUP or SIGTERM, in a bound."""
    import signal

    from tnb.session.bounded_exit import EXIT

    task = asyncio.current_task()
    assert task is not None
    EXIT.attach(asyncio.get_running_loop(), task.cancel)
    try:
        return await _run(args)
    except asyncio.CancelledError:
        if EXIT.signal is None:
            raise
        _say(f"tnb run: stopped by {signal.Signals(EXIT.signal).name}; the notebook was not saved")
        return 128 + EXIT.signal
    finally:
        EXIT.detach()


def run_command(args: argparse.Namespace) -> int:
    """`tnb run NOTEBOOK`: execute every code cell, save, and return the exit code."""
    from tnb.session.bounded_exit import EXIT

    EXIT.install()  # the terminal going (SIGHUP) or SIGTERM: stop the kernel, within a bound
    try:
        return asyncio.run(_run_until_signalled(args))
    except UserError as exc:
        _say(f"tnb run: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("tnb run: interrupted; the notebook was not saved")
        return 130
