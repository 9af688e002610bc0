"""Notebooks written straight into a test server's root folder, and read back over REST."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.fixtures.jupyter_server import JupyterServer
from tnb.notebook.io import save_notebook
from tnb.notebook.model import Cell, Notebook

PYTHON3 = {"name": "python3", "display_name": "Python 3", "language": "python"}


def put_notebook(server: JupyterServer, path: str, *sources: str) -> Path:
    """Write a notebook of code cells at ``path`` under the server's root; its file."""
    nb = Notebook(cells=[Cell.new("code", source) for source in sources])
    nb.metadata["kernelspec"] = PYTHON3
    file = server.root_dir / path
    file.parent.mkdir(parents=True, exist_ok=True)
    save_notebook(nb, file)
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


def save_elsewhere(server: JupyterServer, path: str, *sources: str) -> None:
    """Another client saves the notebook at ``path`` with these cell sources (a plain PUT:
    no checkpoint, as an autosave or another tool would)."""
    content = server_notebook(server, path)
    content["cells"] = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"elsewhere{i}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for i, source in enumerate(sources)
    ]
    body = {"type": "notebook", "format": "json", "content": content}
    rest(server, f"api/contents/{quote(path)}", method="PUT", body=body)


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
