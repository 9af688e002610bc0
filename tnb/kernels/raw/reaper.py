"""A watchdog process: stops tnb's kernels and removes their files when tnb dies (even SIGKILL)."""

# Why a watchdog: ipykernel already exits when its parent dies (jupyter_client sets
# JPY_PARENT_PID), but other kernels do not, nothing in tnb runs after SIGKILL, and no kernel
# removes its connection file or a folder of ipc sockets it did not create. PR_SET_PDEATHSIG
# needs preexec_fn (documented as unsafe with threads, and Textual runs threads), is tied to
# the forking thread, is Linux-only, misses the kernel's own children and removes no files.
# One small process per tnb holding the read end of a pipe covers all of it: the kernel sees
# EOF only when every copy of the write end is closed, i.e. when tnb is gone however it died.
#
# This file is also the watchdog's script: it runs as `python -S -I reaper.py RUNTIME_DIR`
# and so imports nothing but the standard library.

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

OWNER_FILE = "owner.json"
# After SIGTERM, how long kernels get to exit before SIGKILL.
_TERM_GRACE = 3.0

# ------------------------------------------------------------------ tnb side


class _Client:
    """tnb's end: a lazily started watchdog and the write end of its pipe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._fd: int | None = None

    def _ensure(self, runtime_dir: Path) -> int | None:
        # Here, not at the top: the watchdog runs this file alone, without tnb importable.
        from tnb.kernels.raw.child_env import child_environment

        if self._fd is not None and self._process is not None and self._process.poll() is None:
            return self._fd
        self._close_fd()
        read_end, write_end = os.pipe()  # both close-on-exec: no kernel inherits them
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-S", "-I", os.path.abspath(__file__), str(runtime_dir)],
                stdin=read_end,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",
                env=child_environment(),
                # Its own session: a terminal hangup or ctrl+c aimed at tnb does not reach it.
                start_new_session=True,
            )
        except OSError:
            os.close(write_end)
            return None
        finally:
            os.close(read_end)
        self._fd = write_end
        return write_end

    def _send(self, message: dict[str, Any], runtime_dir: Path | None = None) -> None:
        line = (json.dumps(message) + "\n").encode()
        with self._lock:
            fd = self._fd if runtime_dir is None else self._ensure(runtime_dir)
            if fd is None:
                return
            # One short write: atomic on a pipe (below PIPE_BUF), never blocks in practice.
            with contextlib.suppress(OSError):
                os.write(fd, line)

    def watch(self, folder: Path, runtime_dir: Path, pid: int | None = None) -> None:
        """Stop ``pid``'s process group and delete ``folder`` if this process dies first."""
        self._send({"op": "watch", "dir": str(folder), "pid": pid}, runtime_dir)

    def forget(self, folder: Path) -> None:
        """``folder`` was cleaned up (or is kept on purpose): nothing to do for it anymore."""
        if self._fd is not None:
            self._send({"op": "forget", "dir": str(folder)})

    def pid(self) -> int | None:
        """The watchdog's pid, if one runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def close(self, wait: float = 1.0) -> None:
        """Close the pipe (normal exit) and give the watchdog a moment to finish."""
        with self._lock:
            self._close_fd()
            process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=wait)

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _after_fork(self) -> None:
        # A forked child holding the write end would keep the watchdog from ever seeing EOF.
        self._close_fd()
        self._process = None
        self._lock = threading.Lock()


CLIENT = _Client()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=CLIENT._after_fork)


def write_owner(folder: Path, pid: int, files: list[Path] | None = None) -> None:
    """Record whose death makes ``folder`` stale (for the sweep of a later tnb)."""
    data = {"pid": pid, "files": [str(f) for f in files or []]}
    (folder / OWNER_FILE).write_text(json.dumps(data))


# ------------------------------------------------------------------ watchdog side


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Watched:
    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.pidfd: int | None = None
        if pid is not None and hasattr(os, "pidfd_open"):
            # Pins the process: a reused pid can never make us signal a stranger.
            with contextlib.suppress(OSError):
                self.pidfd = os.pidfd_open(pid)

    def running(self) -> bool:
        if self.pid is None:
            return False
        if self.pidfd is not None:
            import select

            readable, _, _ = select.select([self.pidfd], [], [], 0)
            return not readable
        return _alive(self.pid)

    def signal(self, sig: int) -> None:
        if self.pid is None or not self.running():
            return
        # jupyter_client starts kernels in their own session: the group holds their children.
        with contextlib.suppress(OSError):
            if os.getpgid(self.pid) == self.pid:
                os.killpg(self.pid, sig)
                return
        with contextlib.suppress(OSError):
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, sig)
            else:
                os.kill(self.pid, sig)

    def close(self) -> None:
        if self.pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self.pidfd)
            self.pidfd = None


def sweep(runtime_dir: Path) -> list[Path]:
    """Remove ``tnb-*`` folders (and their listed files) whose owner process is gone."""
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for folder in runtime_dir.glob("tnb-*"):
            try:
                owner = json.loads((folder / OWNER_FILE).read_text())
                pid = int(owner["pid"])
                files = [Path(f) for f in owner.get("files") or []]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # no owner recorded: not ours to judge
            if _alive(pid):
                continue
            for file in files:
                if file.parent == runtime_dir:
                    with contextlib.suppress(OSError):
                        file.unlink()
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _launched_in(folder: str) -> int | None:
    """The process whose argv names a file in ``folder``: a kernel tnb launched but died
    before it could report the pid (Linux; elsewhere ipykernel's parent poll covers it)."""
    needle = os.fsencode(folder + os.sep)
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with (
                contextlib.suppress(OSError),
                open(f"/proc/{entry.name}/cmdline", "rb") as cmdline,
            ):
                if any(arg.startswith(needle) for arg in cmdline.read().split(b"\0")):
                    return int(entry.name)
    return None


def _reap(watched: dict[str, _Watched]) -> None:
    for folder, entry in list(watched.items()):
        if entry.pid is None:
            watched[folder] = _Watched(_launched_in(folder))
    for entry in watched.values():
        entry.signal(signal.SIGTERM)
    deadline = time.monotonic() + _TERM_GRACE
    while any(e.running() for e in watched.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    for entry in watched.values():
        entry.signal(signal.SIGKILL)
    for folder, entry in watched.items():
        entry.close()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    """The watchdog: follow watch/forget lines on stdin; at EOF stop and clean what is left."""
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    if len(argv) > 1:
        sweep(Path(argv[1]))
    watched: dict[str, _Watched] = {}
    for raw in sys.stdin.buffer:
        try:
            message = json.loads(raw)
            folder = str(message["dir"])
        except (ValueError, KeyError, TypeError):
            continue
        old = watched.pop(folder, None)
        if old is not None:
            old.close()
        if message.get("op") == "watch":
            pid = message.get("pid")
            watched[folder] = _Watched(int(pid) if pid else None)
    _reap(watched)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
