"""The Jupyter servers a user added, remembered in tnb's config folder (file mode 0600)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from tnb.kernels.server.url import parse_server_url

STORE_NAME = "servers.json"


@dataclass(frozen=True)
class RememberedServer:
    """A server's base URL, a label, and its token only if the user asked to keep it."""

    url: str
    name: str = ""
    token: str | None = None

    def __repr__(self) -> str:
        shown = "None" if self.token is None else "'***'"
        return f"RememberedServer(url={self.url!r}, name={self.name!r}, token={shown})"


def config_dir() -> Path:
    """``$TNB_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/tnb``, else ``~/.config/tnb``."""
    if explicit := os.environ.get("TNB_CONFIG_DIR"):
        return Path(explicit)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "tnb"


def store_path() -> Path:
    """Where the remembered servers live."""
    return config_dir() / STORE_NAME


def load_servers() -> list[RememberedServer]:
    """The remembered servers, oldest first; an unreadable store reads as empty."""
    try:
        raw = json.loads(store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    servers = []
    for entry in raw.get("servers", []) if isinstance(raw, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            token = entry.get("token")
            servers.append(
                RememberedServer(
                    url=entry["url"],
                    name=str(entry.get("name") or ""),
                    token=token if isinstance(token, str) and token else None,
                )
            )
    return servers


def _write(servers: list[RememberedServer]) -> None:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = json.dumps({"servers": [asdict(s) for s in servers]}, indent=2) + "\n"
    # mkstemp creates the file 0600 before anything is written: the token never sits in a
    # world-readable file, and the rename means a crash never leaves half a store.
    fd, tmp = tempfile.mkstemp(prefix=".servers-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.chmod(path, 0o600)


def remember_server(url: str, *, name: str = "", token: str | None = None) -> RememberedServer:
    """Add or update a server by its base URL; the token is stored only if given here.

    A token inside ``url`` is never stored: pass it as ``token`` to keep it on purpose.
    """
    base = parse_server_url(url).base_url
    entry = RememberedServer(url=base, name=name, token=token or None)
    servers = [s for s in load_servers() if s.url != base]
    servers.append(entry)
    _write(servers)
    return entry


def forget_server(url: str) -> bool:
    """Remove a server; False if it was not remembered."""
    base = parse_server_url(url).base_url
    servers = load_servers()
    kept = [s for s in servers if s.url != base]
    if len(kept) == len(servers):
        return False
    _write(kept)
    return True
