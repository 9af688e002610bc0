"""The same notebooks through the raw and the server backends give the same outputs."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.jupyter_server import JupyterServer
from tests.fixtures.kernelspecs import KernelSpecs
from tests.server.conftest import FAST
from tnb.kernels.protocol import KernelBackend
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.kernels.server.provider import open_server_provider
from tnb.notebook.io import load_notebook
from tnb.notebook.model import Cell, Notebook
from tnb.session.runner import Runner

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).parents[2]
NOTEBOOKS = [
    ROOT / "tests" / "kernels" / "data" / "outputs.ipynb",
    ROOT / "tests" / "kernels" / "data" / "stops.ipynb",
    ROOT / "examples" / "tour.ipynb",
]

EXTRA = [
    "import sys\nfor i in range(300):\n"
    "    print(i, flush=True)\n    print(-i, file=sys.stderr, flush=True)",
    "from IPython.display import display, Markdown, JSON\n"
    "display(Markdown('*md*'), metadata={'k': 1})\nJSON({'a': [1, 2]})",
    "import json\nprint(json.dumps({'unicode': 'ünï ✓', 'big': 'x' * 100000})[:50])",
    "h = display('one', display_id='x')\nh.update('two')\nh.display('three')",
    "class Rich:\n    def _repr_html_(self): return '<i>r</i>'\n"
    "    def __repr__(self): return 'R'\nRich()",
    "def f():\n    raise KeyError('deep')\nf()",
]

# Object addresses differ between two processes; nothing else may.
_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")


def _normalise(nb: Notebook) -> list[Any]:
    cells = []
    for cell in nb.cells:
        outputs = []
        for output in cell.outputs:
            fields = dataclasses.asdict(output)
            fields.pop("execution_count")
            outputs.append(_ADDRESS.sub("0x…", repr(fields)))
        cells.append((cell.cell_type, cell.source, outputs))
    return cells


async def _run(backend: KernelBackend, source: Path | None) -> list[Any]:
    if source is not None:
        nb = load_notebook(source)
    else:
        nb = Notebook(cells=[Cell.new("code", code) for code in EXTRA])
    for cell in nb.cells:
        cell.outputs.clear()
    await asyncio.wait_for(Runner(backend, nb, allow_errors=True).run_all(), 120)
    return _normalise(nb)


@pytest.mark.parametrize("source", [*NOTEBOOKS, None], ids=lambda p: p.name if p else "extra")
async def test_raw_and_server_agree(
    source: Path | None, kernelspecs: KernelSpecs, jupyter_server: JupyterServer
) -> None:
    local = LocalProvider()
    raw = await local.start(select_choice(await local.list_choices(), wanted=kernelspecs.python))
    try:
        raw_cells = await _run(raw, source)
    finally:
        await raw.shutdown()
    provider = await open_server_provider(
        jupyter_server.url, token=jupyter_server.token, options=FAST
    )
    try:
        choice = next(
            c
            for c in await provider.list_choices()
            if c.kind == "spec" and c.name == kernelspecs.python
        )
        server = await provider.start(choice)
        try:
            server_cells = await _run(server, source)
        finally:
            await server.shutdown()
    finally:
        await provider.close()
    assert any(outputs for _t, _s, outputs in raw_cells)
    assert server_cells == raw_cells
