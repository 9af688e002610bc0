"""Snapshot tests see a steady cursor: a blink that lands mid-capture is not a regression."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea


@pytest.fixture(autouse=True)
def steady_cursor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a loaded machine typing takes longer than the 0.5 s blink, so the cursor's phase
    at capture time is chance; snapshots hold it visible (it is visible when typing stops)."""
    if "snap_compare" not in request.fixturenames:
        return
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
