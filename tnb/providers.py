"""The kernel sources the picker lists: this machine, plus each Jupyter server (opened lazily)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tnb.kernels.protocol import (
    BackendKind,
    KernelBackend,
    KernelChoice,
    KernelConnectionError,
    KernelProvider,
    KernelStartError,
)
from tnb.session.launch import LaunchOptions

Opener = Callable[[], Awaitable[KernelProvider]]


class ProviderEntry:
    """One source of kernels: a provider, or the way to open one (a server is opened on demand).

    A server entry connects on the first `provider()` call, never at construction, so a dead
    server costs nothing until the picker's worker for it runs. A failed open is not cached:
    the next call tries again.
    """

    def __init__(
        self,
        label: str,
        backend: BackendKind,
        *,
        provider: KernelProvider | None = None,
        opener: Opener | None = None,
        url: str = "",
    ) -> None:
        if provider is None and opener is None:
            raise ValueError("a ProviderEntry needs a provider or an opener")
        self.label = label
        self.backend = backend
        self.url = url  # a server's base URL, never with its token
        self._provider = provider
        self._opener = opener
        self._lock = asyncio.Lock()
        # For a JupyterHub URL: whether (and how) opening starts a stopped user server.
        self.hub_policy: Any = None

    def __repr__(self) -> str:
        return f"ProviderEntry({self.label!r}, {self.backend!r})"

    @property
    def opened(self) -> KernelProvider | None:
        """The provider if it is open already."""
        return self._provider

    async def provider(self) -> KernelProvider:
        """The provider, opened once.

        Raises:
            KernelConnectionError: the server cannot be reached or refuses us.
        """
        async with self._lock:
            if self._provider is None:
                assert self._opener is not None
                self._provider = await self._opener()
                if self.backend == "server":
                    # Now known: a Jupyter server, an Enterprise Gateway, or a hub's server.
                    self.label = self._provider.name
            return self._provider

    async def list_choices(self) -> list[KernelChoice]:
        """Open the provider if needed, then list what it offers."""
        return await (await self.provider()).list_choices()

    async def close(self) -> None:
        """Release a server provider's HTTP client; idempotent, never raises."""
        provider, self._provider = self._provider, None
        if provider is not None:
            with contextlib.suppress(Exception):
                await provider.close()


def local_entry(
    notebook_dir: Path | None,
    *,
    transport: Any = None,
    env: dict[str, str] | None = None,
    keep_kernel: bool = False,
) -> ProviderEntry:
    """The raw kernels of this machine: kernelspecs, environments, running kernels."""
    from tnb.kernels.raw.provider import LocalProvider

    provider = LocalProvider(
        notebook_dir=notebook_dir, transport=transport, env=env, keep_kernel=keep_kernel
    )
    return ProviderEntry("This computer", "raw", provider=provider)


def server_entry(
    url: str,
    *,
    token: str | None = None,
    ca_bundle: str | None = None,
    env: dict[str, str] | None = None,
) -> ProviderEntry:
    """A Jupyter server, opened on demand (token: given, in the URL, or ``$JUPYTER_TOKEN``)."""
    from tnb.kernels.server.url import ServerURLError, parse_server_url

    try:
        base = parse_server_url(url).base_url
    except ServerURLError:
        base = url.split("?", 1)[0]  # never show a token, even of an unparsable URL

    async def open_server() -> KernelProvider:
        from tnb.kernels.server.provider import open_server_provider

        return await open_server_provider(
            url, token=token, ca_bundle=ca_bundle, env=env, hub=entry.hub_policy
        )

    entry = ProviderEntry(f"Jupyter server {base}", "server", opener=open_server, url=base)
    return entry


def connected_server_entry(provider: KernelProvider) -> ProviderEntry:
    """An entry for a ServerProvider that is already open (from the add-server dialog)."""
    base = provider.url
    return ProviderEntry(f"Jupyter server {base}", "server", provider=provider, url=base)


def build_providers(
    args: argparse.Namespace | LaunchOptions, notebook_dir: Path | None
) -> list[ProviderEntry]:
    """This computer, then ``--server`` (with ``--token``/``--ca-bundle``), then each
    remembered server. Nothing connects here: each server opens when first listed."""
    from tnb.kernels.server.store import load_servers
    from tnb.kernels.server.url import ServerURLError, parse_server_url

    options = LaunchOptions.of(args)
    entries = [
        local_entry(
            notebook_dir,
            transport=options.transport,
            env=dict(options.env),
            keep_kernel=options.keep_kernel,
        )
    ]
    seen: set[str] = set()
    if options.server:
        entry = server_entry(
            options.server,
            token=options.token,
            ca_bundle=options.ca_bundle,
            env=dict(options.env),
        )
        entries.append(entry)
        seen.add(entry.url)
    for remembered in load_servers():
        try:
            base = parse_server_url(remembered.url).base_url
        except ServerURLError:
            base = remembered.url
        if base in seen:
            continue
        seen.add(base)
        entries.append(
            server_entry(
                remembered.url,
                token=remembered.token,
                env=dict(options.env),
            )
        )
    return entries


async def close_providers(entries: Iterable[ProviderEntry], *, keep: object = None) -> None:
    """Close every entry's provider except the one that is ``keep`` (still in use)."""
    for entry in entries:
        if keep is None or entry.opened is not keep:
            await entry.close()


# ---------------------------------------------------------------- fixed providers for pictures


class StaticProvider:
    """A provider with a fixed list that starts nothing: for screenshots and snapshot tests."""

    def __init__(self, name: str, choices: Sequence[KernelChoice]) -> None:
        self.name = name
        self._choices = list(choices)

    async def list_choices(self) -> list[KernelChoice]:
        """The fixed list."""
        return list(self._choices)

    @property
    def url(self) -> str:
        """ "": sample kernels live nowhere."""
        return ""

    async def start(self, choice: KernelChoice, *, notebook: Path | None = None) -> KernelBackend:
        """Always refuses: this provider only shows how a list looks."""
        raise KernelStartError(choice.display_name, "a sample kernel cannot start")

    async def close(self) -> None:
        """Nothing to release."""


def _raw(
    kind: Any, name: str, display: str, language: str, location: str, **kw: Any
) -> KernelChoice:
    return KernelChoice(
        key=f"{kind}:{name}",
        backend="raw",
        kind=kind,
        name=name,
        display_name=display,
        language=language,
        location=location,
        **kw,
    )


SAMPLE_SERVER = "http://127.0.0.1:8888/"


def sample_local_choices() -> list[KernelChoice]:
    """What a typical machine offers: two kernelspecs, environments, a running kernel."""
    share = "/usr/local/share/jupyter/kernels"
    return [
        _raw("spec", "bash", "Bash", "bash", f"{share}/bash"),
        _raw("spec", "python3", "Python 3 (ipykernel)", "python", "/usr/bin/python3"),
        _raw(
            "environment",
            "env:/home/ada/project/.venv",
            "Python 3.12 (.venv in /home/ada/project)",
            "python",
            "/home/ada/project/.venv/bin/python",
            details={"near_notebook": True},
        ),
        _raw(
            "environment",
            "env:/opt/conda",
            "Python 3.11 ($CONDA_PREFIX)",
            "python",
            "/opt/conda/bin/python",
            available=False,
            reason="ipykernel is not installed in /opt/conda",
            fix="/opt/conda/bin/python -m pip install ipykernel",
        ),
        _raw(
            "running",
            "kernel-4f1c",
            "running kernel kernel-4f1c (python3)",
            "",
            "/run/user/1000/jupyter/kernel-4f1c.json",
        ),
    ]


SAMPLE_NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def sample_server_choices(
    base: str = SAMPLE_SERVER, *, now: datetime = SAMPLE_NOW
) -> list[KernelChoice]:
    """A server with two kernelspecs, a notebook session and a bare running kernel; their
    last activity is 5 min and 30 s before ``now``."""

    def server(kind: Any, name: str, display: str, language: str, **details: Any) -> KernelChoice:
        return KernelChoice(
            key=f"server:{base}:{kind}:{name}",
            backend="server",
            kind=kind,
            name=name,
            display_name=display,
            language=language,
            location=base,
            details=details,
        )

    return [
        server("spec", "python3", "Python 3 (ipykernel)", "python"),
        server("spec", "ir", "R", "R"),
        server(
            "session",
            "0b7e1c2d-aaaa-4bbb-8ccc-123456789abc",
            "Python 3 (ipykernel) · analysis/model.ipynb",
            "python",
            kernel_id="0b7e1c2d-aaaa-4bbb-8ccc-123456789abc",
            path="analysis/model.ipynb",
            state="idle",
            last_activity=(now - timedelta(minutes=5)).isoformat(),
        ),
        server(
            "running",
            "9d3f0a11-bbbb-4ccc-8ddd-abcdefabcdef",
            "Python 3 (ipykernel) · running 9d3f0a11",
            "python",
            kernel_id="9d3f0a11-bbbb-4ccc-8ddd-abcdefabcdef",
            state="busy",
            last_activity=(now - timedelta(seconds=30)).isoformat(),
        ),
    ]


def sample_providers(
    *, server: bool = True, server_error: str = "", now: datetime = SAMPLE_NOW
) -> list[ProviderEntry]:
    """Fixed entries: this computer, and a server that lists or fails with ``server_error``."""
    entries = [
        ProviderEntry(
            "This computer", "raw", provider=StaticProvider("local", sample_local_choices())
        )
    ]
    if server or server_error:

        async def open_sample() -> KernelProvider:
            if server_error:
                raise KernelConnectionError(server_error)
            return StaticProvider(f"Jupyter server {SAMPLE_SERVER}", sample_server_choices(now=now))

        entries.append(
            ProviderEntry(
                f"Jupyter server {SAMPLE_SERVER}", "server", opener=open_sample, url=SAMPLE_SERVER
            )
        )
    return entries
