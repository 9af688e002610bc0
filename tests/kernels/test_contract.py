"""The backend contract: the same tests against every backend in tests/fixtures/backends.py."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

import pytest

from tests.fixtures.backends import BACKENDS, Recorded, record_messages, validate_recorded
from tests.fixtures.kernelspecs import KernelSpecs
from tests.fixtures.waiting import until
from tnb.kernels.events import (
    ClearOutput,
    DisplayData,
    Error,
    ExecuteInput,
    ExecuteReply,
    ExecuteResult,
    InputRequested,
    KernelDied,
    KernelEvent,
    StatusChanged,
    Stream,
    UpdateDisplayData,
)
from tnb.kernels.protocol import KernelBackend

E = TypeVar("E")

# Hang guards only: generous, because five engineers share two cores.
GUARD = 60.0


@dataclass
class Kernel:
    """A started backend plus every message it received."""

    backend: KernelBackend
    recorded: Recorded
    name: str


@pytest.fixture(params=sorted(BACKENDS))
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _open(
    request: pytest.FixtureRequest, backend_name: str, spec: str
) -> AsyncIterator[Kernel]:
    async with BACKENDS[backend_name].open(request, spec) as backend:
        recorded = record_messages(backend)
        yield Kernel(backend, recorded, backend_name)
        assert validate_recorded(recorded) > 0


@pytest.fixture
async def kernel(
    request: pytest.FixtureRequest, backend_name: str, kernelspecs: KernelSpecs
) -> AsyncIterator[Kernel]:
    async for k in _open(request, backend_name, kernelspecs.python):
        yield k


async def run(backend: KernelBackend, code: str, **kwargs: bool) -> list[KernelEvent]:
    """All events of one execution (hang-guarded)."""

    async def collect() -> list[KernelEvent]:
        return [event async for event in backend.execute(code, **kwargs)]

    return await asyncio.wait_for(collect(), GUARD)


def stream_text(events: list[KernelEvent], name: str = "stdout") -> str:
    return "".join(e.text for e in events if isinstance(e, Stream) and e.name == name)


def only(events: list[KernelEvent], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


async def test_hello_world(kernel: Kernel) -> None:
    events = await run(kernel.backend, "print('hello, world')")
    assert stream_text(events) == "hello, world\n"
    assert isinstance(events[-1], ExecuteReply)
    assert events[-1].status == "ok"
    inputs = only(events, ExecuteInput)
    assert len(inputs) == 1 and inputs[0].execution_count == events[-1].execution_count
    statuses = [e.status for e in only(events, StatusChanged)]
    assert statuses[0] == "busy" and statuses[-1] == "idle"
    assert kernel.backend.status == "idle"


async def test_stderr(kernel: Kernel) -> None:
    events = await run(kernel.backend, "import sys; print('oops', file=sys.stderr)")
    assert stream_text(events, "stderr") == "oops\n"
    assert stream_text(events, "stdout") == ""


async def test_execute_result(kernel: Kernel) -> None:
    events = await run(kernel.backend, "6 * 7")
    results = only(events, ExecuteResult)
    assert len(results) == 1
    result = results[0]
    assert isinstance(result, ExecuteResult)
    assert result.data["text/plain"] == "42"
    reply = events[-1]
    assert isinstance(reply, ExecuteReply) and result.execution_count == reply.execution_count


async def test_display_data(kernel: Kernel) -> None:
    code = "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))"
    events = await run(kernel.backend, code)
    displays = only(events, DisplayData)
    assert len(displays) == 1
    shown = displays[0]
    assert isinstance(shown, DisplayData)
    assert shown.data["text/html"] == "<b>bold</b>" and "text/plain" in shown.data
    assert shown.display_id is None


async def test_update_display(kernel: Kernel) -> None:
    code = (
        "from IPython.display import display, update_display\n"
        "h = display('first', display_id='d1')\n"
        "update_display('second', display_id='d1')"
    )
    events = await run(kernel.backend, code)
    shown = only(events, DisplayData)
    assert len(shown) == 1 and isinstance(shown[0], DisplayData)
    assert shown[0].display_id == "d1" and shown[0].data["text/plain"] == "'first'"
    updates = only(events, UpdateDisplayData)
    assert updates == [UpdateDisplayData({"text/plain": "'second'"}, {}, "d1")]
    # An update from a later execution still targets the display by id.
    later = await run(kernel.backend, "update_display('third', display_id='d1')")
    assert only(later, UpdateDisplayData) == [
        UpdateDisplayData({"text/plain": "'third'"}, {}, "d1")
    ]


async def test_clear_output(kernel: Kernel) -> None:
    code = (
        "from IPython.display import clear_output\n"
        "print('before', flush=True)\nclear_output(wait=True)\nprint('after')"
    )
    events = await run(kernel.backend, code)
    kinds = [type(e).__name__ for e in events if isinstance(e, Stream | ClearOutput)]
    assert kinds == ["Stream", "ClearOutput", "Stream"]
    assert only(events, ClearOutput) == [ClearOutput(wait=True)]


async def test_error(kernel: Kernel) -> None:
    events = await run(kernel.backend, "1 / 0")
    errors = only(events, Error)
    assert len(errors) == 1 and isinstance(errors[0], Error)
    assert errors[0].ename == "ZeroDivisionError" and errors[0].traceback
    reply = events[-1]
    assert isinstance(reply, ExecuteReply) and reply.status == "error"


async def test_input_with_reply(kernel: Kernel) -> None:
    code = "name = input('name? ')\nprint('hi', name)"
    events: list[KernelEvent] = []

    async def go() -> None:
        async for event in kernel.backend.execute(code):
            events.append(event)
            if isinstance(event, InputRequested):
                await event.reply("tnb")

    await asyncio.wait_for(go(), GUARD)
    asked = only(events, InputRequested)
    assert len(asked) == 1 and isinstance(asked[0], InputRequested)
    assert asked[0].prompt == "name? " and not asked[0].password
    assert stream_text(events).endswith("hi tnb\n")


async def test_getpass_is_password(kernel: Kernel) -> None:
    code = "import getpass\nsecret = getpass.getpass('pw: ')\nprint(len(secret))"
    events: list[KernelEvent] = []

    async def go() -> None:
        async for event in kernel.backend.execute(code):
            events.append(event)
            if isinstance(event, InputRequested):
                await event.reply("hunter2")

    await asyncio.wait_for(go(), GUARD)
    asked = only(events, InputRequested)
    assert len(asked) == 1 and isinstance(asked[0], InputRequested) and asked[0].password
    assert stream_text(events).endswith("7\n")


async def test_input_without_stdin_fails_fast(kernel: Kernel) -> None:
    events = await run(kernel.backend, "input('x')", allow_stdin=False)
    errors = only(events, Error)
    assert len(errors) == 1 and isinstance(errors[0], Error)
    assert errors[0].ename == "StdinNotImplementedError"


async def test_complete(kernel: Kernel) -> None:
    code = "import os\nos.pa"
    completion = await asyncio.wait_for(kernel.backend.complete(code, len(code)), GUARD)
    assert "path" in completion.matches or "os.path" in completion.matches
    assert completion.cursor_end == len(code)
    assert completion.cursor_start in (len(code) - 2, len(code) - 5)


async def test_inspect(kernel: Kernel) -> None:
    found = await asyncio.wait_for(kernel.backend.inspect("print", 5), GUARD)
    assert found.found and "text/plain" in found.data
    missing = await asyncio.wait_for(kernel.backend.inspect("no_such_name_xyz", 8), GUARD)
    assert not missing.found


async def test_is_complete(kernel: Kernel) -> None:
    backend = kernel.backend
    assert await asyncio.wait_for(backend.is_complete("x = 1"), GUARD) == "complete"
    assert await asyncio.wait_for(backend.is_complete("for i in range(3):"), GUARD) == (
        "incomplete"
    )
    assert await asyncio.wait_for(backend.is_complete("import = 7q"), GUARD) == "invalid"


async def test_history(kernel: Kernel) -> None:
    await run(kernel.backend, "history_marker = 12345")
    entries = await asyncio.wait_for(kernel.backend.history(5), GUARD)
    assert any(source == "history_marker = 12345" for _s, _l, source in entries)


async def test_kernel_info(kernel: Kernel) -> None:
    info = await asyncio.wait_for(kernel.backend.kernel_info(), GUARD)
    assert info.language == "python" and info.protocol_version.startswith("5.")


async def test_what_the_protocol_says_after_start(kernel: Kernel) -> None:
    """kernel_info as answered at start, alive, and not kept past tnb's exit: the same on
    every backend, so the layers above never ask which one they have."""
    info = kernel.backend.info
    assert info is not None and info.language_info["name"] == "python"
    assert info.language_info["version"].startswith("3.")
    assert kernel.backend.died is None
    assert kernel.backend.connection_file is None
    asked = await asyncio.wait_for(kernel.backend.kernel_info(), GUARD)
    assert asked.language_info == info.language_info


async def test_kernel_info_is_no_work_for_the_status(kernel: Kernel) -> None:
    """A kernel_info's busy/idle blip (tnb's readiness probes after a restart, another
    client's) never shows the kernel busy: it came late after a restart on a loaded machine."""
    seen = []
    for _ in range(20):
        await asyncio.wait_for(kernel.backend.kernel_info(), GUARD)
        seen.append(kernel.backend.status)
    assert set(seen) == {"idle"}


async def test_status_is_published_as_it_changes(kernel: Kernel) -> None:
    """The owner of a kernel hears every status change (on_status): nothing above polls."""
    seen: list[str] = []
    kernel.backend.on_status = seen.append
    await run(kernel.backend, "1 + 1")
    await asyncio.wait_for(kernel.backend.kernel_info(), GUARD)  # no blip for this one
    assert seen and seen[0] == "busy" and seen[-1] == "idle", seen
    assert all(a != b for a, b in itertools.pairwise(seen)), seen  # changes only
    assert seen[-1] == kernel.backend.status
    await asyncio.wait_for(kernel.backend.shutdown(), GUARD)
    assert seen[-1] == "dead"


async def _interrupt_sleep(backend: KernelBackend) -> list[KernelEvent]:
    events: list[KernelEvent] = []

    async def go() -> None:
        code = "import time\nprint('sleeping', flush=True)\ntime.sleep(60)"
        async for event in backend.execute(code):
            events.append(event)
            if isinstance(event, Stream):  # the sleep has begun: interrupt it, not the print
                await backend.interrupt()

    await asyncio.wait_for(go(), 30.0)  # far below the 60 s sleep: the interrupt took
    return events


async def test_interrupt_signal(kernel: Kernel) -> None:
    events = await _interrupt_sleep(kernel.backend)
    errors = only(events, Error)
    assert [e.ename for e in errors if isinstance(e, Error)] == ["KeyboardInterrupt"]
    assert isinstance(events[-1], ExecuteReply) and events[-1].status == "error"
    # Still usable afterwards.
    assert stream_text(await run(kernel.backend, "print('alive')")) == "alive\n"


async def test_interrupt_message(
    request: pytest.FixtureRequest, backend_name: str, kernelspecs: KernelSpecs
) -> None:
    async for k in _open(request, backend_name, kernelspecs.python_message):
        events = await _interrupt_sleep(k.backend)
        assert [e.ename for e in only(events, Error) if isinstance(e, Error)] == [
            "KeyboardInterrupt"
        ]


async def test_restart_clears_state(kernel: Kernel) -> None:
    await run(kernel.backend, "remembered = 5")
    assert stream_text(await run(kernel.backend, "print(remembered)")) == "5\n"
    await asyncio.wait_for(kernel.backend.restart(), GUARD)
    assert kernel.backend.status == "idle"
    events = await run(kernel.backend, "remembered")
    assert [e.ename for e in only(events, Error) if isinstance(e, Error)] == ["NameError"]


async def test_restart_ends_running_execution(kernel: Kernel) -> None:
    events: list[KernelEvent] = []

    async def go() -> None:
        async for event in kernel.backend.execute("import time\ntime.sleep(60)"):
            events.append(event)
            if isinstance(event, ExecuteInput):
                restarting.append(asyncio.ensure_future(kernel.backend.restart()))

    restarting: list[asyncio.Future[None]] = []
    await asyncio.wait_for(go(), GUARD)
    await asyncio.wait_for(restarting[0], GUARD)
    assert isinstance(events[-1], KernelDied)
    assert kernel.backend.status == "idle"
    assert stream_text(await run(kernel.backend, "print('back')")) == "back\n"


async def test_shutdown_leaves_nothing(
    request: pytest.FixtureRequest, backend_name: str, kernelspecs: KernelSpecs
) -> None:
    entry = BACKENDS[backend_name]
    async with entry.open(request, kernelspecs.python) as backend:
        assert stream_text(await run(backend, "print(1)")) == "1\n"
        leftovers = entry.traces(backend)
        assert await leftovers() != []  # the check sees the running kernel
        await asyncio.wait_for(backend.shutdown(), GUARD)
        assert await leftovers() == []
        assert backend.status == "dead"
        await backend.shutdown()  # idempotent
        events = await run(backend, "print(2)")
        assert len(events) == 1 and isinstance(events[0], KernelDied)


async def test_ten_thousand_prints_arrive_in_order(
    request: pytest.FixtureRequest, backend_name: str, kernelspecs: KernelSpecs
) -> None:
    # A kernel whose own iopub socket never drops (see kernelspecs.py): what is tested is
    # that nothing between the kernel and the events (zmq, websocket, tnb) loses a line.
    async for k in _open(request, backend_name, kernelspecs.python_nodrop):
        events = await run(k.backend, "for i in range(10000):\n    print(i, flush=True)")
        lines = stream_text(events).splitlines()
        assert lines == [str(i) for i in range(10000)]


# --------------------------------------------------------------------------- comms

_COMM_KERNEL_SIDE = """\
from comm import create_comm
got = []
c = create_comm(target_name="tnb.test", data={"hello": 1}, buffers=[b"abc"])
def on_msg(msg):
    got.append(msg["content"]["data"])
    buffers = [bytes(b)[::-1] for b in msg["buffers"]]
    c.send({"echo": msg["content"]["data"], "buffers": len(buffers)}, buffers=buffers)
    print("printed by the callback")
c.on_msg(on_msg)
c.on_close(lambda msg: got.append("closed"))
"""


async def test_comms_both_ways_with_buffers(kernel: Kernel) -> None:
    from tnb.kernels.events import CommMessage

    heard: list[CommMessage] = []
    kernel.backend.register_comm_target("tnb.test", heard.append)
    events = await run(kernel.backend, _COMM_KERNEL_SIDE)
    assert only(events, ExecuteReply)[-1].status == "ok", events
    await until(lambda: heard)
    opened = heard[0]
    assert (opened.kind, opened.target_name, opened.data) == ("open", "tnb.test", {"hello": 1})
    assert opened.buffers == (b"abc",)
    assert await kernel.backend.comm_info("tnb.test") == {opened.comm_id: "tnb.test"}

    captured: list[KernelEvent] = []
    msg_id = await kernel.backend.comm_msg(opened.comm_id, {"n": 2}, buffers=[b"xyz"])
    kernel.backend.capture_output(msg_id, captured.append)
    await until(lambda: len(heard) > 1)
    echo = heard[1]
    assert (echo.kind, echo.data, echo.buffers) == (
        "msg",
        {"echo": {"n": 2}, "buffers": 1},
        (b"zyx",),
    )
    assert echo.parent_id == msg_id
    await until(lambda: stream_text(captured) == "printed by the callback\n")

    await kernel.backend.comm_close(opened.comm_id)
    async with asyncio.timeout(GUARD):
        while "closed" not in stream_text(await run(kernel.backend, "print(got)")):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert await kernel.backend.comm_info("tnb.test") == {}


async def test_a_comm_for_no_target_is_closed(kernel: Kernel) -> None:
    code = "from comm import create_comm\nc = create_comm(target_name='nobody.here')\nc.comm_id"
    result = only(await run(kernel.backend, code), ExecuteResult)[0]
    comm_id = str(result.data["text/plain"]).strip("'")
    async with asyncio.timeout(GUARD):
        while comm_id in await kernel.backend.comm_info():  # noqa: ASYNC110 (a request)
            await asyncio.sleep(0.05)


async def test_restart_closes_every_comm(kernel: Kernel) -> None:
    from tnb.kernels.events import CommMessage

    heard: list[CommMessage] = []
    kernel.backend.register_comm_target("tnb.test", heard.append)
    await run(kernel.backend, _COMM_KERNEL_SIDE)
    await until(lambda: heard)
    await kernel.backend.restart()
    assert [m.kind for m in heard] == ["open", "close"]
    assert heard[1].comm_id == heard[0].comm_id
