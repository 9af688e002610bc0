"""The token never shows: not in errors, reprs, choices, logs, printed output or saved files."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from tests.fixtures.jupyter_server import JupyterServer, JupyterServerFactory
from tests.server.conftest import FAST, collect, python_choice
from tnb.kernels.events import Stream
from tnb.kernels.protocol import KernelConnectionError
from tnb.kernels.server.provider import open_server_provider
from tnb.kernels.server.store import remember_server, store_path

pytestmark = pytest.mark.timeout(180)


async def test_token_appears_nowhere(
    jupyter_server: JupyterServer,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TNB_CONFIG_DIR", str(tmp_path / "config"))
    token = jupyter_server.token
    seen: list[str] = []

    provider = await open_server_provider(jupyter_server.url_with_token("lab"), options=FAST)
    seen += [repr(provider), provider.name, provider.base_url]
    choices = await provider.list_choices()
    kernel = await provider.start_for_notebook(await python_choice(provider), "hygiene.ipynb")
    seen += [repr(c) for c in await provider.list_choices()] + [repr(choices), repr(kernel)]
    events = await collect(kernel, "import os\nprint(sorted(os.environ.get('JUPYTER_TOKEN', '')))")
    seen += [repr(e) for e in events]
    # Drop the connection so the reconnect path logs too.
    assert kernel._sock is not None
    kernel._sock.shutdown(socket.SHUT_RDWR)
    seen += [repr(e) for e in await collect(kernel, "print('again')")]
    await kernel.shutdown()
    await provider.close()

    for bad in (f"{jupyter_server.url}?token=wrong", f"http://127.0.0.1:1/?token={token}"):
        with pytest.raises(KernelConnectionError) as info:
            await open_server_provider(bad)
        seen += [str(info.value), repr(info.value)]
    with pytest.raises(KernelConnectionError) as info:
        await open_server_provider(jupyter_server.url, token=token + "x")
    seen += [str(info.value), repr(info.value)]

    remember_server(jupyter_server.url_with_token("lab"), name="test")
    seen.append(store_path().read_text())

    out, err = capfd.readouterr()
    seen += [out, err, caplog.text]
    assert any(isinstance(e, Stream) for e in events)
    for text in seen:
        assert token not in text
        assert (token + "x") not in text


async def test_rate_limited_output_shows_the_servers_notice(
    jupyter_server_factory: JupyterServerFactory,
) -> None:
    server = jupyter_server_factory(rate_limit=True)
    provider = await open_server_provider(server.url, token=server.token, options=FAST)
    kernel = await provider.start(await python_choice(provider))
    try:
        events = await collect(kernel, "for i in range(10000):\n    print(i, flush=True)")
        stderr = "".join(e.text for e in events if isinstance(e, Stream) and e.name == "stderr")
        assert "IOPub message rate exceeded" in stderr
    finally:
        await kernel.shutdown()
        await provider.close()
