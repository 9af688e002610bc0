"""The installed `tnb` in a private tmux server: start it, read the pane, send keys, kill it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

TNB = Path(sys.executable).with_name("tnb")


class Tmux:
    """One private tmux server (its own socket) holding one session."""

    def __init__(self, command: str, cwd: Path) -> None:
        self.socket = f"tnb-test-{uuid.uuid4().hex[:8]}"
        self._run("new-session", "-d", "-x", "120", "-y", "40", "-c", str(cwd), command)
        self.socket_path = Path(self._run("display-message", "-p", "#{socket_path}").strip())

    def _run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return result.stdout

    def screen(self) -> str:
        """The visible text of the pane."""
        return self._run("capture-pane", "-p")

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Send keys (tmux key names, or literal text)."""
        self._run("send-keys", *(["-l"] if literal else []), *keys)

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        """Poll the pane until all ``texts`` show (the timeout only guards against a hang)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} never appeared; the screen was:\n{screen}")

    def title(self) -> str:
        """The pane's title, as programs in it set it (OSC 0/2)."""
        return self._run("display-message", "-p", "#{pane_title}").strip()

    def buffers(self) -> str:
        """tmux's paste buffers: where an OSC 52 clipboard write lands with set-clipboard on."""
        return self._run("list-buffers")

    def alive(self) -> bool:
        """Whether the session (and so tnb) still runs."""
        return (
            subprocess.run(
                ["tmux", "-L", self.socket, "has-session"], capture_output=True
            ).returncode
            == 0
        )

    def pane_pid(self) -> int:
        """The pid of the pane's command (tnb: the shell execs it)."""
        return int(self._run("display-message", "-p", "#{pane_pid}").strip())

    def kill_session(self) -> None:
        """Kill the session only (its server exits with it, being left with none)."""
        self._run("kill-session")

    def kill(self) -> None:
        """Stop the private server and everything in it."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        self.socket_path.unlink(missing_ok=True)


def _command(args: tuple[str, ...], env: dict[str, str] | None) -> str:
    """The shell command running ``tnb ARGS`` with the tests' Jupyter and tnb settings."""
    forwarded = {k: v for k, v in os.environ.items() if k.startswith(("JUPYTER_", "TNB_"))}
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in (forwarded | (env or {})).items())
    return f"env {assignments} TERM=xterm-256color {shlex.quote(str(TNB))} " + " ".join(
        shlex.quote(arg) for arg in args
    )


def start(sessions: list[Tmux], *args: str, cwd: Path, env: dict[str, str] | None = None) -> Tmux:
    """``tnb ARGS`` in a new private tmux server, with the tests' Jupyter and tnb settings."""
    session = Tmux(_command(args, env), cwd)
    sessions.append(session)
    return session


def start_recorded(
    sessions: list[Tmux],
    *args: str,
    cwd: Path,
    record: Path,
    env: dict[str, str] | None = None,
) -> Tmux:
    """``tnb ARGS`` as ``start`` does, with every byte it writes to the terminal kept in ``record``
    (tmux pipe-pane) and clipboard writes allowed (OSC 52 fills a paste buffer): tnb waits for
    the recording to be set up before it starts."""
    go = record.with_suffix(".go")
    tnb = _command(args, env)
    wait = f"while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.05; done"
    session = Tmux(f"sh -c {shlex.quote(wait + '; exec ' + tnb)}", cwd)
    sessions.append(session)
    session._run("set-option", "-g", "set-clipboard", "on")
    session._run("pipe-pane", "-o", f"cat >> {shlex.quote(str(record))}")
    go.touch()
    return session


def wait_until_gone(session: Tmux, timeout: float = 20.0) -> None:
    """Poll until the session ended (tnb quit); the timeout only guards against a hang."""
    deadline = time.monotonic() + timeout
    while session.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session.alive(), session.screen()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition()`` until true (the timeout only guards against a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.1)
