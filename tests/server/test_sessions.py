"""Sessions: a notebook's kernel is created once, re-attached later, never deleted by attachers."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.fixtures.jupyter_server import JupyterServer
from tests.server.conftest import FAST, collect, python_choice, stdout
from tnb.kernels.server.provider import ServerProvider, UnknownKernelSpecError, open_server_provider
from tnb.kernels.server.rest import ServerClient
from tnb.kernels.server.url import parse_server_url

pytestmark = pytest.mark.timeout(180)


async def _rest(server: JupyterServer, path: str) -> list[dict[str, object]]:
    client = ServerClient(parse_server_url(server.url), server.token)
    try:
        result = await client.call(path)
        assert isinstance(result, list)
        return result
    finally:
        client.close()


async def test_notebook_session_create_reattach_and_cleanup(
    provider: ServerProvider, jupyter_server: JupyterServer
) -> None:
    path = "work/reattach.ipynb"
    owner = await provider.start_for_notebook(await python_choice(provider), path)
    assert owner.owned and owner.owns_session
    await collect(owner, "secret_value = 1234")

    sessions = [c for c in await provider.list_choices() if c.kind == "session"]
    mine = next(c for c in sessions if c.details["path"] == path)
    assert mine.name == owner.kernel_id
    assert mine.details["kernel_name"] == "python3"
    assert mine.details["state"] in ("idle", "busy")
    assert mine.details["last_activity"]
    assert int(mine.details["connections"]) >= 1
    assert all(
        c.name != owner.kernel_id for c in await provider.list_choices() if c.kind == "running"
    )

    # Opening the same notebook again (another tnb, another provider) re-attaches.
    second = await open_server_provider(
        jupyter_server.url, token=jupyter_server.token, options=FAST
    )
    attached = await second.start_for_notebook(await python_choice(second), "/" + path)
    assert attached.kernel_id == owner.kernel_id
    assert not attached.owned
    assert stdout(await collect(attached, "print(secret_value)")) == "1234\n"
    await attached.shutdown()
    await second.close()
    assert any(s["path"] == path for s in await _rest(jupyter_server, "api/sessions"))
    assert stdout(await collect(owner, "print(secret_value + 1)")) == "1235\n"

    await owner.shutdown()
    await owner.shutdown()  # idempotent
    assert not any(s["path"] == path for s in await _rest(jupyter_server, "api/sessions"))
    assert not any(k["id"] == owner.kernel_id for k in await _rest(jupyter_server, "api/kernels"))


async def test_attach_to_running_kernel_never_deletes_it(
    provider: ServerProvider, jupyter_server: JupyterServer
) -> None:
    started = await provider.start(await python_choice(provider))
    running = next(
        c
        for c in await provider.list_choices()
        if c.kind == "running" and c.name == started.kernel_id
    )
    assert running.location == jupyter_server.url
    attached = await provider.start(running)
    assert not attached.owned
    assert stdout(await collect(attached, "print('shared')")) == "shared\n"
    await attached.shutdown()
    assert any(k["id"] == started.kernel_id for k in await _rest(jupyter_server, "api/kernels"))
    await started.shutdown()
    assert not any(k["id"] == started.kernel_id for k in await _rest(jupyter_server, "api/kernels"))


async def test_session_around_a_running_kernel_is_not_ours(
    provider: ServerProvider, jupyter_server: JupyterServer
) -> None:
    started = await provider.start(await python_choice(provider))
    running = next(c for c in await provider.list_choices() if c.name == started.kernel_id)
    attached = await provider.start_for_notebook(running, "other.ipynb")
    assert attached.kernel_id == started.kernel_id
    assert not attached.owned
    await attached.shutdown()
    assert any(k["id"] == started.kernel_id for k in await _rest(jupyter_server, "api/kernels"))
    await started.shutdown()


async def test_detach_leaves_a_started_kernel_running(
    provider: ServerProvider, jupyter_server: JupyterServer
) -> None:
    kernel = await provider.start_for_notebook(await python_choice(provider), "keep.ipynb")
    await kernel.detach()
    assert any(s["path"] == "keep.ipynb" for s in await _rest(jupyter_server, "api/sessions"))
    again = await provider.start_for_notebook(await python_choice(provider), "keep.ipynb")
    assert again.kernel_id == kernel.kernel_id
    again.owned = True  # the user takes it back to clean up
    again.owns_session = True
    await again.shutdown()
    await asyncio.sleep(0)
    assert not any(s["path"] == "keep.ipynb" for s in await _rest(jupyter_server, "api/sessions"))


async def test_unknown_kernelspec_for_a_notebook(provider: ServerProvider) -> None:
    choice = dataclasses.replace(await python_choice(provider), name="no-such-kernel")
    with pytest.raises(UnknownKernelSpecError, match="python3"):
        await provider.start_for_notebook(choice, "unknown.ipynb")
