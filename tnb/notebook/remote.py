"""Where a notebook that lives on a Jupyter server is: the server, its path there, its version."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RemoteLocation:
    """A notebook on a Jupyter server, as the Contents API names it; never holds a token.

    ``server`` is the server's base URL (ending in '/'); ``path`` the file's API path
    (no leading slash); ``last_modified`` the server's timestamp of the version tnb last
    loaded or saved: a save first checks that the server still has that version.
    """

    server: str
    path: str
    last_modified: str | None = None

    @property
    def name(self) -> str:
        """The file name, e.g. ``run1.ipynb``."""
        return self.path.rsplit("/", 1)[-1] or self.path

    @property
    def folder(self) -> str:
        """The API path of the folder that holds it ('' at the server's root)."""
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def identity(self) -> str:
        """One string per notebook on a server (its journal is filed under it)."""
        return f"{self.server}{self.path}"

    def __str__(self) -> str:
        return self.identity

    def at_version(self, last_modified: str | None) -> RemoteLocation:
        """The same notebook at another version (after a save or a reload)."""
        return replace(self, last_modified=last_modified)

    def moved_to(self, path: str) -> RemoteLocation:
        """The same server, another path (after save as or rename)."""
        return replace(self, path=path.lstrip("/"))

    def to_json(self) -> dict[str, Any]:
        """What a recovery journal keeps of it."""
        return {"server": self.server, "path": self.path, "last_modified": self.last_modified}

    @classmethod
    def from_json(cls, value: object) -> RemoteLocation | None:
        """Read ``to_json``'s shape back; None for anything else."""
        if not isinstance(value, dict):
            return None
        server, path, modified = value.get("server"), value.get("path"), value.get("last_modified")
        if not isinstance(server, str) or not isinstance(path, str):
            return None
        return cls(server, path, modified if isinstance(modified, str) else None)


def same_version(a: str | None, b: str | None) -> bool:
    """Two Contents API ``last_modified`` stamps name the same moment (formats vary by server:
    ``Z`` or ``+00:00``, with or without microseconds)."""
    if a is None or b is None:
        return a == b
    return _instant(a) == _instant(b)


def _instant(stamp: str) -> datetime | str:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
