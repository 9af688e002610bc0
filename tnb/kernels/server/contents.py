"""A Jupyter server's files through its Contents API: read, save (streamed), list, checkpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from tnb.kernels.server.rest import ServerClient, ServerRequestError

# Bytes sent per write of a streamed save: small enough that the body never exists whole,
# large enough that a 100 MB notebook is a few hundred writes.
SAVE_CHUNK = 1 << 18
SAVE_TIMEOUT = 600.0  # a large notebook on a slow link; the server answers once it has it all


@dataclass(frozen=True)
class ContentsEntry:
    """One file or folder on the server, as the Contents API describes it (without content)."""

    name: str
    path: str
    type: str  # "notebook" | "file" | "directory"
    last_modified: str | None
    size: int | None = None

    @classmethod
    def of(cls, model: Any) -> ContentsEntry:
        """From a Contents API model (a dict)."""
        if not isinstance(model, dict):
            raise ServerRequestError("the server's Contents API answered with no model", 502)
        size = model.get("size")
        modified = model.get("last_modified")
        return cls(
            name=str(model.get("name", "")),
            path=str(model.get("path", "")),
            type=str(model.get("type", "file")),
            last_modified=modified if isinstance(modified, str) else None,
            size=size if isinstance(size, int) else None,
        )


@dataclass(frozen=True)
class Checkpoint:
    """A saved version the server keeps of a file (JupyterLab's "Revert to checkpoint")."""

    id: str
    last_modified: str


def contents_path(path: str, *tail: str) -> str:
    """``api/contents/{path}[/tail...]`` with every segment escaped."""
    escaped = quote(path.strip("/"), safe="/")
    parts = ["api/contents", escaped] if escaped else ["api/contents"]
    parts += [quote(t, safe="") for t in tail]
    return "/".join(parts)


class ServerContents:
    """The Contents API of one server, through a ``ServerClient`` (its token, TLS, errors)."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    async def stat(self, path: str) -> ContentsEntry:
        """The entry at ``path`` without its content (raises ``ServerRequestError`` 404)."""
        query = urlencode({"content": 0})
        return ContentsEntry.of(await self.client.call(f"{contents_path(path)}?{query}"))

    async def read_text(self, path: str) -> tuple[ContentsEntry, str]:
        """The file's entry and its text exactly as stored (a notebook's JSON unparsed).

        Asked as a text file so that tnb parses the notebook itself: its own clear errors for
        a broken file, the file's own layout, and no validation pass on the server.
        """
        query = urlencode({"type": "file", "format": "text", "content": 1})
        model = await self.client.call(f"{contents_path(path)}?{query}")
        content = model.get("content") if isinstance(model, dict) else None
        if not isinstance(content, str):
            raise ServerRequestError(f"{path}: the server sent no text for it", 502)
        return ContentsEntry.of(model), content

    async def save_notebook(self, path: str, content_json: Iterable[str]) -> ContentsEntry:
        """PUT a notebook whose JSON text comes in pieces; the request body is streamed, so it
        never exists whole in memory beside the notebook. Returns the saved entry."""
        pieces = iter(content_json)

        async def produce(write: Callable[[bytes], Awaitable[None]]) -> None:
            await write(b'{"type": "notebook", "format": "json", "content": ')
            batch: list[str] = []
            size = 0
            for piece in pieces:
                if len(piece) >= SAVE_CHUNK:
                    # A huge output's text comes as one piece: sent in slices, never copied whole.
                    await write("".join(batch).encode("utf-8"))
                    batch, size = [], 0
                    for start in range(0, len(piece), SAVE_CHUNK):
                        await write(piece[start : start + SAVE_CHUNK].encode("utf-8"))
                        await asyncio.sleep(0)
                    continue
                batch.append(piece)
                size += len(piece)
                if size >= SAVE_CHUNK:
                    await write("".join(batch).encode("utf-8"))
                    batch, size = [], 0
                    await asyncio.sleep(0)  # encoding is CPU work: let the UI draw between
            await write(("".join(batch) + "}").encode("utf-8"))

        model = await self.client.call(
            contents_path(path), method="PUT", body_producer=produce, request_timeout=SAVE_TIMEOUT
        )
        return ContentsEntry.of(model)

    async def list_folder(self, path: str) -> list[ContentsEntry]:
        """The folder's entries (folders first, then by name, as JupyterLab lists them)."""
        query = urlencode({"type": "directory", "content": 1})
        model = await self.client.call(f"{contents_path(path)}?{query}")
        content = model.get("content") if isinstance(model, dict) else None
        entries = [ContentsEntry.of(m) for m in content or [] if isinstance(m, dict)]
        return sorted(entries, key=lambda e: (e.type != "directory", e.name.lower()))

    async def new_notebook(self, folder: str) -> ContentsEntry:
        """A new empty notebook in ``folder``, named by the server (Untitled.ipynb, ...)."""
        body = {"type": "notebook", "ext": ".ipynb"}
        return ContentsEntry.of(
            await self.client.call(contents_path(folder), method="POST", body=body)
        )

    async def rename(self, path: str, new_path: str) -> ContentsEntry:
        """Move ``path`` to ``new_path`` (the server refuses an existing name: 409)."""
        body = {"path": new_path.strip("/")}
        return ContentsEntry.of(
            await self.client.call(contents_path(path), method="PATCH", body=body)
        )

    async def delete(self, path: str) -> None:
        """Delete the file or (empty) folder (the server may move it to its trash)."""
        await self.client.call(contents_path(path), method="DELETE")

    async def checkpoints(self, path: str) -> list[Checkpoint]:
        """The file's checkpoints, oldest first."""
        answer = await self.client.call(contents_path(path, "checkpoints"))
        found = [_checkpoint(c) for c in answer or [] if isinstance(c, dict)]
        return sorted((c for c in found if c is not None), key=lambda c: c.last_modified)

    async def create_checkpoint(self, path: str) -> Checkpoint:
        """Keep the file's current version as a checkpoint (jupyter_server keeps one per file)."""
        answer = await self.client.call(contents_path(path, "checkpoints"), method="POST")
        checkpoint = _checkpoint(answer)
        if checkpoint is None:
            raise ServerRequestError(f"{path}: the server made no checkpoint", 502)
        return checkpoint

    def close(self) -> None:
        """Release the HTTP client; idempotent."""
        self.client.close()

    async def restore_checkpoint(self, path: str, checkpoint_id: str) -> None:
        """Put the checkpoint's version back as the file."""
        await self.client.call(contents_path(path, "checkpoints", checkpoint_id), method="POST")


def _checkpoint(value: Any) -> Checkpoint | None:
    if not isinstance(value, dict) or "id" not in value:
        return None
    return Checkpoint(id=str(value["id"]), last_modified=str(value.get("last_modified", "")))
