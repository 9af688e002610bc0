"""Launch options: what the command line says about kernels, typed and read in one place."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tnb.kernels.raw.provider import LocalProvider
    from tnb.kernels.server.provider import HubStartPolicy, ServerProvider


@dataclass(frozen=True)
class LaunchOptions:
    """Where and how kernels run (``tnb``, ``tnb run``, ``tnb kernels``); defaults are what
    no option means. Built from argparse once (`of`), so no layer reads a namespace."""

    kernel: str | None = None
    server: str | None = None
    token: str | None = None
    ca_bundle: str | None = None
    existing: str | None = None
    transport: Literal["ipc", "tcp"] | None = None
    env: dict[str, str] = field(default_factory=dict)
    keep_kernel: bool = False
    pick: bool = False
    no_kernel: bool = False
    record_timing: bool = False

    @classmethod
    def of(cls, args: argparse.Namespace | LaunchOptions | None) -> LaunchOptions:
        """The options of a parsed command line (subcommands define only some of them)."""
        if args is None:
            return cls()
        if isinstance(args, LaunchOptions):
            return args
        given = vars(args)
        transport = given.get("transport")
        return cls(
            kernel=given.get("kernel") or None,
            server=given.get("server") or None,
            token=given.get("token") or None,
            ca_bundle=given.get("ca_bundle") or None,
            existing=str(given["existing"]) if given.get("existing") else None,
            transport=transport if transport in ("ipc", "tcp") else None,
            env=dict(given.get("env") or []),
            keep_kernel=bool(given.get("keep_kernel")),
            pick=bool(given.get("pick")),
            no_kernel=bool(given.get("no_kernel")),
            record_timing=bool(given.get("record_timing")),
        )

    def local_provider(
        self, notebook_dir: Path | None, *, ipython_history: str | None = None
    ) -> LocalProvider:
        """The raw kernels of this computer, as these options start them."""
        from tnb.kernels.raw.provider import LocalProvider

        return LocalProvider(
            notebook_dir=notebook_dir,
            transport=self.transport,
            env=dict(self.env),
            keep_kernel=self.keep_kernel,
            ipython_history=ipython_history,
        )

    async def open_server(
        self,
        *,
        prompt_token: Callable[[], str] | None = None,
        hub: HubStartPolicy | None = None,
    ) -> ServerProvider:
        """The ``--server`` these options name, connected (the token checked).

        Raises:
            KernelConnectionError: unreachable, refused, or not a Jupyter server.
        """
        from tnb.kernels.server.provider import open_server_provider

        assert self.server, "open_server needs --server"
        return await open_server_provider(
            self.server,
            token=self.token,
            ca_bundle=self.ca_bundle,
            prompt_token=prompt_token,
            env=dict(self.env),
            hub=hub,
        )
