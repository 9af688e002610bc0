"""Notebooks written straight into a test server's root folder, and read back over REST."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.fixtures.jupyter_server import JupyterServer


def put_notebook(server: JupyterServer, path: str, *sources: str) -> Path:
    """Write a notebook of code cells at ``path`` under the server's root; its file."""
    cells: list[dict[str, Any]] = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{i}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for i, source in enumerate(sources)
    ]
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = {"cells": cells, "metadata": {"kernelspec": spec}, "nbformat": 4, "nbformat_minor": 5}
    file = server.root_dir / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return file


def rest(server: JupyterServer, path: str, *, method: str = "GET", body: Any = None) -> Any:
    """One REST call to the server with its token; the decoded answer (None when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        server.url + path,
        data=data,
        method=method,
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def server_notebook(server: JupyterServer, path: str) -> dict[str, Any]:
    """The notebook at ``path`` as the server's Contents API gives it."""
    model = rest(server, f"api/contents/{quote(path)}?content=1&type=notebook")
    content = model["content"]
    assert isinstance(content, dict)
    return content


def sources(nb: dict[str, Any]) -> list[str]:
    """Each cell's source as one string."""
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]
    ]
