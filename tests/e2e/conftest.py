"""Fixtures of the end-to-end tests: private tmux servers, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.tmux import Tmux


@pytest.fixture
def tmux_factory() -> Iterator[list[Tmux]]:
    """The tmux servers a test started (``start`` appends to it); all killed afterwards."""
    sessions: list[Tmux] = []
    yield sessions
    for session in sessions:
        session.kill()
