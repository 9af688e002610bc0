"""An environment without ipykernel: the picker offers to install it, for real, then runs there."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.helpers import wait_for
from tests.ui.test_picker import UNSET, PickerHost, ids, picker
from tnb.kernels.events import ExecuteResult, Stream
from tnb.session.sources import local_entry
from tnb.ui.screens.install_kernel import InstallKernelScreen
from tnb.ui.screens.kernel_picker import KernelPickerScreen, PickedKernel

pytestmark = pytest.mark.timeout(400)


async def offer_install(pilot: Pilot[Any], app: PickerHost, venv: Path) -> InstallKernelScreen:
    """Enter on ``venv``'s row once it is listed: the install offer, nothing run yet."""
    row = f"c:0:env:{venv}"
    await wait_for(pilot, lambda: row in ids(app), "the environment's row")
    picker(app)._select_id(row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, InstallKernelScreen), "the offer")
    dialog = app.screen
    assert isinstance(dialog, InstallKernelScreen)
    return dialog


async def test_install_ipykernel_when_asked_then_run_in_that_environment(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    made = await asyncio.create_subprocess_exec(sys.executable, "-m", "venv", str(venv))
    assert await made.wait() == 0
    entries = [local_entry(tmp_path)]
    app = PickerHost(KernelPickerScreen(entries, notebook_path=tmp_path / "nb.ipynb"))
    async with app.run_test(size=(110, 40)) as pilot:
        dialog = await offer_install(pilot, app, venv)
        await pilot.press("enter")  # install: pip's output shows as it comes
        await wait_for(
            pilot,
            lambda: app.result is not UNSET or dialog.failure is not None,
            "the installer",
            guard=300,
        )
        assert dialog.failure is None, dialog.failure
    result = app.result
    assert isinstance(result, PickedKernel) and result.choice.available
    assert list(venv.glob("lib/python3*/site-packages/ipykernel"))
    backend = await result.provider.start(result.choice)
    try:
        events = [e async for e in backend.execute("import sys; print(sys.prefix); 6 * 7")]
    finally:
        await backend.shutdown()
    printed = "".join(e.text for e in events if isinstance(e, Stream)).strip()
    assert Path(printed) == venv  # sys.prefix of a venv is its folder
    assert [e.data["text/plain"] for e in events if isinstance(e, ExecuteResult)] == ["42"]


async def test_a_failing_install_shows_the_installers_words_and_keeps_the_picker(
    tmp_path: Path,
) -> None:
    # An environment whose "python" is a script that fails as pip would, with its message.
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "python").write_text(
        "#!/bin/sh\necho 'ERROR: No matching distribution found for ipykernel' >&2\nexit 1\n"
    )
    (venv / "bin" / "python").chmod(0o755)
    app = PickerHost(KernelPickerScreen([local_entry(tmp_path)]))
    async with app.run_test(size=(110, 40)) as pilot:
        dialog = await offer_install(pilot, app, venv)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.failure is not None, "the failure")
        assert "No matching distribution found for ipykernel" in (dialog.failure or "")
        shown = str(dialog.query_one("#install-question").render())
        assert "No matching distribution found" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, KernelPickerScreen), "the picker")
        assert app.result is UNSET
