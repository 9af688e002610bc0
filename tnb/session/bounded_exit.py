"""Leaving within a bound when the terminal goes or tnb is told to stop (SIGHUP, SIGTERM)."""

# Why not asyncio's loop.add_signal_handler: its handler only runs when the event loop gets to
# it, and a loop blocked anywhere (Textual's writer queue when the terminal died under it was
# the case seen: tnb then ignored SIGHUP and SIGTERM forever) never does. A plain Python
# handler runs in the main thread even while it waits on a lock; it only arms a deadline and
# asks the loop to leave, so it never touches state the interrupted code may hold.

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["EXIT", "EXIT_DEADLINE", "BoundedExit"]

# Seconds from the signal to os._exit: inside the 3 s tnb promises, with room for a loaded
# machine to schedule the exit itself. The kernels' watchdog (tnb/kernels/raw/reaper.py) stops
# whatever kernel the graceful path did not get to.
EXIT_DEADLINE = 2.0
# How long last words (writing the recovery journal) may take once the deadline is reached.
LAST_WORDS_LIMIT = 0.5
SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class BoundedExit:
    """Turns SIGHUP, SIGTERM and a vanished terminal into an exit that cannot hang.

    ``install`` the handlers as early as possible; once an event loop can leave cleanly,
    ``attach`` it with ``leave`` (runs on that loop: journal, then exit as usual) and
    ``last_words`` (runs on a helper thread if the deadline passes first: journal only).
    Whatever happens, the process is gone ``deadline`` seconds after the first signal.
    """

    def __init__(self, deadline: float = EXIT_DEADLINE) -> None:
        """Exit at the latest ``deadline`` seconds after the first signal."""
        self.deadline = deadline
        # Re-entrant: the handler may interrupt the main thread while it holds the lock.
        self._lock = threading.RLock()
        self._target: tuple[asyncio.AbstractEventLoop, Callable[[], object]] | None = None
        self._last_words: Callable[[], None] | None = None
        self.signal: int | None = None  # what started the exit (SIGHUP for a lost terminal)

    @property
    def leaving(self) -> bool:
        """A signal arrived (or the terminal went): the process is on its way out."""
        return self.signal is not None

    def install(self) -> None:
        """Handle SIGHUP and SIGTERM from now on (main thread only)."""
        for sig in SIGNALS:
            signal.signal(sig, self._on_signal)

    def uninstall(self) -> None:
        """Back to the default handlers (the process is finishing, or a test is)."""
        for sig in SIGNALS:
            signal.signal(sig, signal.SIG_DFL)

    def attach(
        self,
        loop: asyncio.AbstractEventLoop,
        leave: Callable[[], object],
        last_words: Callable[[], None] | None = None,
    ) -> None:
        """From now on a signal runs ``leave`` on ``loop`` (at once if one already came)."""
        with self._lock:
            self._target = (loop, leave)
            self._last_words = last_words
            if self.signal is not None:
                loop.call_soon_threadsafe(leave)

    def detach(self) -> None:
        """The loop is done: a signal from now on exits at once."""
        with self._lock:
            self._target = None
            self._last_words = None

    def finish(self, code: int) -> int:
        """``code``; or, when a signal is why we are leaving, the end of the process right now,
        with the exit status of that signal (128 + its number), as shells report it.

        By then the journal is written and the kernels are stopped; what is left is the
        interpreter's teardown, which took up to a second on a loaded machine and which no
        deadline can bound (our helper thread cannot run during it).
        """
        if self.signal is None:
            return code
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(128 + self.signal)

    def terminal_gone(self) -> None:
        """The terminal went away without a signal reaching us (any thread)."""
        self._begin(signal.SIGHUP)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._begin(signum)

    def _begin(self, signum: int) -> None:
        with self._lock:
            if self.signal is not None:
                return
            self.signal = signum
            target = self._target
        if target is None:
            # Nothing to save and no kernel yet (or any more): leave now.
            os._exit(128 + signum)
        threading.Thread(target=self._deadline, name="tnb-exit-deadline", daemon=True).start()
        loop, leave = target
        try:
            loop.call_soon_threadsafe(leave)
        except RuntimeError:  # the loop closed meanwhile
            os._exit(128 + signum)

    def _deadline(self) -> None:
        threading.Event().wait(self.deadline)
        last_words = self._last_words
        if last_words is not None:
            # Bounded too: a journal on a hung file system must not keep us here.
            words = threading.Thread(target=_quietly, args=(last_words,), daemon=True)
            words.start()
            words.join(LAST_WORDS_LIMIT)
        os._exit(128 + (self.signal or signal.SIGTERM))


def _quietly(call: Callable[[], None]) -> None:
    with contextlib.suppress(BaseException):
        call()


# One per process, as signal handlers are.
EXIT = BoundedExit()
