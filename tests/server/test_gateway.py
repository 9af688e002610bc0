"""Enterprise Gateway as a server: detected, listed, started without sessions, --env through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.gateway import CLIENT_ENVS, EnterpriseGateway
from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tests.server.conftest import FAST, collect, stdout
from tnb.kernels.protocol import KernelChoice
from tnb.kernels.server.provider import EnvNotSupportedError, ServerProvider, open_server_provider

_TNB = str(Path(sys.executable).with_name("tnb"))


async def _spec(provider: ServerProvider, name: str) -> KernelChoice:
    choices = await provider.list_choices()
    return next(c for c in choices if c.kind == "spec" and c.name == name)


async def test_detected_and_lists_only_kernelspecs(
    enterprise_gateway: EnterpriseGateway, kernelspecs: KernelSpecs
) -> None:
    provider = await open_server_provider(enterprise_gateway.url, token=enterprise_gateway.token)
    try:
        assert provider.flavour.kind == "gateway"
        assert provider.version == enterprise_gateway.api["gateway_version"]
        assert provider.name.startswith("Enterprise Gateway ")
        choices = await provider.list_choices()
        # What a gateway cannot do: no sessions, and (by default) no list of running kernels.
        assert {c.kind for c in choices} == {"spec"}
        assert kernelspecs.python in {c.name for c in choices}
    finally:
        await provider.close()


async def test_no_token_is_an_auth_error(enterprise_gateway: EnterpriseGateway) -> None:
    from tnb.kernels.server.provider import ServerAuthError

    with pytest.raises(ServerAuthError, match="needs a token"):
        await open_server_provider(enterprise_gateway.url)


async def test_env_reaches_the_kernel_through_the_start_request(
    enterprise_gateway: EnterpriseGateway,
    kernelspecs: KernelSpecs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KERNEL_TNB_FROM_ENVIRONMENT", "kernel-var")
    env = {CLIENT_ENVS[0]: "allowed by the gateway", "KERNEL_USERNAME": "ada"}
    provider = await open_server_provider(
        enterprise_gateway.url, token=enterprise_gateway.token, options=FAST, env=env
    )
    try:
        kernel = await provider.start(await _spec(provider, kernelspecs.python))
        try:
            code = (
                "import os\n"
                f"print(os.environ.get({CLIENT_ENVS[0]!r}))\n"
                "print(os.environ.get('KERNEL_USERNAME'))\n"
                "print(os.environ.get('KERNEL_TNB_FROM_ENVIRONMENT'))"
            )
            lines = stdout(await collect(kernel, code)).splitlines()
        finally:
            await kernel.shutdown()
    finally:
        await provider.close()
    assert lines == ["allowed by the gateway", "ada", "kernel-var"]


async def test_start_for_notebook_needs_no_sessions(
    enterprise_gateway: EnterpriseGateway, kernelspecs: KernelSpecs
) -> None:
    provider = await open_server_provider(
        enterprise_gateway.url, token=enterprise_gateway.token, options=FAST
    )
    try:
        kernel = await provider.start_for_notebook(
            await _spec(provider, kernelspecs.python), "tnb/nb-1234.ipynb"
        )
        try:
            assert kernel.server_session_id is None and kernel.owned
            assert stdout(await collect(kernel, "print(6 * 7)")) == "42\n"
        finally:
            await kernel.shutdown()
    finally:
        await provider.close()


async def test_env_is_refused_by_a_jupyter_server(
    jupyter_server: JupyterServer, kernelspecs: KernelSpecs
) -> None:
    provider = await open_server_provider(
        jupyter_server.url, token=jupyter_server.token, env={"TNB_X": "1"}
    )
    try:
        choice = await _spec(provider, kernelspecs.python)
        with pytest.raises(EnvNotSupportedError, match=r"--env \(TNB_X\) cannot reach"):
            await provider.start(choice)
        with pytest.raises(EnvNotSupportedError, match="Enterprise Gateway"):
            await provider.start_for_notebook(choice, "tnb/x-1.ipynb")
        # Nothing was started on the server.
        assert await provider._client.call("api/kernels") == []
    finally:
        await provider.close()


def _notebook(path: Path, code: str, kernel: str) -> None:
    cell: dict[str, object] = {"cell_type": "code", "id": "c1", "metadata": {}, "source": code}
    cell |= {"outputs": [], "execution_count": None}
    spec = {"name": kernel, "display_name": kernel, "language": "python"}
    nb = {"cells": [cell], "metadata": {"kernelspec": spec}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def _tnb_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_TNB, "run", *args], capture_output=True, text=True, timeout=240, check=False
    )


def test_tnb_run_through_the_gateway_with_env(
    enterprise_gateway: EnterpriseGateway, kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    path = tmp_path / "gw.ipynb"
    _notebook(path, f"import os; print(os.environ[{CLIENT_ENVS[1]!r}])", kernelspecs.python)
    done = _tnb_run(
        str(path),
        "--server",
        enterprise_gateway.url,
        "--token",
        enterprise_gateway.token,
        "--env",
        f"{CLIENT_ENVS[1]}=through the gateway",
    )
    assert done.returncode == 0, done.stderr
    saved = json.loads(path.read_text())
    assert "".join(saved["cells"][0]["outputs"][0]["text"]) == "through the gateway\n"
    assert saved["metadata"]["kernelspec"]["name"] == kernelspecs.python


def test_tnb_run_env_refused_by_a_jupyter_server(
    jupyter_server: JupyterServer, kernelspecs: KernelSpecs, tmp_path: Path
) -> None:
    path = tmp_path / "js.ipynb"
    _notebook(path, "print(1)", kernelspecs.python)
    before = path.read_bytes()
    done = _tnb_run(str(path), "--server", jupyter_server.url_with_token(), "--env", "TNB_X=1")
    assert done.returncode == 2
    assert "--env (TNB_X) cannot reach a kernel on a Jupyter server" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before
