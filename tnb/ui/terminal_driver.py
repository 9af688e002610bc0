"""Textual's Linux driver for a terminal that can vanish (tmux killed, SSH dropped, pty closed)."""

# What went wrong with the stock driver when the terminal went while output streamed (found
# under CPU load with gdb's py-bt on a hung tnb, then a trace of the driver's calls):
# - A write to a hung-up terminal fails (EIO). Textual's writer thread does not catch it and
#   dies; its queue holds 30 writes, so the 31st `write` from the event loop blocks forever
#   in `Queue.put`, and so does `close()` on the way out (`WriterThread.stop`).
# - The kernel sends SIGCONT with the SIGHUP of a hangup. Textual's SIGCONT handler (meant for
#   coming back from ctrl+z) restarts application mode from inside the signal handler: a second
#   writer thread replaces the first, dies at its first write, and leaves the first one waiting.
# - A hung-up terminal reads as end of file forever: the input thread spins until told to stop.
# Here a failed write marks the terminal gone (later writes are dropped, so the queue always
# drains), SIGCONT is ignored once it is gone, and the loss is reported to BoundedExit.

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from tnb.session.bounded_exit import EXIT

if TYPE_CHECKING:
    from textual.app import App

# How often an idle app checks that its terminal is still there (one ioctl).
WATCH_INTERVAL = 0.5


class TerminalOutput(io.TextIOWrapper):
    """The terminal as the writer thread sees it: once a write fails, writes are dropped.

    Its own descriptor (a dup of the terminal's), so closing it never closes stderr.
    """

    def __init__(self, fd: int, on_gone: Callable[[], None]) -> None:
        """Write to a duplicate of ``fd``; ``on_gone`` is called once, when a write fails."""
        stream = sys.__stderr__
        super().__init__(
            io.BufferedWriter(io.FileIO(os.dup(fd), "w")),
            encoding=stream.encoding if stream is not None else "utf-8",
            errors="replace",
        )
        self._on_gone = on_gone
        self.gone = False

    def write(self, text: str) -> int:
        """Write, or drop the text once the terminal is gone."""
        if not self.gone:
            try:
                return super().write(text)
            except (OSError, ValueError):
                self.lost()
        return len(text)

    def flush(self) -> None:
        """Flush, or forget what is buffered once the terminal is gone."""
        if not self.gone:
            try:
                super().flush()
            except (OSError, ValueError):
                self.lost()

    def lost(self) -> None:
        """The terminal is gone: say so once."""
        if not self.gone:
            self.gone = True
            self._on_gone()


class TerminalDriver(LinuxDriver):
    """``LinuxDriver`` that never blocks, nor restarts, on a terminal that went away."""

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        """As ``LinuxDriver``; output goes through a ``TerminalOutput``."""
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        stream = sys.__stderr__
        self._out_fd = stream.fileno() if stream is not None else 2
        self._output = TerminalOutput(self._out_fd, self._terminal_gone)
        self._file = self._output
        self._watch_stop = threading.Event()
        # Called once (from any thread) when the terminal is found gone.
        self.on_gone: Callable[[], None] = EXIT.terminal_gone

    @property
    def terminal_gone(self) -> bool:
        """A write failed, or the terminal stopped being one (hung up)."""
        return self._output.gone

    def _terminal_gone(self) -> None:
        # Stops the input thread, which would spin reading end-of-file; the app leaves
        # through BoundedExit (journal first), as for a SIGHUP.
        self.exit_event.set()
        self.on_gone()

    def _still_a_terminal(self) -> bool:
        return os.isatty(self._out_fd) and os.isatty(self.fileno)

    def _sigcont_application(self, *args: Any) -> None:
        if self.terminal_gone or EXIT.leaving or not self._still_a_terminal():
            return  # a hangup's SIGCONT, not a return from ctrl+z: nothing to resume
        super()._sigcont_application(*args)

    def start_application_mode(self) -> None:
        """Start as Textual does, then watch that the terminal stays (idle apps write nothing)."""
        # Untyped in Textual 8.2.8.
        super().start_application_mode()  # type: ignore[no-untyped-call]
        if self._still_a_terminal():
            self._watch_stop.clear()
            watch = threading.Thread(target=self._watch, name="tnb-terminal-watch", daemon=True)
            watch.start()

    def _watch(self) -> None:
        stop = self._watch_stop
        while not stop.wait(WATCH_INTERVAL):
            if not self._still_a_terminal():
                self._output.lost()
                return

    def close(self) -> None:
        """Stop watching, then stop the writer (it drains even a dead terminal's queue)."""
        self._watch_stop.set()
        super().close()


def safe_driver(default: type[Driver]) -> type[Driver]:
    """``TerminalDriver`` where Textual would use ``LinuxDriver``, else ``default``."""
    return TerminalDriver if default is LinuxDriver else default
