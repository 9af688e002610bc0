"""The kernel session is the one record of the cells' run state, and says when it changes."""

from __future__ import annotations

from tests.fixtures.fake_kernel import FakeProvider
from tests.fixtures.waiting import until
from tnb.kernels.events import InputRequested
from tnb.notebook.model import Cell, Notebook
from tnb.session.kernel_session import KernelSession, UiHooks
from tnb.session.launch import LaunchOptions

GUARD = 30.0  # hang guard only


class Heard:
    """Every hook call, in order."""

    def __init__(self) -> None:
        self.runs: list[list[str]] = []  # sources of the cells whose marks changed
        self.statuses = 0
        self.finished: list[str] = []

    def hooks(self) -> UiHooks:
        async def no_input(request: InputRequested) -> str:
            return ""

        return UiHooks(
            status_changed=self._status,
            runs_changed=lambda cells: self.runs.append([c.source for c in cells]),
            cell_changed=lambda cell: None,
            cell_finished=lambda result: self.finished.append(result.cell.source),
            ask_input=no_input,
        )

    def _status(self) -> None:
        self.statuses += 1


def session_on(*sources: str) -> tuple[KernelSession, Heard, FakeProvider]:
    nb = Notebook(cells=[Cell.new("code", s) for s in sources])
    heard = Heard()
    kernels = FakeProvider()
    return KernelSession(nb, heard.hooks(), local=kernels), heard, kernels


async def test_cells_run_before_a_kernel_wait_for_it_then_run() -> None:
    session, heard, _ = session_on("a = 1", "a + 1")
    cells = session.notebook.cells
    assert session.run(cells) == cells
    assert [session.run_mark(c) for c in cells] == ["*", "*"]
    assert heard.runs == [["a = 1", "a + 1"]]
    await session.start_default(LaunchOptions())
    await until(lambda: heard.finished == ["a = 1", "a + 1"])
    assert [session.run_mark(c) for c in cells] == [None, None]
    assert session.pending == [] and cells[1].outputs[0].data["text/plain"] == "2"
    # Queued, then each one's start and end: the marks changed exactly then.
    assert heard.runs[1:] == [["a = 1", "a + 1"], ["a = 1"], ["a = 1"], ["a + 1"], ["a + 1"]]
    await session.shutdown()


async def test_an_error_drops_the_queue_and_says_so() -> None:
    session, heard, _ = session_on("1 / 0", "never = 1")
    await session.start_default(LaunchOptions())
    cells = session.notebook.cells
    session.run(cells)
    await until(lambda: heard.finished[:1] == ["1 / 0"] and session.runner is not None
                and not session.runner.queued and session.runner.running is None)  # fmt: skip
    # Dropped: its [*] goes as soon as the kernel said it aborted it (it was sent ahead).
    assert heard.runs[-1] == ["never = 1"]
    assert session.run_mark(cells[1]) is None and cells[1].execution_count is None
    await session.shutdown()


async def test_a_death_while_idle_is_heard_without_asking() -> None:
    session, heard, kernels = session_on("1")
    await session.start_default(LaunchOptions())
    before = heard.statuses
    kernels.started[-1].die("the kernel died", exit_code=9)
    # No poll, no request: the backend's on_status told the session, which told the UI.
    assert heard.statuses == before + 1
    assert session.status == "dead" and "exit code 9" in (session.failure or "")
    await session.shutdown()


async def test_a_failed_start_drops_the_waiting_cells() -> None:
    session, heard, _ = session_on("1")
    cells = session.notebook.cells
    session.run(cells)
    assert session.drop_pending() == cells
    assert session.run_mark(cells[0]) is None and heard.runs[-1] == ["1"]
