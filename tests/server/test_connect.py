"""Connecting to servers: what users paste, tokens, and the errors for each way it fails."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.jupyter_server import JupyterServer, JupyterServerFactory
from tests.server.conftest import FAST, collect, python_choice, stdout
from tnb.kernels.events import (
    DisplayData,
    ExecuteReply,
    InputRequested,
    KernelDied,
    KernelEvent,
    Stream,
)
from tnb.kernels.protocol import KernelConnectionError, KernelProvider
from tnb.kernels.server.provider import (
    InvalidServerURLError,
    NotAJupyterServerError,
    ServerAuthError,
    ServerKernel,
    ServerProvider,
    ServerTLSError,
    ServerUnreachableError,
    UnknownKernelSpecError,
    open_server_provider,
)

pytestmark = pytest.mark.timeout(120)


class _HTMLHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>Hello, not Jupyter</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def html_server() -> Iterator[str]:
    """A tiny web server on 127.0.0.1 that answers every GET with an HTML page."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HTMLHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("path", ["", "lab", "tree", "lab/tree/x.ipynb"])
async def test_pasted_url_with_token(jupyter_server: JupyterServer, path: str) -> None:
    provider = await open_server_provider(jupyter_server.url_with_token(path).rstrip("/"))
    try:
        assert isinstance(provider, KernelProvider)
        assert provider.base_url == jupyter_server.url
        assert provider.version
        assert any(c.name == "python3" for c in await provider.list_choices())
    finally:
        await provider.close()


async def test_prefix_server_runs_code(jupyter_server_prefix: JupyterServer) -> None:
    pasted = jupyter_server_prefix.url_with_token("lab")
    assert "/user/alice/lab?token=" in pasted
    provider = await open_server_provider(pasted, options=FAST)
    try:
        assert provider.base_url.endswith("/user/alice/")
        kernel = await provider.start(await python_choice(provider))
        try:
            events = await collect(kernel, "print('hi from alice')")
            assert stdout(events) == "hi from alice\n"
            assert isinstance(events[-1], ExecuteReply)
        finally:
            await kernel.shutdown()
    finally:
        await provider.close()


async def test_token_from_environment(
    jupyter_server: JupyterServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_TOKEN", jupyter_server.token)
    provider = await open_server_provider(jupyter_server.url)
    await provider.close()


async def test_token_precedence_argument_over_url(jupyter_server: JupyterServer) -> None:
    url = jupyter_server.url + "?token=wrong"
    provider = await open_server_provider(url, token=jupyter_server.token)
    await provider.close()
    with pytest.raises(ServerAuthError):
        await open_server_provider(jupyter_server.url_with_token(), token="wrong")


async def test_prompt_when_no_token(jupyter_server: JupyterServer) -> None:
    asked: list[bool] = []

    def prompt() -> str:
        asked.append(True)
        return jupyter_server.token

    provider = await open_server_provider(jupyter_server.url, prompt_token=prompt)
    await provider.close()
    assert asked == [True]


async def test_wrong_token(jupyter_server: JupyterServer) -> None:
    with pytest.raises(ServerAuthError) as info:
        await open_server_provider(jupyter_server.url, token="not-the-token")
    assert "403" in str(info.value) or "401" in str(info.value)
    assert "not-the-token" not in str(info.value)
    assert isinstance(info.value, KernelConnectionError)


async def test_missing_token(jupyter_server: JupyterServer) -> None:
    with pytest.raises(ServerAuthError, match="needs a token"):
        await open_server_provider(jupyter_server.url)


async def test_unreachable() -> None:
    with pytest.raises(ServerUnreachableError, match="cannot reach"):
        await open_server_provider(f"http://127.0.0.1:{_free_port()}/?token=abc")


async def test_not_a_jupyter_server(html_server: str) -> None:
    with pytest.raises(NotAJupyterServerError, match="not a Jupyter server"):
        await open_server_provider(html_server + "lab?token=abc")


async def test_tls_failure(html_server: str) -> None:
    https = html_server.replace("http://", "https://")
    with pytest.raises(ServerTLSError, match="TLS"):
        await open_server_provider(https)


async def test_invalid_url() -> None:
    with pytest.raises(InvalidServerURLError):
        await open_server_provider("ftp://example/")


async def test_unknown_kernelspec(provider: ServerProvider) -> None:
    choice = await python_choice(provider)
    bogus = type(choice)(
        key="x",
        backend="server",
        kind="spec",
        name="no-such-kernel",
        display_name="nope",
        language="",
        location=provider.base_url,
    )
    with pytest.raises(UnknownKernelSpecError, match="no such kernelspec"):
        await provider.start(bogus)


async def test_kernel_basics(kernel: ServerKernel) -> None:
    assert kernel.subprotocol == "v1.kernel.websocket.jupyter.org"
    assert kernel.status == "idle"
    info = await kernel.kernel_info()
    assert info.language == "python"
    completion = await kernel.complete("import o", 8)
    assert "os" in completion.matches
    assert await kernel.is_complete("for i in x:") == "incomplete"
    inspection = await kernel.inspect("len", 3)
    assert inspection.found
    events = await collect(kernel, "x = 41\nx + 1")
    assert isinstance(events[-1], ExecuteReply)
    assert events[-1].status == "ok"
    assert any(getattr(e, "data", {}).get("text/plain") == "42" for e in events)
    assert [h[2] for h in await kernel.history(5)][-1] == "x = 41\nx + 1"


async def test_input_round_trip(kernel: ServerKernel) -> None:
    events: list[KernelEvent] = []
    async for event in kernel.execute("name = input('who? ')\nprint('hi', name)"):
        events.append(event)
        if isinstance(event, InputRequested):
            assert event.prompt == "who? "
            await event.reply("ada")
    assert "hi ada\n" in stdout(events)


async def test_interrupt(kernel: ServerKernel) -> None:
    events: list[KernelEvent] = []
    async for event in kernel.execute("import time\nprint('go', flush=True)\ntime.sleep(60)"):
        events.append(event)
        if isinstance(event, Stream) and event.text == "go\n":
            await kernel.interrupt()
    assert isinstance(events[-1], ExecuteReply)
    assert events[-1].status == "error"


async def test_restart_clears_state(kernel: ServerKernel) -> None:
    await collect(kernel, "y = 1")
    await kernel.restart()
    assert kernel.status == "idle"
    events = await collect(kernel, "print('y' in dir())")
    assert stdout(events) == "False\n"


async def test_legacy_protocol_fallback(jupyter_server_factory: JupyterServerFactory) -> None:
    server = jupyter_server_factory(
        extra_args=("--ZMQChannelsWebsocketConnection.kernel_ws_protocol=",)
    )
    provider = await open_server_provider(server.url, token=server.token, options=FAST)
    kernel = await provider.start(await python_choice(provider))
    try:
        assert kernel.subprotocol is None
        events = await collect(
            kernel, "from IPython.display import display, Image\nprint('legacy')\n7 * 6"
        )
        assert stdout(events) == "legacy\n"
        assert isinstance(events[-1], ExecuteReply)
        assert not any(isinstance(e, KernelDied) for e in events)
    finally:
        await kernel.shutdown()
        await provider.close()


async def test_many_concurrent_requests(kernel: ServerKernel) -> None:
    results = await asyncio.gather(*(kernel.is_complete(f"x{i} = (") for i in range(20)))
    assert results == ["incomplete"] * 20


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_https_verifies_and_accepts_a_ca_bundle(
    jupyter_server_factory: JupyterServerFactory, self_signed: tuple[Path, Path]
) -> None:
    cert, key = self_signed
    server = jupyter_server_factory(
        extra_args=(f"--ServerApp.certfile={cert}", f"--ServerApp.keyfile={key}")
    )
    assert server.url.startswith("https://")
    with pytest.raises(ServerTLSError, match="--ca-bundle"):
        await open_server_provider(server.url, token=server.token)
    provider = await open_server_provider(
        server.url, token=server.token, ca_bundle=str(cert), options=FAST
    )
    try:
        kernel = await provider.start(await python_choice(provider))
        try:
            assert stdout(await collect(kernel, "print('over wss')")) == "over wss\n"
        finally:
            await kernel.shutdown()
    finally:
        await provider.close()
    insecure = await open_server_provider(server.url, token=server.token, verify_tls=False)
    await insecure.close()


async def test_large_output_arrives_whole(kernel: ServerKernel) -> None:
    # 24 MiB of base64: beyond tornado's default 10 MiB websocket message limit.
    code = (
        "import base64, os\n"
        "blob = base64.b64encode(os.urandom(18 * 1024 * 1024)).decode()\n"
        "import hashlib\nprint(hashlib.sha256(blob.encode()).hexdigest())\n"
        "display({'image/png': blob}, raw=True)"
    )
    events = await collect(kernel, code)
    digest = stdout(events).strip()
    shown = [e for e in events if isinstance(e, DisplayData)]
    assert len(shown) == 1
    blob = shown[0].data["image/png"]
    assert len(blob) == 4 * (18 * 1024 * 1024) // 3
    assert hashlib.sha256(blob.encode()).hexdigest() == digest
    assert isinstance(events[-1], ExecuteReply)
