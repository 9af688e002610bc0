"""SIGHUP and SIGTERM end the process within a bound, even when its event loop is stuck."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Guards against a hang only (the deadline under test is 2 s).
HANG = 60.0

# The shape of the real hang: the loop thread blocked for ever on a lock (Queue.put).
_STUCK = textwrap.dedent(
    """
    import asyncio, sys, threading
    from pathlib import Path
    from tnb.session.bounded_exit import EXIT

    EXIT.install()

    async def main():
        EXIT.attach(asyncio.get_running_loop(), lambda: None, last_words)
        print("ready", flush=True)
        lock = threading.Lock(); lock.acquire(); lock.acquire()  # never returns

    def last_words():
        Path(sys.argv[1]).write_text("journal")

    asyncio.run(main())
    """
)

# A loop that is free: the signal runs `leave` on it and the process ends by itself.
_FREE = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from tnb.session.bounded_exit import EXIT

    EXIT.install()

    async def main():
        stop = asyncio.Event()
        def leave():
            Path(sys.argv[1]).write_text("left on the loop")
            stop.set()
        EXIT.attach(asyncio.get_running_loop(), leave, lambda: None)
        print("ready", flush=True)
        await stop.wait()
        EXIT.detach()
        return 0

    sys.exit(EXIT.finish(asyncio.run(main())))
    """
)

# Before anything is attached (start-up): nothing to save, leave at once.
_EARLY = textwrap.dedent(
    """
    import time
    from tnb.session.bounded_exit import EXIT

    EXIT.install()
    print("ready", flush=True)
    time.sleep(600)
    """
)


def _run(script: str, tmp_path: Path, sig: int) -> tuple[int, str]:
    marker = tmp_path / "marker"
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(marker)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(sig)
    try:
        code = process.wait(HANG)
    finally:
        process.kill()
        process.stdout.close()
    return code, marker.read_text() if marker.exists() else ""


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_stuck_loop_still_exits_after_its_last_words(tmp_path: Path, sig: int) -> None:
    assert _run(_STUCK, tmp_path, sig) == (128 + sig, "journal")


def test_a_free_loop_leaves_by_itself(tmp_path: Path) -> None:
    assert _run(_FREE, tmp_path, signal.SIGHUP) == (128 + signal.SIGHUP, "left on the loop")


def test_a_signal_at_start_up_exits_at_once(tmp_path: Path) -> None:
    assert _run(_EARLY, tmp_path, signal.SIGTERM) == (128 + signal.SIGTERM, "")
