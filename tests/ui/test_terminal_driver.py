"""The driver on a terminal that went away: writes never block, SIGCONT restarts nothing."""

from __future__ import annotations

import os
import pty
import signal
import threading
import tty
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from textual.app import App
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from tnb.ui.terminal_driver import TerminalDriver, TerminalOutput, safe_driver

# Guards against a hang only: every step here is immediate when it works.
HANG = 30.0


@dataclass
class Pty:
    """A pseudo-terminal whose far end (the terminal emulator's) can be closed."""

    master: int
    slave: int

    def hang_up(self) -> None:
        """What tmux kill-session or a dropped SSH connection does: the terminal side closes."""
        os.close(self.master)
        self.master = -1


@pytest.fixture
def terminal() -> Iterator[Pty]:
    master, slave = pty.openpty()
    tty.setraw(slave)  # bytes through as written, as Textual sets it up
    terminal = Pty(master, slave)
    yield terminal
    os.close(slave)
    if terminal.master >= 0:
        os.close(terminal.master)


def _finishes(work: object, *args: object) -> bool:
    """Run ``work(*args)`` in a thread: whether it returned before the hang guard."""
    assert callable(work)
    done = threading.Event()

    def run() -> None:
        work(*args)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(HANG)


def _flood(writer: WriterThread) -> None:
    for i in range(MAX_QUEUED_WRITES * 4):
        writer.write(f"\x1b[H frame {i}\n")
    writer.stop()


def test_the_stock_writer_thread_dies_at_the_first_write_to_a_hung_up_terminal(
    terminal: Pty,
) -> None:
    # The cause, kept as a canary: if Textual fixes it, TerminalDriver can go.
    terminal.hang_up()
    writer = WriterThread(os.fdopen(os.dup(terminal.slave), "w"))
    died = threading.Event()
    previous = threading.excepthook
    threading.excepthook = lambda args: died.set()
    try:
        writer.start()
        writer.write("x")
        assert died.wait(HANG)
        writer.join(HANG)
    finally:
        threading.excepthook = previous
    assert not writer.is_alive()  # whoever writes 31 more times now blocks for ever


def test_writes_to_a_hung_up_terminal_are_dropped_and_never_block(terminal: Pty) -> None:
    gone: list[str] = []
    output = TerminalOutput(terminal.slave, lambda: gone.append("gone"))
    writer = WriterThread(output)
    writer.start()
    writer.write("before\n")
    assert os.read(terminal.master, 100).endswith(b"before\n")
    terminal.hang_up()
    assert _finishes(_flood, writer)
    assert not writer.is_alive()
    assert gone == ["gone"] and output.gone


def test_a_live_terminal_gets_every_write(terminal: Pty) -> None:
    gone: list[str] = []
    writer = WriterThread(TerminalOutput(terminal.slave, lambda: gone.append("gone")))
    writer.start()
    text = "".join(f"line {i}\r\n" for i in range(50))
    for line in text.splitlines(keepends=True):
        writer.write(line)
    writer.stop()
    received = b""
    while len(received) < len(text):
        received += os.read(terminal.master, 4096)
    assert received.decode() == text and not gone


@pytest.fixture
async def driver(terminal: Pty) -> AsyncIterator[TerminalDriver]:
    # A driver is made on the app's running loop.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    made = TerminalDriver(App())
    made.fileno = terminal.slave
    made._out_fd = terminal.slave
    yield made
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


async def test_sigcont_of_a_hangup_restarts_nothing(driver: TerminalDriver, terminal: Pty) -> None:
    resumed: list[str] = []
    driver.resume_application_mode = lambda: resumed.append("resumed")  # type: ignore[method-assign]
    driver._sigcont_application(signal.SIGCONT, None)
    assert resumed == ["resumed"]  # a return from ctrl+z still resumes
    terminal.hang_up()
    driver._sigcont_application(signal.SIGCONT, None)
    assert resumed == ["resumed"]


async def test_an_idle_app_notices_its_terminal_went(driver: TerminalDriver, terminal: Pty) -> None:
    gone = threading.Event()
    driver.on_gone = gone.set
    watch = threading.Thread(target=driver._watch, daemon=True)
    watch.start()
    terminal.hang_up()
    assert gone.wait(HANG)
    watch.join(HANG)
    assert driver.terminal_gone and driver.exit_event.is_set()  # the input thread stops too


def test_textual_s_linux_driver_is_replaced_and_only_it() -> None:
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.drivers.linux_driver import LinuxDriver

    assert safe_driver(LinuxDriver) is TerminalDriver
    assert safe_driver(HeadlessDriver) is HeadlessDriver
