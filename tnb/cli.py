"""The `tnb` command line: open a notebook, `tnb run` it headless, or list `tnb kernels`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tnb import __version__
from tnb.session.bounded_exit import EXIT

SUBCOMMANDS = ("run", "kernels")


def _env_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _add_token_options(group: argparse._ArgumentGroup | argparse.ArgumentParser) -> None:
    group.add_argument(
        "--token",
        metavar="TOKEN",
        help="server token; other local users can see it: prefer --token-file, $JUPYTER_TOKEN "
        "or the prompt",
    )
    group.add_argument(
        "--token-file", metavar="FILE", type=Path, help="read the server token from FILE"
    )


def _add_kernel_options(parser: argparse.ArgumentParser) -> None:
    kernel = parser.add_argument_group("kernel")
    kernel.add_argument("--kernel", metavar="NAME", help="kernelspec or environment to start")
    kernel.add_argument(
        "--transport",
        choices=("ipc", "tcp"),
        default=None,
        help="raw kernel transport (default: ipc where ZeroMQ supports it, else tcp)",
    )
    kernel.add_argument(
        "--env",
        metavar="KEY=VALUE",
        type=_env_pair,
        action="append",
        default=[],
        help="environment variable for the kernel (repeatable; raw kernels and Enterprise "
        "Gateway; refused where a server would drop it)",
    )
    kernel.add_argument(
        "--server",
        metavar="URL",
        help="use the kernels of a Jupyter server, an Enterprise Gateway or a JupyterHub",
    )
    _add_token_options(kernel)
    kernel.add_argument("--ca-bundle", metavar="FILE", help="CA bundle for https servers")
    kernel.add_argument(
        "--existing", metavar="CONNECTION_FILE", help="attach to a running kernel (never killed)"
    )
    kernel.add_argument(
        "--record-timing",
        action="store_true",
        help="record each run cell's times in its metadata.execution (JupyterLab's recordTiming)",
    )
    kernel.add_argument(
        "--keep-kernel",
        action="store_true",
        help="leave the started raw kernel running after tnb exits (re-attach with --existing)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser for `tnb NOTEBOOK` (subcommands are dispatched by name first)."""
    parser = argparse.ArgumentParser(
        prog="tnb",
        description="A terminal notebook for Jupyter. "
        "Subcommands: `tnb run NOTEBOOK` (execute headless), `tnb kernels` (list kernels).",
    )
    parser.add_argument("--version", action="version", version=f"tnb {__version__}")
    parser.add_argument(
        "notebook",
        nargs="?",
        help="notebook to open (created on first save if missing), or a Jupyter server's URL "
        "of a notebook or folder (as JupyterLab shows it)",
    )
    parser.add_argument("--pick", action="store_true", help="choose the kernel in the picker")
    parser.add_argument("--no-kernel", action="store_true", help="open without starting a kernel")
    _add_kernel_options(parser)
    return parser


def build_run_parser() -> argparse.ArgumentParser:
    """The parser for `tnb run`."""
    parser = argparse.ArgumentParser(
        prog="tnb run", description="Execute every code cell of a notebook and save the outputs."
    )
    parser.add_argument("notebook", help="notebook file, or a Jupyter server's URL of one")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of in place")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per cell")
    parser.add_argument(
        "--allow-errors", action="store_true", help="keep going after a cell raises"
    )
    _add_kernel_options(parser)
    return parser


def build_kernels_parser() -> argparse.ArgumentParser:
    """The parser for `tnb kernels`."""
    parser = argparse.ArgumentParser(prog="tnb kernels", description="List available kernels.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--server", metavar="URL", help="list a Jupyter server's kernels")
    _add_token_options(parser)
    parser.add_argument("--ca-bundle", metavar="FILE")
    parser.add_argument("--notebook", type=Path, help="look for environments beside this notebook")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tnb` console script."""
    from tnb.session.closed_pipe import run_quietly

    args_list = sys.argv[1:] if argv is None else argv
    return run_quietly(lambda: _main(args_list))


def _main(args_list: list[str]) -> int:
    from tnb.session.cli_token import take_token

    if args_list and args_list[0] == "run":
        from tnb.headless import run_command

        parser = build_run_parser()
        args = parser.parse_args(args_list[1:])
        take_token(args, parser)
        return EXIT.finish(run_command(args))
    if args_list and args_list[0] == "kernels":
        from tnb.headless import kernels_command

        parser = build_kernels_parser()
        args = parser.parse_args(args_list[1:])
        take_token(args, parser)
        return kernels_command(args)
    parser = build_parser()
    args = parser.parse_args(args_list)
    take_token(args, parser)
    from tnb.ui.run import run_app

    return EXIT.finish(run_app(args))


if __name__ == "__main__":
    sys.exit(main())
