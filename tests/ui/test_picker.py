"""The kernel picker with real kernelspecs (python, bash) and a real jupyter_server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import OptionList

from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tests.screenshots import SAMPLE_SERVER, StaticProvider, sample_server_choices
from tests.ui.helpers import wait_for
from tnb.kernels.events import ExecuteResult
from tnb.kernels.protocol import KernelBackend, KernelConnectionError, KernelProvider
from tnb.kernels.server.provider import open_server_provider
from tnb.kernels.server.store import load_servers, remember_server, store_path
from tnb.session.sources import ProviderEntry, build_providers, local_entry, server_entry
from tnb.ui.screens.install_kernel import InstallKernelScreen
from tnb.ui.screens.kernel_picker import KernelPickerScreen, PickedKernel
from tnb.ui.screens.server_dialog import ServerDialog

UNSET = object()


class PickerHost(App[None]):
    """Shows one picker (or dialog) and keeps what it returned."""

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.start = screen
        self.result: Any = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.start, self.done)

    def done(self, result: Any) -> None:
        self.result = result


def picker(app: PickerHost) -> KernelPickerScreen:
    screen = app.screen
    assert isinstance(screen, KernelPickerScreen)
    return screen


def ids(app: PickerHost) -> list[str]:
    return [o.id or "" for o in picker(app).option_list.options]


def highlighted(app: PickerHost) -> str:
    option = picker(app).option_list.highlighted_option
    return option.id or "" if option else ""


def row_text(app: PickerHost, option_id: str) -> str:
    option = picker(app).option_list.get_option(option_id)
    return str(option.prompt)


async def run_sum(backend: KernelBackend) -> str:
    """Run 1+1 and return the result's text/plain."""
    results = [e async for e in backend.execute("1+1") if isinstance(e, ExecuteResult)]
    return str(results[0].data.get("text/plain")) if results else ""


@contextlib.contextmanager
def unanswering_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private tnb config folder: the remembered servers of one test only."""
    folder = tmp_path / "tnb-config"
    monkeypatch.setenv("TNB_CONFIG_DIR", str(folder))
    return folder


def both_sides(server: JupyterServer) -> list[ProviderEntry]:
    return [local_entry(None), server_entry(server.url, token=server.token)]


def server_key(server: JupyterServer, name: str) -> str:
    return f"c:1:server:{server.url}:spec:{name}"


async def close_all(entries: list[ProviderEntry]) -> None:
    for entry in entries:
        await entry.close()


# ----------------------------------------------------------------------------- the list


async def test_shows_local_and_server_kernels(
    kernelspecs: KernelSpecs, jupyter_server: JupyterServer
) -> None:
    entries = both_sides(jupyter_server)
    app = PickerHost(KernelPickerScreen(entries))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = ids(app)
        assert f"c:0:spec:{kernelspecs.python}" in shown
        assert kernelspecs.bash is not None
        assert f"c:0:spec:{kernelspecs.bash}" in shown
        assert server_key(jupyter_server, "python3") in shown
        assert "h:0:Local kernelspecs · raw" in shown
        assert any(i.startswith("h:1:") and "kernelspecs" in i for i in shown)
        assert "raw · bash" in row_text(app, f"c:0:spec:{kernelspecs.bash}")
        server_row = row_text(app, server_key(jupyter_server, "python3"))
        assert "server · python" in server_row
        assert jupyter_server.url.split("://")[1] in server_row
        assert jupyter_server.token not in "\n".join(row_text(app, i) for i in shown)
        assert shown[-1] == "add-server"
    await close_all(entries)


async def test_choosing_server_then_raw_runs_cells(
    kernelspecs: KernelSpecs, jupyter_server: JupyterServer
) -> None:
    entries = both_sides(jupyter_server)
    app = PickerHost(KernelPickerScreen(entries))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press(*"server python")
        await pilot.pause()
        assert highlighted(app) == server_key(jupyter_server, "python3")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
    picked = app.result
    assert isinstance(picked, PickedKernel)
    assert picked.choice.backend == "server" and picked.choice.name == "python3"
    backend = await picked.provider.start(picked.choice)
    try:
        assert await run_sum(backend) == "2"
    finally:
        await backend.shutdown()

    # Switching back: the same entries (the server stays open), a raw kernel this time.
    app = PickerHost(KernelPickerScreen(entries, preferred={"name": kernelspecs.python}))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert highlighted(app) == f"c:0:spec:{kernelspecs.python}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
    picked = app.result
    assert isinstance(picked, PickedKernel)
    assert picked.choice.backend == "raw" and picked.choice.name == kernelspecs.python
    backend = await picked.provider.start(picked.choice)
    try:
        assert await run_sum(backend) == "2"
    finally:
        await backend.shutdown()
    await close_all(entries)


async def test_dead_server_shows_its_error_and_local_stays_usable(
    kernelspecs: KernelSpecs,
) -> None:
    port = free_port()
    entries = [local_entry(None), server_entry(f"http://127.0.0.1:{port}/", token="t")]
    app = PickerHost(KernelPickerScreen(entries))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "e:1" in ids(app), "the server's error")
        error = row_text(app, "e:1")
        assert f"127.0.0.1:{port}" in error and "cannot reach" in error
        assert f"c:0:spec:{kernelspecs.python}" in ids(app)
        await pilot.press(*kernelspecs.python, "enter")
        await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
    assert isinstance(app.result, PickedKernel)
    assert app.result.choice.name == kernelspecs.python
    await close_all(entries)


async def test_enter_on_an_error_retries() -> None:
    attempts: list[int] = []

    async def flaky() -> KernelProvider:
        attempts.append(1)
        if len(attempts) == 1:
            raise KernelConnectionError("the server is down for a moment")
        return StaticProvider("later", sample_server_choices())

    entry = ProviderEntry("Jupyter server flaky", "server", opener=flaky, url=SAMPLE_SERVER)
    app = PickerHost(KernelPickerScreen([entry]))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "e:0" in ids(app), "the error")
        assert "down for a moment" in row_text(app, "e:0")
        assert highlighted(app) == "e:0"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(i.startswith("c:0:") for i in ids(app)), "the retry")
        assert len(attempts) == 2 and "e:0" not in ids(app)


async def test_slow_server_does_not_delay_the_local_list(kernelspecs: KernelSpecs) -> None:
    with unanswering_port() as port:
        entries = [local_entry(None), server_entry(f"http://127.0.0.1:{port}/", token="t")]
        app = PickerHost(KernelPickerScreen(entries))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(
                pilot, lambda: f"c:0:spec:{kernelspecs.python}" in ids(app), "the local list"
            )
            assert "w:1" in ids(app)
            assert "connecting…" in row_text(app, "w:1")
            assert picker(app).listing
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.result is not UNSET, "the cancel")
        assert app.result is None
        await close_all(entries)


async def test_unavailable_row_says_why_and_is_not_chosen(tmp_path: Path) -> None:
    # An environment beside the notebook whose interpreter has no ipykernel.
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")
    (venv / "bin" / "python").chmod(0o755)
    entries = [local_entry(tmp_path)]
    app = PickerHost(KernelPickerScreen(entries, notebook_path=tmp_path / "nb.ipynb"))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        row = f"c:0:env:{venv}"
        assert row in ids(app)
        text = " ".join(row_text(app, row).split())  # long paths wrap onto more lines
        assert "ipykernel is not installed" in text
        # A long path wraps anywhere (even after "bin/"): compare without the spaces.
        fix = f"fix: {venv}/bin/python -m pip install ipykernel"
        assert "".join(fix.split()) in "".join(text.split())
        picker(app)._select_id(row)
        await pilot.press("enter")  # asks to install ipykernel, runs nothing yet
        await wait_for(pilot, lambda: isinstance(app.screen, InstallKernelScreen), "the offer")
        assert f"{venv}/bin/python -m pip install" in str(
            app.screen.query_one("#install-question").render()
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        assert app.result is UNSET
        assert not (venv / "lib").exists()  # nothing was installed


@pytest.fixture
def running_kernel(jupyter_home: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """An ipykernel started outside tnb, its connection file in the Jupyter runtime dir."""
    connection = jupyter_home / "runtime" / "kernel-tnb-picker-test.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "ipykernel_launcher", "-f", str(connection)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):  # hang guard: the kernel writes its file once it listens
            if connection.exists() and connection.stat().st_size:
                break
            time.sleep(0.05)
        yield connection, process
    finally:
        process.terminate()
        process.wait(timeout=30)
        connection.unlink(missing_ok=True)


async def test_running_local_kernel_is_listed_and_attached(
    kernelspecs: KernelSpecs, running_kernel: tuple[Path, subprocess.Popen[bytes]]
) -> None:
    connection, process = running_kernel
    app = PickerHost(KernelPickerScreen([local_entry(None)]))
    row = f"c:0:running:{connection}"
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "h:0:Running local kernels · raw, attach" in ids(app)
        assert "raw · attach" in row_text(app, row)
        picker(app)._select_id(row)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
    picked = app.result
    assert isinstance(picked, PickedKernel) and picked.choice.kind == "running"
    backend = await picked.provider.start(picked.choice)
    try:
        assert await run_sum(backend) == "2"
    finally:
        await backend.shutdown()
    assert process.poll() is None  # attached, so never killed by tnb


async def test_server_session_is_listed_with_its_path(
    kernelspecs: KernelSpecs, jupyter_server: JupyterServer
) -> None:
    owner = await open_server_provider(jupyter_server.url, token=jupyter_server.token)
    spec = next(c for c in await owner.list_choices() if c.kind == "spec" and c.name == "python3")
    kernel = await owner.start_for_notebook(spec, "picker/session.ipynb")
    entries = [server_entry(jupyter_server.url, token=jupyter_server.token)]
    try:
        app = PickerHost(KernelPickerScreen(entries))
        async with app.run_test(size=(100, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            row = f"c:0:server:{jupyter_server.url}:session:{kernel.kernel_id}"
            assert row in ids(app)
            assert "picker/session.ipynb" in row_text(app, row)
            assert "server · python · attach" in row_text(app, row)
            picker(app)._select_id(row)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
        picked = app.result
        assert isinstance(picked, PickedKernel) and picked.choice.kind == "session"
        attached = await picked.provider.start(picked.choice)
        try:
            assert await run_sum(attached) == "2"
        finally:
            await attached.shutdown()
    finally:
        await kernel.shutdown()
        await owner.close()
        await close_all(entries)


# ----------------------------------------------------------------------------- preferred kernel


async def test_preferred_kernel_is_preselected(kernelspecs: KernelSpecs) -> None:
    assert kernelspecs.bash is not None
    app = PickerHost(
        KernelPickerScreen([local_entry(None)], preferred={"name": "bash", "language": "bash"})
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert highlighted(app) == "c:0:spec:bash"
        assert picker(app).message == ""


async def test_missing_kernel_proposes_same_language(kernelspecs: KernelSpecs) -> None:
    preferred = {"name": "julia-1.9", "display_name": "Julia 1.9", "language": "bash"}
    app = PickerHost(KernelPickerScreen([local_entry(None)], preferred=preferred))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = picker(app).message
        assert "'Julia 1.9' (julia-1.9) is not available here" in message
        assert "Closest match (bash): Bash" in message
        assert highlighted(app) == "c:0:spec:bash"


async def test_missing_kernel_without_a_match_says_so(kernelspecs: KernelSpecs) -> None:
    preferred = {"name": "ir", "display_name": "R", "language": "R"}
    app = PickerHost(KernelPickerScreen([local_entry(None)], preferred=preferred))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "No R kernel found" in picker(app).message


async def test_missing_kernel_while_a_server_connects(kernelspecs: KernelSpecs) -> None:
    preferred = {"name": "julia-1.9", "language": "python"}
    with unanswering_port() as port:
        entries = [local_entry(None), server_entry(f"http://127.0.0.1:{port}/", token="t")]
        screen = KernelPickerScreen(entries, preferred=preferred, note="Pick a kernel to run.")
        app = PickerHost(screen)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "not available" in screen.message, "the notice")
            assert "still looking on 1 more source" in screen.message
            shown = str(screen.query_one("#picker-message").render())
            assert "Pick a kernel to run." in shown and "julia-1.9" in shown
            assert highlighted(app).startswith("c:0:")
        await close_all(entries)


# ----------------------------------------------------------------------------- keys and mouse


async def test_keys_filter_move_and_cancel(kernelspecs: KernelSpecs) -> None:
    app = PickerHost(KernelPickerScreen([local_entry(None)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = picker(app)
        await pilot.press("slash")
        assert screen.focused is screen.filter_input
        await pilot.press(*"message interrupt")
        await pilot.pause()
        choices = [i for i in ids(app) if i.startswith("c:")]
        assert choices == [f"c:0:spec:{kernelspecs.python_message}"]
        assert highlighted(app) == choices[0]
        await pilot.press("ctrl+u")  # Input: delete to the start
        await pilot.pause()
        first = highlighted(app)
        await pilot.press("down")  # the filter box has focus: arrows still move the list
        assert highlighted(app) != first
        await pilot.press("up")
        assert highlighted(app) == first
        await pilot.press(*"zzz-nothing")
        await pilot.pause()
        assert "none" in ids(app)
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert screen.filter_input.value == ""
        assert f"c:0:spec:{kernelspecs.python}" in ids(app)
        assert app.result is UNSET
        await pilot.press("escape")  # closes
        await wait_for(pilot, lambda: app.result is not UNSET, "the cancel")
    assert app.result is None


async def test_mouse_click_chooses(kernelspecs: KernelSpecs) -> None:
    app = PickerHost(KernelPickerScreen([local_entry(None)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press(*kernelspecs.python)
        await pilot.pause()
        option_list = picker(app).option_list
        target = option_list.get_option_index(f"c:0:spec:{kernelspecs.python}")
        # Rows are one line each here (all available): its line is its index.
        await pilot.click(OptionList, offset=(4, target))
        await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
    assert isinstance(app.result, PickedKernel)
    assert app.result.choice.name == kernelspecs.python


# ----------------------------------------------------------------------------- add a server


async def test_wrong_token_is_refused_clearly(
    jupyter_server: JupyterServer, own_config: Path
) -> None:
    app = PickerHost(ServerDialog())
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, ServerDialog)
        await pilot.press(*jupyter_server.url, "enter")
        await pilot.press(*"not-the-token", "enter")
        await wait_for(pilot, lambda: "refused" in dialog.status, "the refusal")
        assert "The server refused this token" in dialog.status
        assert "not-the-token" not in dialog.status
        assert app.screen is dialog and app.result is UNSET
        assert load_servers() == []


async def test_no_token_asks_for_one(jupyter_server: JupyterServer, own_config: Path) -> None:
    app = PickerHost(ServerDialog(jupyter_server.url))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, ServerDialog)
        await pilot.click("#connect")
        await wait_for(pilot, lambda: "token" in dialog.status, "the refusal")
        assert "needs a token" in dialog.status


async def test_bad_url_is_refused_before_connecting(own_config: Path) -> None:
    app = PickerHost(ServerDialog("ftp://example.org/"))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, ServerDialog)
        await pilot.click("#connect")
        await pilot.pause()
        assert "Not a server URL" in dialog.status and "http" in dialog.status


async def test_add_server_from_picker(
    kernelspecs: KernelSpecs, jupyter_server: JupyterServer, own_config: Path
) -> None:
    entries = [local_entry(None)]
    app = PickerHost(KernelPickerScreen(entries))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("slash", "end", "escape")  # focus back on the list
        picker(app)._select_id("add-server")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServerDialog), "the dialog")
        # What the server printed, token included; keep the token on purpose.
        await pilot.press(*jupyter_server.url_with_token("lab"))
        await pilot.click("#server-remember-token")
        await pilot.click("#connect")
        key = f"c:1:server:{jupyter_server.url}:spec:python3"
        await wait_for(pilot, lambda: key in ids(app), "the added server's kernels")
        assert highlighted(app).startswith("c:1:server:")  # the new server's first kernel
        assert len(entries) == 2 and entries[1].url == jupyter_server.url
    remembered = load_servers()
    assert [s.url for s in remembered] == [jupyter_server.url]
    assert remembered[0].token == jupyter_server.token
    assert stat.S_IMODE(store_path().stat().st_mode) == 0o600
    await close_all(entries)


async def test_added_server_token_not_kept_unless_asked(
    jupyter_server: JupyterServer, own_config: Path
) -> None:
    app = PickerHost(ServerDialog(jupyter_server.url_with_token()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#connect")
        await wait_for(pilot, lambda: app.result is not UNSET, "the connection")
    added = app.result
    assert added is not None and added.url == jupyter_server.url
    await added.provider.close()
    assert [(s.url, s.token) for s in load_servers()] == [(jupyter_server.url, None)]
    assert jupyter_server.token not in store_path().read_text()


# ----------------------------------------------------------------------------- build_providers


async def test_build_providers_is_lazy_and_deduplicated(own_config: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/"
    remember_server(dead)
    remember_server("http://127.0.0.1:9/other/", token="kept")
    args = argparse.Namespace(server=dead + "lab?token=secret", token=None, ca_bundle=None)
    entries = build_providers(args, None)  # connects to nothing: it must not raise
    assert [e.backend for e in entries] == ["raw", "server", "server"]
    assert [e.url for e in entries[1:]] == [dead, "http://127.0.0.1:9/other/"]
    assert all("secret" not in e.label for e in entries)
    assert entries[0].opened is not None and entries[1].opened is None
    with pytest.raises(Exception, match="cannot reach"):
        await asyncio.wait_for(entries[1].list_choices(), timeout=60)
    assert entries[1].opened is None  # a failed open is tried again next time


async def test_a_remembered_server_without_its_token_asks_for_it(
    jupyter_server: JupyterServer, own_config: Path
) -> None:
    entries = [server_entry(jupyter_server.url)]  # remembered without the token
    app = PickerHost(KernelPickerScreen(entries))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "e:0" in ids(app), "the refusal")
        assert "enter: type its token" in row_text(app, "e:0")
        picker(app)._select_id("e:0")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServerDialog), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, ServerDialog) and dialog.initial_url == jupyter_server.url
        await pilot.press(*jupyter_server.token, "enter")
        key = f"c:0:server:{jupyter_server.url}:spec:python3"
        await wait_for(pilot, lambda: key in ids(app), "the server's kernels")
        assert len(entries) == 1 and entries[0].opened is not None
        assert jupyter_server.token not in "\n".join(row_text(app, i) for i in ids(app))
    await close_all(entries)


class GatedEntry(ProviderEntry):
    """The local kernels, listed only once the test opens the gate (a slow, loaded machine)."""

    def __init__(self, entry: ProviderEntry) -> None:
        super().__init__(entry.label, entry.backend, provider=entry.opened)
        self.gate = asyncio.Event()

    async def list_choices(self) -> Any:
        await self.gate.wait()
        return await super().list_choices()


async def test_typing_before_the_kernels_are_listed_keeps_enter_on_a_kernel(
    kernelspecs: KernelSpecs,
) -> None:
    """Filtering while the list loads leaves the highlight on the first match once it arrives,
    never on "Add a Jupyter server" (CI typed "bash" and enter opened the server dialog)."""
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel could not be installed")
    entry = GatedEntry(local_entry(None))
    app = PickerHost(KernelPickerScreen([entry]))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "w:0" in ids(app), "the loading row")
        await pilot.press(*"bash")
        await wait_for(pilot, lambda: picker(app).filter_input.value == "bash", "the filter")
        assert not highlighted(app).startswith("c:")  # nothing to choose yet
        entry.gate.set()
        wanted = f"c:0:spec:{kernelspecs.bash}"
        await wait_for(pilot, lambda: wanted in ids(app), "the bash kernel")
        await pilot.pause()
        assert highlighted(app) == wanted
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
        assert not isinstance(app.screen, ServerDialog)
    assert isinstance(app.result, PickedKernel)
    assert app.result.choice.name == kernelspecs.bash
