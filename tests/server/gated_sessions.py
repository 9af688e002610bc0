"""A session manager for a test server that holds `GET /api/sessions` while a file exists.

Loaded by the jupyter_server subprocess (``--ServerApp.session_manager_class``), never by tests.
Both `tnb kernels` and `tnb run` list the server's sessions, so a test can look at a running
tnb at a moment it chose (long after start-up) instead of racing a short-lived process.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

from jupyter_server.services.sessions.sessionmanager import SessionManager

GATE_ENV = "TNB_TEST_SESSIONS_GATE"


class GatedSessionManager(SessionManager):
    """Leaves ``asked-*`` in the gate folder, then answers once ``hold`` is gone from it."""

    async def list_sessions(self) -> Any:
        gate = Path(os.environ[GATE_ENV])
        (gate / f"asked-{uuid.uuid4().hex}").touch()
        # Polling a file: the test process has no way to set an asyncio.Event in here.
        while (gate / "hold").exists():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        return await super().list_sessions()  # type: ignore[no-untyped-call]
