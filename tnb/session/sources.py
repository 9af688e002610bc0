"""The kernel sources the picker lists: this machine, plus each Jupyter server (opened lazily)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from tnb.kernels.protocol import (
    BackendKind,
    KernelChoice,
    KernelProvider,
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
    args: argparse.Namespace | LaunchOptions,
    notebook_dir: Path | None,
    *,
    local: KernelProvider | None = None,
) -> list[ProviderEntry]:
    """This computer (``local``, else its raw kernels), then ``--server`` (with ``--token``/
    ``--ca-bundle``), then each remembered server. Nothing connects here: each server opens
    when first listed."""
    from tnb.kernels.server.store import load_servers
    from tnb.kernels.server.url import ServerURLError, parse_server_url

    options = LaunchOptions.of(args)
    entries = [
        ProviderEntry("This computer", "raw", provider=local)
        if local is not None
        else local_entry(
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
