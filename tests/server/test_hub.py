"""JupyterHub: a hub URL and a hub token lead to the user's server, started when stopped."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.jupyterhub import (
    BROKEN_MESSAGE,
    BROKEN_SERVER,
    SLOW_SERVER,
    HubUserServer,
    JupyterHubService,
)
from tests.fixtures.kernelspecs import KernelSpecs
from tests.server.conftest import FAST, collect, stdout
from tnb.kernels.server.hub import hub_location
from tnb.kernels.server.provider import (
    HubAuthError,
    HubServer,
    HubServerStoppedError,
    HubSpawnFailedError,
    HubSpawnTimeoutError,
    HubStartPolicy,
    SpawnProgress,
    open_server_provider,
)
from tnb.kernels.server.url import parse_server_url

_TNB = str(Path(sys.executable).with_name("tnb"))


@pytest.mark.parametrize(
    ("url", "root", "user", "server"),
    [
        ("https://h/", "https://h/", None, ""),
        ("https://h/hub/home", "https://h/", None, ""),
        ("https://h/hub/spawn/alice", "https://h/", None, ""),
        ("https://h/user/alice/", "https://h/", "alice", ""),
        ("https://h/user/alice/gpu/lab?token=x", "https://h/", "alice", "gpu"),
        ("https://h/jhub/user/bob/", "https://h/jhub/", "bob", ""),
        ("https://h/jhub/hub/login", "https://h/jhub/", None, ""),
    ],
)
def test_hub_location(url: str, root: str, user: str | None, server: str) -> None:
    where = hub_location(parse_server_url(url))
    assert (where.root, where.user, where.server) == (root, user, server)


async def test_hub_root_leads_to_the_running_default_server(
    jupyterhub: JupyterHubService, hub_user_server: HubUserServer
) -> None:
    provider = await open_server_provider(jupyterhub.url, token=jupyterhub.user_token)
    try:
        assert provider.base_url == hub_user_server.url
        assert provider.name.startswith(f"JupyterHub {jupyterhub.user} ")
        assert any(c.kind == "spec" for c in await provider.list_choices())
    finally:
        await provider.close()


async def test_bad_hub_token(jupyterhub: JupyterHubService) -> None:
    with pytest.raises(HubAuthError, match="refused the token: give a hub API token"):
        await open_server_provider(jupyterhub.url + "hub/home", token="not-a-token")


async def test_stopped_server_is_offered_then_started_with_progress(
    jupyterhub: JupyterHubService, kernelspecs: KernelSpecs
) -> None:
    url = jupyterhub.server_url("later")
    # Without leave to start it: a distinct error naming the server; nothing started.
    with pytest.raises(HubServerStoppedError, match=r"alice/later .* is not running") as stopped:
        await open_server_provider(url, token=jupyterhub.user_token)
    assert stopped.value.server.name == "later"
    model = jupyterhub.server_model("later")
    assert model is None or not model.get("ready")
    offered: list[HubServer] = []
    events: list[SpawnProgress] = []

    async def confirm(server: HubServer) -> bool:
        offered.append(server)
        return True

    policy = HubStartPolicy(confirm=confirm, progress=events.append, timeout=180)
    provider = await open_server_provider(
        url, token=jupyterhub.user_token, hub=policy, options=FAST
    )
    try:
        assert [s.label for s in offered] == [f"{jupyterhub.user}/later"]
        assert events and events[-1].ready and events[-1].percent == 100
        assert provider.base_url == url
        choices = await provider.list_choices()
        choice = next(c for c in choices if c.kind == "spec" and c.name == kernelspecs.python)
        kernel = await provider.start(choice)
        try:
            assert stdout(await collect(kernel, "print('on the hub')")) == "on the hub\n"
        finally:
            await kernel.shutdown()
    finally:
        await provider.close()
        jupyterhub.stop_server("later")


async def test_spawn_failure_carries_the_hubs_message(jupyterhub: JupyterHubService) -> None:
    async def yes(server: HubServer) -> bool:
        return True

    with pytest.raises(HubSpawnFailedError, match=BROKEN_MESSAGE):
        await open_server_provider(
            jupyterhub.server_url(BROKEN_SERVER),
            token=jupyterhub.user_token,
            hub=HubStartPolicy(confirm=yes, timeout=120),
        )


async def test_spawn_timeout(jupyterhub: JupyterHubService) -> None:
    async def yes(server: HubServer) -> bool:
        return True

    events: list[SpawnProgress] = []
    try:
        with pytest.raises(HubSpawnTimeoutError, match=f"{SLOW_SERVER} was not ready within 3 s"):
            await open_server_provider(
                jupyterhub.server_url(SLOW_SERVER),
                token=jupyterhub.user_token,
                hub=HubStartPolicy(confirm=yes, progress=events.append, timeout=3),
            )
    finally:
        jupyterhub.stop_server(SLOW_SERVER)  # the hub cancels the pending spawn
    assert not any(e.ready for e in events)


def test_tnb_run_starts_a_stopped_hub_server(
    jupyterhub: JupyterHubService, kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    path = tmp_path / "hub.ipynb"
    cell = {"cell_type": "code", "id": "c1", "metadata": {}, "source": "print(2 + 3)"}
    spec = {"name": kernelspecs.python, "display_name": "x", "language": "python"}
    nb = {
        "cells": [cell | {"outputs": [], "execution_count": None}],
        "metadata": {"kernelspec": spec},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    try:
        done = subprocess.run(
            [_TNB, "run", str(path), "--server", jupyterhub.server_url("runner")],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
            env={**_env(), "JUPYTER_TOKEN": jupyterhub.user_token},
        )
    finally:
        jupyterhub.stop_server("runner")
    assert done.returncode == 0, done.stderr
    assert "your server alice/runner on the hub is not running; starting it" in done.stderr
    assert "tnb run: server: 100% Server ready at /user/alice/runner/" in done.stderr
    saved = json.loads(path.read_text())
    assert "".join(saved["cells"][0]["outputs"][0]["text"]) == "5\n"
    assert jupyterhub.user_token not in done.stderr


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


async def test_a_notebook_on_the_hub_server_runs_by_its_url_and_is_saved_back(
    hub_user_server: HubUserServer, kernelspecs: KernelSpecs
) -> None:
    from tnb.notebook.model import Notebook
    from tnb.notebook.remote import RemoteLocation
    from tnb.session.launch import LaunchOptions
    from tnb.session.server_files import ServerFiles

    options = LaunchOptions(server=hub_user_server.url, token=hub_user_server.token)
    files = await ServerFiles.connect(options)
    try:
        nb = Notebook.new()
        nb.cells[0].source = "print(6 * 7)"
        nb.metadata["kernelspec"] = {"name": kernelspecs.python, "display_name": "x"}
        nb.remote = RemoteLocation(hub_user_server.url, "hubrun.ipynb")
        await files.save(nb)
        url = f"{hub_user_server.url}lab/tree/hubrun.ipynb"
        done = await asyncio.to_thread(
            subprocess.run,
            [_TNB, "run", url],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
            env={**_env(), "JUPYTER_TOKEN": hub_user_server.token},
        )
        assert done.returncode == 0, done.stderr
        assert "saved http://127.0.0.1" in done.stderr and "/user/alice/hubrun.ipynb" in done.stderr
        ran = await files.open("hubrun.ipynb", missing_ok=False)
        assert isinstance(ran, Notebook)
        assert ran.cells[0].outputs[0].text == "42\n"
        assert hub_user_server.token not in done.stderr
    finally:
        await files.contents.delete("hubrun.ipynb")
        files.close()
