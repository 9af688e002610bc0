"""The Jupyter server's REST API over tornado, and the errors a user can act on."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse

from tnb.kernels.protocol import KernelConnectionError, KernelStartError
from tnb.kernels.server.gateway import ServerFlavour, detect_flavour
from tnb.kernels.server.url import ServerAddress, redact

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 60.0
CONNECT_TIMEOUT = 10.0
# Writes a request body piece by piece (tornado's ``body_producer``): ``write(chunk)``.
BodyProducer = Callable[[Callable[[bytes], Awaitable[None]]], Awaitable[None]]
# Tornado reports its own failures (timeouts, closed streams) as HTTP 599.
_TORNADO_FAILURE = 599


class InvalidServerURLError(KernelConnectionError):
    """What was given as a server address is not a usable URL."""


class ServerUnreachableError(KernelConnectionError):
    """Nothing answers at the server's address (refused, no such host, timed out)."""


class ServerStoppedError(ServerUnreachableError):
    """The server answered before and has stopped answering (e.g. it was stopped mid-run)."""


class NotAJupyterServerError(KernelConnectionError):
    """Something answers at the address, but not a Jupyter server's API."""


class JupyterHubURLError(NotAJupyterServerError):
    """The address is a JupyterHub's (its root, or a user server that is not running)."""


class ServerAuthError(KernelConnectionError):
    """The server refused our credentials (HTTP 401/403): wrong or missing token."""


class ServerTLSError(KernelConnectionError):
    """The https connection failed: certificate not trusted, wrong host name, bad handshake."""


class ServerRequestError(KernelConnectionError):
    """The server answered a request with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class KernelGoneError(KernelConnectionError):
    """The kernel no longer exists on the server (shut down or deleted by another client)."""


class UnknownKernelSpecError(KernelStartError):
    """The server has no kernelspec of that name."""


def _server_message(response: HTTPResponse | None) -> str:
    if response is None or not response.body:
        return ""
    try:
        body = json.loads(response.body)
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("message") or body.get("reason") or "")
    return ""


class ServerClient:
    """REST calls to one server with its token in the Authorization header of every request."""

    def __init__(
        self,
        address: ServerAddress,
        token: str | None,
        *,
        ca_bundle: str | None = None,
        verify_tls: bool = True,
    ) -> None:
        self.address = address
        self.token = token
        self.ca_bundle = ca_bundle
        self.verify_tls = verify_tls
        self._http: AsyncHTTPClient | None = None
        self.answered = False  # once the server has answered, failures mean it stopped

    def __repr__(self) -> str:
        return f"ServerClient({self.address.base_url!r})"

    def clone(self) -> ServerClient:
        """Another client to the same server (each owner closes its own)."""
        other = ServerClient(
            self.address, self.token, ca_bundle=self.ca_bundle, verify_tls=self.verify_tls
        )
        other.answered = self.answered
        return other

    @property
    def headers(self) -> dict[str, str]:
        """Headers for every request and the websocket handshake."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        return headers

    def http_request(
        self,
        url: str,
        *,
        method: str = "GET",
        body: str | None = None,
        timeout: float = REQUEST_TIMEOUT,
        body_producer: BodyProducer | None = None,
    ) -> HTTPRequest:
        """A tornado request with auth and TLS settings; redirects are not followed.

        Following a redirect would send the token to wherever it points.
        """
        headers = self.headers
        if body is not None or body_producer is not None:
            headers["Content-Type"] = "application/json"
        return HTTPRequest(
            url,
            method=method,
            headers=headers,
            body=body,
            body_producer=body_producer,  # type: ignore[arg-type]  # tornado's Future type
            follow_redirects=False,
            connect_timeout=min(CONNECT_TIMEOUT, timeout),
            request_timeout=timeout,
            validate_cert=self.verify_tls,
            ca_certs=self.ca_bundle,
            allow_nonstandard_methods=True,
        )

    def clean(self, text: str) -> str:
        """``text`` without the token."""
        return redact(text, self.token)

    def connection_error(self, exc: BaseException, what: str) -> KernelConnectionError:
        """Map a transport failure to the error a user can act on."""
        base = self.address.base_url
        reason = self.clean(str(exc) or type(exc).__name__)
        if isinstance(exc, ssl.SSLError):
            return ServerTLSError(
                f"TLS failed for {base}: {reason}. Pass the server's CA with --ca-bundle "
                "if it uses a private certificate authority."
            )
        if self.answered:
            return ServerStoppedError(f"the Jupyter server at {base} stopped answering ({reason})")
        return ServerUnreachableError(f"cannot reach a server at {base} ({what}: {reason})")

    def status_error(self, response: HTTPResponse, what: str) -> KernelConnectionError:
        """Map an HTTP error status to an error."""
        base = self.address.base_url
        detail = self.clean(_server_message(response))
        suffix = f": {detail}" if detail else ""
        if response.code in (401, 403):
            hint = "wrong token" if self.token else "the server needs a token (--token)"
            return ServerAuthError(
                f"the server at {base} refused access (HTTP {response.code}, {hint})"
            )
        return ServerRequestError(
            f"{what} failed on {base}: HTTP {response.code} {response.reason}{suffix}",
            response.code,
        )

    async def fetch(
        self,
        path: str,
        *,
        method: str = "GET",
        body: Any = None,
        request_timeout: float = REQUEST_TIMEOUT,
        body_producer: BodyProducer | None = None,
    ) -> HTTPResponse:
        """Send one request; return the response whatever its status; raise on no answer.

        ``body_producer`` streams a large body (chunked) instead of ``body``'s JSON.
        """
        if self._http is None:
            self._http = AsyncHTTPClient(force_instance=True, max_body_size=1 << 30)
        payload = json.dumps(body) if body is not None else None
        if payload is None and body_producer is None and method in ("POST", "PUT", "PATCH"):
            payload = ""
        request = self.http_request(
            self.address.url(path),
            method=method,
            body=payload,
            timeout=request_timeout,
            body_producer=body_producer,
        )
        try:
            response = await self._http.fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as exc:
            raise self.connection_error(exc, f"{method} {path}") from None
        if response.code == _TORNADO_FAILURE:
            raise self.connection_error(response.error or OSError("no answer"), f"{method} {path}")
        self.answered = True
        return response

    async def call(
        self,
        path: str,
        *,
        method: str = "GET",
        body: Any = None,
        request_timeout: float = REQUEST_TIMEOUT,
        body_producer: BodyProducer | None = None,
    ) -> Any:
        """One API call: the decoded JSON answer (None for 204), or the mapped error."""
        response = await self.fetch(
            path,
            method=method,
            body=body,
            request_timeout=request_timeout,
            body_producer=body_producer,
        )
        if response.code >= 400 or 300 <= response.code < 400:
            raise self.status_error(response, f"{method} {path.split('?')[0]}")
        if response.code == 204 or not response.body:
            return None
        try:
            return json.loads(response.body)
        except ValueError:
            raise NotAJupyterServerError(
                f"{self.address.base_url}{path} did not answer with JSON"
            ) from None

    async def check(self) -> ServerFlavour:
        """Probe ``{base}api`` and an authenticated endpoint; what kind of server it is."""
        base = self.address.base_url
        response = await self.fetch("api", request_timeout=CONNECT_TIMEOUT * 2)
        hub = response.headers.get("X-JupyterHub-Version")
        if hub and (300 <= response.code < 400 or response.code == 404):
            # The hub answers for a user server that is not running, and at its own root.
            raise JupyterHubURLError(f"{base} is a JupyterHub {hub} address, not a server's")
        if 300 <= response.code < 400:
            location = self.clean(response.headers.get("Location", ""))
            if "login" in location:
                raise ServerAuthError(f"the server at {base} wants a login (give a token)")
            raise NotAJupyterServerError(
                f"{base}api redirects to {location or 'elsewhere'}: "
                "this URL is not a Jupyter server's base URL"
            )
        if response.code in (401, 403):
            raise self.status_error(response, "GET api")
        flavour: ServerFlavour | None = None
        if response.code == 200:
            try:
                api = json.loads(response.body)
            except ValueError:
                api = None
            flavour = detect_flavour(api) if isinstance(api, dict) else None
        if flavour is None:
            raise NotAJupyterServerError(
                f"{base} answers (HTTP {response.code}) but is not a Jupyter server: "
                f"no Jupyter API at {base}api"
            )
        await self.call(flavour.auth_probe)
        return flavour

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        if self._http is not None:
            self._http.close()
            self._http = None


def kernel_path(kernel_id: str, action: str = "") -> str:
    """``api/kernels/{id}[/action]`` with the id escaped."""
    path = f"api/kernels/{quote(kernel_id, safe='')}"
    return f"{path}/{action}" if action else path


def log_debug(client: ServerClient, message: str, *args: object) -> None:
    """Debug-log with the token removed from the formatted text."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug("%s", client.clean(message % args if args else message))
