"""Split what users paste for a Jupyter server into a base URL and a token."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Path segments that name a page of a server's UI (or its API), not part of its base URL:
# everything from the first of them on is cut off.
_UI_SEGMENTS = frozenset(
    {"lab", "tree", "notebooks", "edit", "view", "doc", "terminals", "login", "api", "voila"}
)


class ServerURLError(ValueError):
    """The text is not a usable http(s) server address."""


@dataclass(frozen=True)
class ServerAddress:
    """A server's base URL (always ending in '/', path kept verbatim) and the token it carried."""

    base_url: str
    token: str | None

    def __repr__(self) -> str:
        # Reprs end up in logs and tracebacks: never show the token.
        shown = "None" if self.token is None else "'***'"
        return f"ServerAddress(base_url={self.base_url!r}, token={shown})"

    @property
    def ws_base_url(self) -> str:
        """The base URL with ws:// or wss://."""
        scheme, rest = self.base_url.split("://", 1)
        return ("wss" if scheme == "https" else "ws") + "://" + rest

    def url(self, path: str) -> str:
        """``base_url + path`` (path without a leading slash, already escaped)."""
        return self.base_url + path.lstrip("/")


def _base_path(path: str) -> str:
    segments = path.split("/")
    # JupyterHub: /user/NAME/... and /user/NAME is part of the base whatever NAME is.
    keep_from = 0
    if len(segments) > 2 and segments[0] == "" and segments[1] == "user" and segments[2]:
        keep_from = 3
    for index in range(max(keep_from, 1), len(segments)):
        if segments[index] in _UI_SEGMENTS:
            segments = segments[:index]
            break
    base = "/".join(segments)
    if not base.endswith("/"):
        base += "/"
    if not base.startswith("/"):
        base = "/" + base
    return base


def parse_server_url(text: str) -> ServerAddress:
    """Parse a pasted server address.

    Accepts ``http://h:8888/?token=T``, ``.../lab?token=T``, ``.../tree?token=T``, a bare
    base URL, a JupyterHub ``https://hub/user/alice/`` URL, with or without trailing slashes,
    and ``host:port`` without a scheme (http is assumed). The base URL keeps its path as
    written (escaped characters included) and drops the query, fragment and credentials.

    Raises:
        ServerURLError: for anything that is not an http(s) URL with a host.
    """
    text = text.strip()
    if not text:
        raise ServerURLError("no server URL given")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ServerURLError(f"a server URL starts with http:// or https://, not {scheme}://")
    host = parts.hostname
    if not host:
        raise ServerURLError("the server URL has no host name")
    try:
        port = parts.port
    except ValueError as exc:
        raise ServerURLError("the server URL has an invalid port") from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    token: str | None = None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "token" and value:
            token = value
    base = urlunsplit((scheme, netloc, _base_path(parts.path), "", ""))
    return ServerAddress(base_url=base, token=token)


# The pages of JupyterLab, Notebook 7 and the classic Notebook that show one file: what follows
# them in the URL is the file's path on the server (JupyterLab workspaces come first).
_FILE_PAGES = (("lab", "tree"), ("doc", "tree"), ("tree",), ("notebooks",), ("edit",))


def is_server_url(text: str) -> bool:
    """True for text a user means as a server address rather than a file name."""
    return text.strip().lower().startswith(("http://", "https://"))


def file_path_in_url(text: str) -> str | None:
    """The server path of the file or folder a JupyterLab/Notebook URL shows (None: the root).

    ``/lab/tree/exp/run1.ipynb``, ``/lab/workspaces/w/tree/…``, ``/doc/tree/…``,
    ``/tree/…``, ``/notebooks/…`` and ``/edit/…``, after any base URL (``/user/alice/``)
    give ``exp/run1.ipynb`` (unescaped); whether it is a file or a folder only the server knows.
    """
    base = parse_server_url(text).base_url
    path = urlsplit(text.strip() if "://" in text else "http://" + text.strip()).path
    base_path = urlsplit(base).path
    rest = [s for s in path[len(base_path) :].split("/") if s] if path.startswith(base_path) else []
    if rest[:2] == ["lab", "workspaces"] and len(rest) > 3:
        rest = ["lab", *rest[3:]]
    for page in _FILE_PAGES:
        if tuple(rest[: len(page)]) == page:
            segments = rest[len(page) :]
            return "/".join(unquote(s) for s in segments) or None
    return None


def redact(text: str, token: str | None) -> str:
    """``text`` with every occurrence of ``token`` (raw or URL-encoded) replaced by '***'."""
    if not token:
        return text
    encoded = urlencode({"t": token})[2:]
    for form in {token, encoded}:
        text = text.replace(form, "***")
    return text


def needs_token(url: str, token: str | None) -> bool:
    """True when no token is given, none is in the URL and ``$JUPYTER_TOKEN`` is unset."""
    try:
        in_url = parse_server_url(url).token
    except ServerURLError:
        return False
    return not (token or in_url or os.environ.get("JUPYTER_TOKEN"))
