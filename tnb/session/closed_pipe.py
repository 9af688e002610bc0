"""Output to a closed pipe (`tnb kernels | head -1`) ends quietly, as it does for Unix tools."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import TextIO

# What a shell reports for a tool that SIGPIPE stopped (128 + 13).
EXIT_PIPE_CLOSED = 141


def _silence(fd: int) -> None:
    """Point ``fd`` at /dev/null so that nothing more (not even the exit flush) fails on it."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def run_quietly(command: Callable[[], int]) -> int:
    """``command()``'s exit code, or EXIT_PIPE_CLOSED without a traceback when the reader of
    its output went away. SystemExit (argparse's --help, usage errors) passes through."""
    try:
        try:
            return command()
        finally:
            # Buffered output is written here, where the error can be caught, not at exit.
            sys.stdout.flush()
    except BrokenPipeError:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(ValueError, OSError):
                _silence(stream.fileno())
        return EXIT_PIPE_CLOSED


def say(message: str, stream: TextIO | None = None) -> None:
    """Print a line that is worth losing, not worth stopping for, when nobody reads it.

    `tnb run 2>&1 | head -1` must still run every cell and save the notebook, and a `tnb run`
    whose terminal went must still stop its kernel.
    """
    out = sys.stderr if stream is None else stream
    try:
        print(message, file=out, flush=True)
    except OSError:  # a closed pipe, or a terminal that went away (EIO)
        with contextlib.suppress(ValueError, OSError):
            _silence(out.fileno())
