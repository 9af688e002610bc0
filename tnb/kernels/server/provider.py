"""Kernels owned by a Jupyter server, reached over its REST API and kernel websocket."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tnb.kernels.protocol import (
    KernelChoice,
    KernelConnectionError,
    KernelSpecRef,
    KernelStartError,
)
from tnb.kernels.server.contents import ServerContents
from tnb.kernels.server.gateway import EnvNotSupportedError, ServerFlavour, start_body
from tnb.kernels.server.hub import (
    HubAuthError,
    HubClient,
    HubServer,
    HubServerStoppedError,
    HubSpawnFailedError,
    HubSpawnTimeoutError,
    HubStartPolicy,
    SpawnProgress,
    hub_location,
)
from tnb.kernels.server.kernel import ServerKernel, ServerOptions
from tnb.kernels.server.rest import (
    InvalidServerURLError,
    JupyterHubURLError,
    KernelGoneError,
    NotAJupyterServerError,
    ServerAuthError,
    ServerClient,
    ServerRequestError,
    ServerStoppedError,
    ServerTLSError,
    ServerUnreachableError,
    UnknownKernelSpecError,
)
from tnb.kernels.server.url import ServerURLError, parse_server_url

__all__ = [
    "EnvNotSupportedError",
    "HubAuthError",
    "HubServer",
    "HubServerStoppedError",
    "HubSpawnFailedError",
    "HubSpawnTimeoutError",
    "HubStartPolicy",
    "InvalidServerURLError",
    "JupyterHubURLError",
    "KernelGoneError",
    "NotAJupyterServerError",
    "ServerAuthError",
    "ServerKernel",
    "ServerOptions",
    "ServerProvider",
    "ServerRequestError",
    "ServerStoppedError",
    "ServerTLSError",
    "ServerUnreachableError",
    "SpawnProgress",
    "UnknownKernelSpecError",
    "open_server_provider",
]


def _spec_choice(base: str, name: str, spec: dict[str, Any]) -> KernelChoice:
    info = spec.get("spec") or {}
    return KernelChoice(
        key=f"server:{base}:spec:{name}",
        backend="server",
        kind="spec",
        name=name,
        display_name=str(info.get("display_name") or name),
        language=str(info.get("language") or ""),
        location=base,
    )


class ServerProvider:
    """The kernelspecs, running kernels and sessions of one Jupyter server."""

    def __init__(
        self,
        client: ServerClient,
        *,
        options: ServerOptions | None = None,
        flavour: ServerFlavour | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._client = client
        self.options = options or ServerOptions()
        self.flavour = flavour or ServerFlavour("jupyter_server", "")
        self.env = dict(env or {})  # for kernels we start; refused where it cannot pass
        self.base_url = client.address.base_url
        self.name = f"{self.flavour.label} {self.base_url}"
        self.version = self.flavour.version
        self._specs: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"ServerProvider({self.base_url!r})"

    @property
    def url(self) -> str:
        """The server's base URL, without its token."""
        return self.base_url

    async def _kernelspecs(self) -> dict[str, dict[str, Any]]:
        body = await self._client.call("api/kernelspecs")
        specs = body.get("kernelspecs") if isinstance(body, dict) else None
        self._specs = dict(specs) if isinstance(specs, dict) else {}
        return self._specs

    async def list_choices(self) -> list[KernelChoice]:
        """Kernelspecs ("spec"), sessions ("session") and other running kernels ("running")."""
        specs, kernels, sessions = await asyncio.gather(
            self._kernelspecs(), self._running_kernels(), self._sessions()
        )
        base = self.base_url
        choices = [_spec_choice(base, name, spec) for name, spec in sorted(specs.items())]
        in_session: set[str] = set()
        for session in sessions or []:
            kernel = session.get("kernel") or {}
            kernel_id = str(kernel.get("id", ""))
            in_session.add(kernel_id)
            choices.append(self._running_choice("session", kernel, session))
        for kernel in kernels or []:
            if str(kernel.get("id", "")) not in in_session:
                choices.append(self._running_choice("running", kernel, None))
        return choices

    async def _sessions(self) -> list[dict[str, Any]]:
        if not self.flavour.has_sessions:
            return []
        return list(await self._client.call("api/sessions") or [])

    async def _running_kernels(self) -> list[dict[str, Any]]:
        try:
            return list(await self._client.call("api/kernels") or [])
        except (ServerAuthError, ServerRequestError):
            if self.flavour.kind != "gateway":
                raise
            return []  # a gateway lists kernels only when its list_kernels option is on

    def _running_choice(
        self, kind: Any, kernel: dict[str, Any], session: dict[str, Any] | None
    ) -> KernelChoice:
        kernel_id = str(kernel.get("id", ""))
        spec_name = str(kernel.get("name", ""))
        spec = (self._specs.get(spec_name) or {}).get("spec") or {}
        display = str(spec.get("display_name") or spec_name)
        details: dict[str, Any] = {
            "kernel_id": kernel_id,
            "kernel_name": spec_name,
            "state": kernel.get("execution_state", ""),
            "last_activity": kernel.get("last_activity", ""),
            "connections": kernel.get("connections", 0),
        }
        if session is not None:
            details |= {"session_id": session.get("id", ""), "path": session.get("path", "")}
            label = f"{display} · {session.get('path', '')}"
        else:
            label = f"{display} · running {kernel_id[:8]}"
        language = str(spec.get("language") or "")
        return KernelChoice(
            key=f"server:{self.base_url}:{kind}:{kernel_id}",
            backend="server",
            kind=kind,
            name=kernel_id,
            display_name=label,
            language=language,
            location=self.base_url,
            details=details,
            spec=KernelSpecRef(spec_name, display, language) if spec_name else None,
        )

    async def _launch(self, kernel: ServerKernel) -> ServerKernel:
        try:
            await kernel.connect()
        except BaseException:
            await kernel.shutdown()
            raise
        return kernel

    def _kernel(self, kernel_id: str, choice: KernelChoice, **kwargs: Any) -> ServerKernel:
        return ServerKernel(self._client.clone(), kernel_id, choice, options=self.options, **kwargs)

    async def start(self, choice: KernelChoice, *, notebook: Path | None = None) -> ServerKernel:
        """Start a kernel from a spec, or attach to a running kernel or a session's kernel.

        ``notebook`` is a path on our side, which the server cannot see: unused here.
        """
        return await self._start(choice, None)

    async def start_in(self, choice: KernelChoice, folder: str) -> ServerKernel:
        """Like ``start``, with the kernel working in ``folder`` on the server."""
        return await self._start(choice, folder)

    async def _start(self, choice: KernelChoice, folder: str | None) -> ServerKernel:
        if choice.kind in ("running", "session"):
            self._refuse_env(choice)
            kernel_id = str(choice.details.get("kernel_id") or choice.name)
            return await self._launch(self._kernel(kernel_id, choice, owned=False))
        body = start_body(self.flavour, choice.name, self.env, display_name=choice.display_name)
        if folder is not None and self.flavour.has_contents:
            body["path"] = folder  # the kernel's working folder, relative to the server's root
        try:
            model = await self._client.call("api/kernels", method="POST", body=body)
        except ServerRequestError as exc:
            raise await self._start_error(choice, exc) from None
        return await self._launch(self._kernel(str(model["id"]), choice, owned=True))

    async def _start_error(self, choice: KernelChoice, exc: ServerRequestError) -> Exception:
        if not self._specs:
            with contextlib.suppress(KernelConnectionError):
                await self._kernelspecs()
        if choice.name not in self._specs:
            known = ", ".join(sorted(self._specs)) or "none"
            return UnknownKernelSpecError(
                choice.name, f"the server has no such kernelspec (it has: {known})"
            )
        return KernelStartError(choice.display_name, str(exc))

    async def start_for_notebook(self, choice: KernelChoice, notebook_path: str) -> ServerKernel:
        """The kernel of the server session for ``notebook_path`` (created if it has none).

        An existing session is re-attached (never deleted by us); a new one is created with
        the chosen spec or running kernel, and deleted on shutdown only if we started its kernel.
        """
        if not self.flavour.has_sessions:
            return await self.start(choice)  # a gateway has no sessions to file it under
        if choice.kind in ("running", "session"):
            self._refuse_env(choice)
        else:
            start_body(self.flavour, choice.name, self.env, display_name=choice.display_name)
        path = notebook_path.lstrip("/")
        for session in await self._client.call("api/sessions") or []:
            if session.get("path") == path:
                if not self._specs:  # to name the session kernel's spec in the notebook
                    with contextlib.suppress(KernelConnectionError):
                        await self._kernelspecs()
                kernel = session.get("kernel") or {}
                attached = self._running_choice("session", kernel, session)
                return await self._launch(
                    self._kernel(
                        str(kernel["id"]), attached, owned=False, server_session_id=session["id"]
                    )
                )
        body: dict[str, Any] = {
            "path": path,
            "type": "notebook",
            "name": path.rsplit("/", 1)[-1],
            "kernel": {"id": choice.details.get("kernel_id") or choice.name}
            if choice.kind in ("running", "session")
            else {"name": choice.name},
        }
        try:
            session = await self._client.call("api/sessions", method="POST", body=body)
        except ServerRequestError as exc:
            raise await self._start_error(choice, exc) from None
        owned = choice.kind == "spec"
        kernel = self._kernel(
            str(session["kernel"]["id"]),
            choice,
            owned=owned,
            server_session_id=str(session["id"]),
            owns_session=owned,
        )
        return await self._launch(kernel)

    def _refuse_env(self, choice: KernelChoice) -> None:
        if self.env:
            raise EnvNotSupportedError(
                choice.display_name,
                f"--env ({', '.join(sorted(self.env))}) cannot reach a kernel that is already "
                "running; start a new kernel instead",
            )

    def contents(self) -> ServerContents:
        """The server's files (its own HTTP client, closed with ``ServerContents.close``).

        Raises:
            NotAJupyterServerError: an Enterprise Gateway, which serves kernels, not files.
        """
        if not self.flavour.has_contents:
            raise NotAJupyterServerError(
                f"{self.base_url} is an {self.flavour.label}: it runs kernels but has no files; "
                "open a local notebook with --server instead"
            )
        return ServerContents(self._client.clone())

    async def close(self) -> None:
        """Release the provider's HTTP client (kernels have their own)."""
        self._client.close()


async def open_server_provider(
    url: str,
    *,
    token: str | None = None,
    ca_bundle: str | None = None,
    prompt_token: Callable[[], str] | None = None,
    verify_tls: bool = True,
    options: ServerOptions | None = None,
    env: Mapping[str, str] | None = None,
    hub: HubStartPolicy | None = None,
) -> ServerProvider:
    """Connect to the Jupyter server at ``url`` (as users paste it) and check the token.

    Token precedence: ``token``, the URL's ``?token=``, ``$JUPYTER_TOKEN``, then
    ``prompt_token()`` if the server refuses us without one. A JupyterHub URL (the hub's
    root, a hub page, or a user server that is not running) leads to the user's server
    named in the URL (the default one otherwise), started first if ``hub`` allows it.

    Raises:
        InvalidServerURLError, ServerUnreachableError, NotAJupyterServerError,
        ServerAuthError, ServerTLSError, HubAuthError, HubServerStoppedError,
        HubSpawnFailedError, HubSpawnTimeoutError: all KernelConnectionError, none
        showing the token.
    """
    try:
        address = parse_server_url(url)
    except ServerURLError as exc:
        raise InvalidServerURLError(str(exc)) from None
    found = token or address.token or os.environ.get("JUPYTER_TOKEN") or None
    client = ServerClient(address, found, ca_bundle=ca_bundle, verify_tls=verify_tls)
    try:
        try:
            flavour = await client.check()
        except ServerAuthError:
            if found is not None or prompt_token is None:
                raise
            client.token = prompt_token() or None
            flavour = await client.check()
    except JupyterHubURLError:
        client.close()
        hub_client = HubClient(
            hub_location(address).root, client.token, ca_bundle=ca_bundle, verify_tls=verify_tls
        )
        try:
            server = await hub_client.find_server(address, prompt_token, hub or HubStartPolicy())
        finally:
            hub_client.close()
        provider = await open_server_provider(
            server.url,
            token=hub_client.token,
            ca_bundle=ca_bundle,
            verify_tls=verify_tls,
            options=options,
            env=env,
        )
        provider.name = f"JupyterHub {server.label} {provider.base_url}"
        return provider
    except BaseException:
        client.close()
        raise
    return ServerProvider(client, options=options, flavour=flavour, env=env)
