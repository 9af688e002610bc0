"""The app's kernel wiring: why the picker opened, servers added in it, server session paths."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tests.ui.helpers import wait_for
from tnb.kernels.server.provider import open_server_provider
from tnb.kernels.starting import server_session_path
from tnb.notebook.model import Cell, Notebook
from tnb.session.kernel_session import KernelSession, UiHooks
from tnb.ui.app import TnbApp
from tnb.ui.kernel_actions import PICKER_NOTES
from tnb.ui.screens.kernel_picker import KernelPickerScreen
from tnb.ui.screens.server_dialog import ServerDialog

SIZE = (100, 40)

pytestmark = pytest.mark.timeout(180)


def kernel_args(name: str = "", *, pick: bool = False) -> argparse.Namespace:
    return argparse.Namespace(
        kernel=name, server=None, token=None, ca_bundle=None, existing=None, transport=None,
        env=[], pick=pick,
    )  # fmt: skip


def the_picker(app: TnbApp) -> KernelPickerScreen:
    screen = app.screen
    assert isinstance(screen, KernelPickerScreen)
    return screen


@pytest.fixture
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No remembered servers but those a test adds."""
    folder = tmp_path / "tnb-config"
    monkeypatch.setenv("TNB_CONFIG_DIR", str(folder))
    return folder


# ----------------------------------------------------------------------------- the note


@pytest.mark.parametrize(
    ("case", "kind"),
    [("new", "new"), ("missing", "missing"), ("pick", "pick"), ("unnamed", "no-kernel")],
)
async def test_the_picker_says_why_it_opened(
    kernelspecs: KernelSpecs, own_config: Path, tmp_path: Path, case: str, kind: Any
) -> None:
    path = tmp_path / "nb.ipynb"
    if case == "new":
        nb = Notebook.new(path)
    else:
        spec = {"name": "no-such-kernel", "display_name": "Gone", "language": "python"}
        named = {"kernelspec": spec} if case == "missing" else {}
        if case == "pick":
            named = {"kernelspec": {"name": kernelspecs.python, "language": "python"}}
        nb = Notebook(cells=[Cell.new("code", "1")], metadata=named, path=path)
    app = TnbApp(nb, kernel_args=kernel_args(pick=case == "pick"), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        picker = the_picker(app)
        assert picker.note == PICKER_NOTES[kind]
        await wait_for(pilot, lambda: not picker.listing, "the local list")
        shown = str(picker.query_one("#picker-message").render())
        assert PICKER_NOTES[kind] in shown
        if case == "missing":
            assert "'Gone' (no-such-kernel) is not available here" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.notebook_screen is app.screen, "the notebook")
        assert app.kernels.backend is None  # cancelled: nothing started


async def test_change_kernel_names_the_kernel_it_replaces(kernelspecs: KernelSpecs) -> None:
    nb = Notebook(cells=[Cell.new("code", "1")])
    app = TnbApp(nb, kernel_args=kernel_args(kernelspecs.python), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.kernels.status == "idle", "the kernel")
        screen = app.notebook_screen
        assert screen is not None
        screen.action_change_kernel()
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        assert the_picker(app).note == "Choosing one replaces tnb test Python."


# ----------------------------------------------------------------------------- added servers


async def test_a_server_added_in_the_picker_is_used_then_closed_and_kept_out_of_the_file(
    kernelspecs: KernelSpecs, jupyter_server: JupyterServer, own_config: Path, tmp_path: Path
) -> None:
    path = tmp_path / "remote.ipynb"
    nb = Notebook.new(path)
    nb.cells[0].source = "import os\nprint('ran', 'remotely')"
    app = TnbApp(nb, kernel_args=kernel_args(), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        picker = the_picker(app)
        await wait_for(pilot, lambda: not picker.listing, "the local list")
        await pilot.pause()
        picker.option_list.focus()
        await pilot.press("end")  # "Add a Jupyter server…" is the last row
        await pilot.pause()
        highlighted = picker.option_list.highlighted_option
        assert highlighted is not None and highlighted.id == "add-server"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServerDialog), "the dialog")
        await pilot.press(*jupyter_server.url_with_token("lab"), "enter")
        key = f"c:1:server:{jupyter_server.url}:spec:python3"
        await wait_for(
            pilot,
            lambda: app.screen is picker and key in [o.id for o in picker.option_list.options],
            "the added server's kernels",
        )
        await pilot.press(*"server python3")
        await pilot.pause()
        highlighted = picker.option_list.highlighted_option
        assert highlighted is not None and highlighted.id == key
        added = picker.entries[1]
        assert added.opened is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.kernels.status == "idle", "the server kernel")
        assert app.kernels.backend is not None
        assert app.kernels.backend.choice.backend == "server"
        await pilot.press("ctrl+r")
        cell = nb.cells[0]
        await wait_for(pilot, lambda: bool(cell.outputs), "the output")
        await wait_for(pilot, lambda: app.kernels.status == "idle", "the end of the cell")
        await pilot.press("ctrl+s")
        await pilot.pause()
    # The bug: servers added after the picker opened were never closed.
    assert added.opened is None
    text = path.read_text(encoding="utf-8")
    assert jupyter_server.token not in text
    assert jupyter_server.url not in text and str(jupyter_server.port) not in text
    saved = json.loads(text)
    assert saved["metadata"]["kernelspec"]["name"] == "python3"
    assert saved["metadata"]["kernelspec"]["language"] == "python"
    assert "ran remotely" in "".join(saved["cells"][0]["outputs"][0]["text"])


# ----------------------------------------------------------------------------- session paths


def test_session_paths_are_per_notebook_and_stable(tmp_path: Path) -> None:
    first = server_session_path(tmp_path / "a" / "analysis.ipynb")
    second = server_session_path(tmp_path / "b" / "analysis.ipynb")
    assert first != second
    assert first.startswith("tnb/analysis-") and first.endswith(".ipynb")
    assert server_session_path(tmp_path / "a" / ".." / "a" / "analysis.ipynb") == first
    assert server_session_path(None) != server_session_path(None)


def _quiet_hooks() -> UiHooks:
    async def no_input(request: Any) -> str:
        return ""

    return UiHooks(
        status_changed=lambda: None,
        runs_changed=lambda cells: None,
        cell_changed=lambda cell: None,
        cell_finished=lambda result: None,
        ask_input=no_input,
    )


async def test_same_named_notebooks_get_their_own_server_sessions(
    jupyter_server: JupyterServer, tmp_path: Path
) -> None:
    provider = await open_server_provider(jupyter_server.url, token=jupyter_server.token)
    controllers: list[KernelSession] = []

    def controller(folder: str) -> KernelSession:
        nb = Notebook(cells=[Cell.new("code", "1")], path=tmp_path / folder / "same.ipynb")
        made = KernelSession(nb, _quiet_hooks())
        controllers.append(made)
        return made

    try:
        choices = await provider.list_choices()
        spec = next(c for c in choices if c.kind == "spec" and c.name == "python3")
        first, other = controller("one"), controller("two")
        await first.switch(provider, spec)
        await other.switch(provider, spec)
        assert first.backend is not None and other.backend is not None
        ids = [getattr(c.backend, "kernel_id", None) for c in (first, other)]
        assert ids[0] and ids[1] and ids[0] != ids[1]
        listed = await provider.list_choices()
        sessions = {str(c.details.get("path")) for c in listed if c.kind == "session"}
        assert server_session_path(tmp_path / "one" / "same.ipynb") in sessions
        assert server_session_path(tmp_path / "two" / "same.ipynb") in sessions

        # Reopening the first notebook re-attaches to its kernel.
        again = controller("one")
        await again.switch(provider, spec)
        assert again.backend is not None
        assert getattr(again.backend, "kernel_id", None) == ids[0]
    finally:
        for made in reversed(controllers):  # the attached one first: it deletes nothing
            await made.shutdown()
        await provider.close()


# ----------------------------------------------------------------------------- status


async def test_the_kernel_language_drives_highlighting_and_the_status(
    kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    if kernelspecs.bash is None:
        pytest.skip("bash_kernel could not be installed")
    nb = Notebook.new(tmp_path / "shell.ipynb")
    nb.cells[0].source = "echo hi"
    app = TnbApp(nb, kernel_args=kernel_args(kernelspecs.bash), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.notebook_screen
        assert screen is not None and screen.language == "python"  # nothing known yet
        await wait_for(pilot, lambda: app.kernels.status == "idle", "the bash kernel")
        await pilot.pause()
        assert screen.language == "bash" and screen.view.language == "bash"
        assert "· bash · Bash · raw · idle" in str(screen.query_one("#status").render())


async def test_a_kernel_that_cannot_start_says_so_in_the_status(
    kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    nb = Notebook.new(tmp_path / "nb.ipynb")
    app = TnbApp(nb, kernel_args=kernel_args("no-such-kernel"), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.notebook_screen
        assert screen is not None
        await wait_for(pilot, lambda: "kernel failed" in screen.kernel_label, "the failure")
        assert app.kernels.failure is not None and "no-such-kernel" in app.kernels.failure


async def test_the_selected_cell_output_stays_in_view_as_it_grows(
    kernelspecs: KernelSpecs,
) -> None:
    from tests.ui.helpers import view_text

    code = (
        "import time\nfor i in range(40):\n    print(f'line {i}', flush=True)\n    time.sleep(0.01)"
    )
    nb = Notebook(cells=[Cell.new("code", code)])
    app = TnbApp(nb, kernel_args=kernel_args(kernelspecs.python), start_kernel=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.kernels.status == "idle", "the kernel")
        await pilot.press("ctrl+r")
        runner = app.kernels.runner
        assert runner is not None
        await wait_for(
            pilot,
            lambda: (
                "line 39" in "".join(o.text or "" for o in nb.cells[0].outputs)
                and runner.running is None
            ),
            "the output",
        )
        # The end, as a terminal shows it (40 lines scroll in their own region here, which
        # followed the output as it grew).
        await wait_for(pilot, lambda: "line 39" in view_text(app), "the view to follow")


async def test_reopening_starts_the_environment_the_notebook_last_ran_on(
    kernelspecs: KernelSpecs, own_config: Path, tmp_path: Path
) -> None:
    from tests.kernels.test_raw import _fake_env
    from tnb.kernels.raw.provider import LocalProvider
    from tnb.session.memory import remember

    # Without the memory, a notebook naming python3 starts the python3 kernelspec, even with a
    # .venv beside it (the kernel named in the notebook comes first).
    project = tmp_path / "project"
    project.mkdir()
    venv = _fake_env(project / ".venv")
    path = project / "nb.ipynb"
    choices = await LocalProvider(notebook_dir=project).list_choices()
    env = next(c for c in choices if c.kind == "environment" and c.location.startswith(str(venv)))
    remember(path, env)  # as a run on it did; the file says python3, as tnb saved it
    spec = {"name": "python3", "display_name": env.display_name, "language": "python"}
    nb = Notebook(cells=[Cell.new("code", "1")], metadata={"kernelspec": spec}, path=path)
    app = TnbApp(nb, kernel_args=kernel_args(), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.kernels.backend is not None, "a kernel")
        backend: Any = app.kernels.backend
        assert backend.choice.key == env.key


async def test_a_raw_kernel_is_told_the_notebook_it_runs(
    kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    """JPY_SESSION_NAME, as Jupyter sets it (ipykernel's ``__session__``): in the app as in
    ``tnb run``, one start path for both."""
    from tnb.kernels.events import Stream

    path = tmp_path / "told.ipynb"
    nb = Notebook(cells=[Cell.new("code", "1")], path=path)
    app = TnbApp(nb, kernel_args=kernel_args(kernelspecs.python), start_kernel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.kernels.status == "idle", "the kernel")
        backend = app.kernels.backend
        assert backend is not None
        code = "import os; print(os.environ.get('JPY_SESSION_NAME'))"
        events = [e async for e in backend.execute(code)]
    printed = "".join(e.text for e in events if isinstance(e, Stream))
    assert printed.strip() == str(path.resolve())
