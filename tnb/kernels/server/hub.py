"""JupyterHub: find a user's servers with a hub API token, and start a stopped one with progress."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.simple_httpclient import HTTPTimeoutError

from tnb.kernels.protocol import KernelConnectionError
from tnb.kernels.server.rest import (
    ServerAuthError,
    ServerClient,
    ServerRequestError,
)
from tnb.kernels.server.url import ServerAddress

SPAWN_TIMEOUT = 300.0


class HubAuthError(ServerAuthError):
    """The hub refused the token (not a hub API token, expired, or without the scopes)."""


class HubSpawnFailedError(KernelConnectionError):
    """The hub could not start the user's server; the message is the hub's."""


class HubSpawnTimeoutError(KernelConnectionError):
    """The user's server did not become ready in time."""


class _FailedEvent(HubSpawnFailedError):
    """The progress stream said the spawn failed (its message is the spawner's own)."""


class HubServerStoppedError(KernelConnectionError):
    """The user's server is stopped and we were not allowed to start it."""

    def __init__(self, message: str, server: HubServer) -> None:
        super().__init__(message)
        self.server = server


@dataclass(frozen=True)
class HubServer:
    """One of a user's servers as the hub describes it (``name`` is "" for the default one)."""

    user: str
    name: str
    ready: bool
    pending: str  # "spawn", "stop", ... or "" when nothing is under way
    url: str  # absolute base URL, e.g. https://hub/user/alice/gpu/
    hub_url: str  # the hub's root URL

    @property
    def label(self) -> str:
        """``alice`` for the default server, ``alice/gpu`` for a named one."""
        return f"{self.user}/{self.name}" if self.name else self.user

    @property
    def api_path(self) -> str:
        """``hub/api/users/NAME/server`` or ``.../servers/SERVER`` (start, stop, progress)."""
        user = f"hub/api/users/{quote(self.user, safe='')}"
        return f"{user}/servers/{quote(self.name, safe='')}" if self.name else f"{user}/server"


@dataclass(frozen=True)
class SpawnProgress:
    """One event of the hub's spawn progress stream."""

    percent: int | None
    message: str
    ready: bool = False
    failed: bool = False

    def __str__(self) -> str:
        pct = f"{self.percent}% " if self.percent is not None else ""
        return f"{pct}{self.message}".strip()


@dataclass(frozen=True)
class HubStartPolicy:
    """What to do about a stopped server: ``confirm`` asks (None: never start it)."""

    confirm: Callable[[HubServer], Awaitable[bool]] | None = None
    progress: Callable[[SpawnProgress], None] | None = None
    timeout: float = SPAWN_TIMEOUT


@dataclass(frozen=True)
class HubLocation:
    """Where a hub lives and which user server a URL names (None: the token's own user)."""

    root: str  # e.g. https://host/ or https://host/prefix/
    user: str | None
    server: str


def hub_location(address: ServerAddress) -> HubLocation:
    """The hub root of a pasted hub or user-server URL, and the user/server it names.

    ``https://h/``, ``https://h/hub/home``, ``https://h/user/alice/`` and
    ``https://h/user/alice/gpu/`` (a named server) all live on the hub at ``https://h/``.
    """
    scheme_host, _, path = address.base_url.partition("://")
    host, _, rest = path.partition("/")
    segments = [s for s in rest.split("/") if s]
    for index, segment in enumerate(segments):
        if segment == "hub":
            return HubLocation(_root(scheme_host, host, segments[:index]), None, "")
        if segment == "user" and index + 1 < len(segments):
            user = segments[index + 1]
            server = segments[index + 2] if index + 2 < len(segments) else ""
            return HubLocation(_root(scheme_host, host, segments[:index]), user, server)
    return HubLocation(address.base_url, None, "")


def _root(scheme: str, host: str, prefix: list[str]) -> str:
    return f"{scheme}://{host}/" + "".join(f"{s}/" for s in prefix)


class HubClient:
    """The hub's REST API with a user's API token (in the Authorization header)."""

    def __init__(
        self,
        root: str,
        token: str | None,
        *,
        ca_bundle: str | None = None,
        verify_tls: bool = True,
    ) -> None:
        self.root = root
        self._rest = ServerClient(
            ServerAddress(root, None), token, ca_bundle=ca_bundle, verify_tls=verify_tls
        )

    def __repr__(self) -> str:
        return f"HubClient({self.root!r})"

    @property
    def token(self) -> str | None:
        """The hub API token."""
        return self._rest.token

    @token.setter
    def token(self, value: str | None) -> None:
        self._rest.token = value

    async def version(self) -> str | None:
        """The hub's version from ``hub/api/`` (anonymous), or None if no hub answers there."""
        response = await self._rest.fetch("hub/api/")
        if response.code != 200:
            return None
        try:
            body = json.loads(response.body)
        except ValueError:
            return None
        version = body.get("version") if isinstance(body, dict) else None
        return version if isinstance(version, str) else None

    async def servers(self, user: str | None = None) -> tuple[str, list[HubServer]]:
        """The user's name and servers (stopped named ones included; the default always).

        Raises:
            HubAuthError: the token is not accepted.
        """
        path = f"hub/api/users/{quote(user, safe='')}" if user else "hub/api/user"
        try:
            model = await self._rest.call(path + "?include_stopped_servers")
        except ServerAuthError:
            hint = "a hub API token (from the hub's Token page)" if self.token else "a token"
            raise HubAuthError(
                f"the hub at {self.root} refused the token: give {hint} "
                f"with --token or $JUPYTER_TOKEN"
            ) from None
        except ServerRequestError as exc:
            if exc.status == 404 and user:
                raise HubAuthError(f"the hub at {self.root} has no user {user!r}") from None
            raise
        name = str(model.get("name") or user or "")
        servers = {"": _server(self.root, name, "", {})}  # the default, even if never started
        for key, value in (model.get("servers") or {}).items():
            servers[str(key)] = _server(self.root, name, str(key), value or {})
        return name, [servers[k] for k in sorted(servers)]

    async def start(self, server: HubServer, policy: HubStartPolicy) -> HubServer:
        """Start ``server`` (unless a spawn is under way) and follow its progress to ready.

        Raises:
            HubSpawnFailedError: with the hub's message.
            HubSpawnTimeoutError: not ready within ``policy.timeout``.
        """
        deadline = time.monotonic() + policy.timeout
        if not server.pending:
            response = await self._rest.fetch(server.api_path, method="POST")
            # 201 started, 202 pending, 400 already running or pending.
            if response.code in (401, 403):
                raise HubAuthError(
                    f"the hub at {self.root} does not let this token start {server.label}'s server"
                )
            if response.code not in (201, 202, 400):
                # The hub's answer is generic ("Internal Server Error"); the spawner's own
                # message is in the failed event its progress stream replays.
                quick = HubStartPolicy(timeout=min(10.0, policy.timeout))
                try:
                    await self._follow(server, quick, time.monotonic() + quick.timeout)
                except _FailedEvent as event:
                    raise HubSpawnFailedError(str(event)) from None
                except KernelConnectionError:
                    pass
                raise HubSpawnFailedError(
                    f"the hub could not start the server {server.label}: "
                    f"{_message(response.body) or f'HTTP {response.code}'}"
                )
        await self._follow(server, policy, deadline)
        _name, servers = await self.servers(server.user)
        now = next((s for s in servers if s.name == server.name), None)
        if now is None or not now.ready:
            raise HubSpawnFailedError(f"the server {server.label} stopped right after starting")
        return now

    async def _follow(self, server: HubServer, policy: HubStartPolicy, deadline: float) -> None:
        """Read the progress event stream until ready, failed, or the deadline."""
        events: asyncio.Queue[SpawnProgress] = asyncio.Queue()
        buffer = b""

        def on_chunk(chunk: bytes) -> None:
            nonlocal buffer
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.startswith(b"data:"):
                    event = _progress(line[5:])
                    if event is not None:
                        events.put_nowait(event)

        remaining = max(1.0, deadline - time.monotonic())
        request = self._rest.http_request(
            self._rest.address.url(server.api_path + "/progress"), timeout=remaining
        )
        request.headers["Accept"] = "text/event-stream"
        request.streaming_callback = on_chunk
        http = AsyncHTTPClient(force_instance=True)
        fetching: asyncio.Future[Any] = asyncio.ensure_future(
            http.fetch(request, raise_error=False)
        )
        try:
            while True:
                getting: asyncio.Future[Any] = asyncio.ensure_future(events.get())
                done, _ = await asyncio.wait(
                    {getting, fetching},
                    timeout=max(0.0, deadline - time.monotonic()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if getting in done:
                    event = getting.result()
                    if policy.progress is not None:
                        policy.progress(event)
                    if event.failed:
                        raise _FailedEvent(
                            f"the hub could not start the server {server.label}: {event.message}"
                        )
                    if event.ready:
                        return
                    continue
                getting.cancel()
                if time.monotonic() >= deadline:
                    raise HubSpawnTimeoutError(
                        f"the server {server.label} was not ready within {policy.timeout:.0f} s "
                        "(the hub may still be starting it)"
                    )
                # The stream ended without ready or failed (or never began): ask the hub.
                return await self._settle(fetching, server, deadline, policy)
        finally:
            fetching.cancel()
            http.close()

    async def _settle(
        self,
        fetching: asyncio.Future[Any],
        server: HubServer,
        deadline: float,
        policy: HubStartPolicy,
    ) -> None:
        error = fetching.exception()
        if isinstance(error, HTTPTimeoutError):
            raise HubSpawnTimeoutError(
                f"the server {server.label} was not ready within {policy.timeout:.0f} s"
            )
        if isinstance(error, (OSError, HTTPClientError)):
            raise self._rest.connection_error(error, "spawn progress")
        while time.monotonic() < deadline:
            _name, servers = await self.servers(server.user)
            now = next((s for s in servers if s.name == server.name), None)
            if now is not None and now.ready:
                return
            if now is None or not now.pending:
                raise HubSpawnFailedError(
                    f"the hub could not start the server {server.label} (see the hub's log)"
                )
            await asyncio.sleep(0.5)
        raise HubSpawnTimeoutError(
            f"the server {server.label} was not ready within {policy.timeout:.0f} s"
        )

    async def find_server(
        self,
        address: ServerAddress,
        prompt_token: Callable[[], str] | None,
        policy: HubStartPolicy,
    ) -> HubServer:
        """The running user server ``address`` leads to (started first if ``policy`` agrees).

        Without a token, ``prompt_token()`` is asked once if the hub refuses us.

        Raises:
            HubAuthError, HubServerStoppedError, HubSpawnFailedError, HubSpawnTimeoutError.
        """
        where = hub_location(address)
        try:
            _user, servers = await self.servers(where.user)
        except HubAuthError:
            if self.token is not None or prompt_token is None:
                raise
            self.token = prompt_token() or None
            _user, servers = await self.servers(where.user)
        server = next((s for s in servers if s.name == where.server), None)
        if server is None:
            # A named server that was never created: the hub creates it on start.
            server = replace(servers[0], name=where.server, ready=False, pending="")
            server = replace(server, url=f"{server.url}{where.server}/")
        if server.ready:
            return server
        if not server.pending and (policy.confirm is None or not await policy.confirm(server)):
            raise HubServerStoppedError(
                f"your server {server.label} on the hub at {self.root} is not running: "
                "start it from the hub's home page, or with `tnb run` or `tnb NOTEBOOK`, "
                "which offer to",
                server,
            )
        return await self.start(server, policy)

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._rest.close()


def _server(root: str, user: str, name: str, model: dict[str, Any]) -> HubServer:
    url = str(model.get("url") or f"/user/{quote(user, safe='')}/" + (f"{name}/" if name else ""))
    origin = root.split("://", 1)[0] + "://" + root.split("://", 1)[1].split("/", 1)[0]
    return HubServer(
        user=user,
        name=name,
        ready=bool(model.get("ready")),
        pending=str(model.get("pending") or ""),
        url=origin + url if url.startswith("/") else url,
        hub_url=root,
    )


def _message(body: bytes | None) -> str:
    try:
        decoded = json.loads(body or b"")
    except ValueError:
        return ""
    return str(decoded.get("message") or "") if isinstance(decoded, dict) else ""


def _progress(data: bytes) -> SpawnProgress | None:
    try:
        event = json.loads(data)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    percent = event.get("progress")
    return SpawnProgress(
        percent=int(percent) if isinstance(percent, int | float) else None,
        message=str(event.get("message") or ""),
        ready=bool(event.get("ready")),
        failed=bool(event.get("failed")),
    )
