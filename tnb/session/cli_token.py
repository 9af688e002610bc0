"""The server token on the command line: read from --token-file, scrubbed from the process title."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from tnb.kernels.server.url import ServerURLError, parse_server_url, redact

_COMM = Path("/proc/self/comm")


class TokenFileError(ValueError):
    """The --token-file cannot give a token; the message names the file and why."""


def read_token_file(path: Path) -> str:
    """The token in ``path`` (surrounding whitespace dropped), as `jupyter server` prints it.

    Raises:
        TokenFileError: unreadable, empty, or not text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TokenFileError(f"--token-file {path}: cannot be read: {exc.strerror}") from None
    try:
        token = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise TokenFileError(f"--token-file {path}: not a text file") from None
    if not token:
        raise TokenFileError(f"--token-file {path}: the file is empty")
    return token


def exposed_token_file(path: Path) -> str | None:
    """A warning when other users can read ``path`` (then they have the token too)."""
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o044:
            return (
                f"tnb: warning: {path} is readable by other users (mode {mode:04o}); "
                f"`chmod 600 {path}` keeps the token yours"
            )
    return None


def command_line_tokens(args: argparse.Namespace) -> list[str]:
    """The secrets that came as words of the command line: --token and a URL's ?token=."""
    found: list[str] = []
    token = getattr(args, "token", None)
    if token:
        found.append(token)
    for url in (getattr(args, "server", None), getattr(args, "notebook", None)):
        if isinstance(url, str) and url:
            with contextlib.suppress(ServerURLError):
                in_url = parse_server_url(url).token if "://" in url else None
                if in_url:
                    found.append(in_url)
    return found


def scrub_process_title(secrets: Iterable[str]) -> bool:
    """Replace each secret in this process's title (/proc/PID/cmdline, readable by every
    local user) with ``***``. True when the title holds none of them afterwards."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return True
    import setproctitle

    # setproctitle renames the process (`ps -o comm`, `pgrep tnb`) to the title's start,
    # from its first call on: the name is read before and put back after.
    comm = _read_comm()
    title = setproctitle.getproctitle()
    clean = title
    for secret in secrets:
        clean = redact(clean, secret)
    if clean != title:
        setproctitle.setproctitle(clean)
    if comm is not None:
        with contextlib.suppress(OSError):
            _COMM.write_text(comm, encoding="utf-8")
    try:
        shown = Path("/proc/self/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return sys.platform != "linux"
    return not any(redact(shown, secret) != shown for secret in secrets)


def _read_comm() -> str | None:
    try:
        return _COMM.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def take_token(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Read ``--token-file`` into ``args.token`` and hide command-line tokens from the process
    list; a bad file ends the program with a usage error (exit code 2)."""
    if not scrub_process_title(command_line_tokens(args)):
        print(
            "tnb: warning: the token on the command line could not be hidden from the "
            "process list; use $JUPYTER_TOKEN, --token-file or the prompt",
            file=sys.stderr,
        )
    path = getattr(args, "token_file", None)
    if path is None:
        return
    if getattr(args, "token", None):
        parser.error("give the token with --token or --token-file, not both")
    try:
        args.token = read_token_file(path)
    except TokenFileError as exc:
        parser.error(str(exc))
    warning = exposed_token_file(path)
    if warning:
        print(warning, file=sys.stderr)


def terminal_token_prompt(url: str) -> Callable[[], str] | None:
    """A hidden-input prompt for ``url``'s token on the terminal, or None without one.

    The kernel layer only takes a ``prompt_token`` callable: asking a person is ours.
    """
    if not sys.stdin.isatty():
        return None
    try:
        shown = parse_server_url(url).base_url  # without any ?token= it carried
    except ServerURLError:
        shown = "the server"

    def ask() -> str:
        try:
            return getpass.getpass(f"Token for {shown} (input hidden): ").strip()
        except (EOFError, KeyboardInterrupt):
            return ""

    return ask
