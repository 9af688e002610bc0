"""SVG snapshots of the kernel picker with fixed sample providers (local, server, server error)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.screenshots import sample_providers
from tests.ui.test_picker import PickerHost
from tnb.ui.screens import kernel_picker
from tnb.ui.screens.kernel_picker import KernelPickerScreen

SnapCompare = Callable[..., bool]
REFUSED = "cannot reach a server at http://127.0.0.1:8888/ (GET api: Connection refused)"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions say "active 5 min ago": make that the same on every run."""
    monkeypatch.setattr(kernel_picker, "_now", lambda: datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


async def loaded(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_local_only(snap_compare: SnapCompare) -> None:
    app = PickerHost(KernelPickerScreen(sample_providers(server=False)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded)


def test_local_and_server(snap_compare: SnapCompare) -> None:
    preferred = {"name": "julia-1.9", "display_name": "Julia 1.9", "language": "python"}
    app = PickerHost(KernelPickerScreen(sample_providers(), preferred=preferred))
    assert snap_compare(app, terminal_size=(100, 34), run_before=loaded)


def test_server_error(snap_compare: SnapCompare) -> None:
    app = PickerHost(KernelPickerScreen(sample_providers(server_error=REFUSED)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded)
