"""Outputs from a real ipykernel (display types, hostile prints, an error) through the renderer."""

from __future__ import annotations

import asyncio

from tests.fixtures.kernelspecs import KernelSpecs
from tests.render.terminal import to_plain, to_terminal, unsafe_parts
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.notebook.model import Cell, Notebook, Output
from tnb.session.runner import Runner
from tnb.ui.render import best_mime, render_output

CELLS = [
    # Hostile prints: title, clipboard write, screen clear, cursor home, a hyperlink, a bell.
    "print('\\x1b]0;pwned\\x07\\x1b]52;c;cm0gLXJm\\x07\\x1b[2J\\x1b[H\\x1b[31mred\\x1b[0m "
    "\\x1b]8;;https://evil.example\\x1b\\\\link\\x1b]8;;\\x1b\\\\ \\a done')",
    "from IPython.display import Markdown, HTML, Latex, JSON, SVG, Image, display\n"
    "display(Markdown('# Heading\\n\\n*emphasis*'))\n"
    "display(HTML('<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>'))\n"
    "display(Latex(r'$\\alpha^{2} + \\beta$'))\n"
    "display(JSON({'answer': 42}))\n"
    'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10"></svg>\'))',
    "import io\nfrom PIL import Image as P\nb = io.BytesIO()\n"
    "P.new('RGB', (100, 40), (0, 255, 0)).save(b, 'PNG')\nImage(data=b.getvalue())",
    "1/0",
]


async def _run(kernel_name: str) -> Notebook:
    notebook = Notebook.new()
    notebook.cells = [Cell.new("code", source) for source in CELLS]
    provider = LocalProvider(startup_timeout=60.0)
    backend = await provider.start(select_choice(await provider.list_choices(), wanted=kernel_name))
    try:
        await asyncio.wait_for(Runner(backend, notebook, allow_errors=True).run_all(), 120)
    finally:
        await backend.shutdown()
    return notebook


def test_real_kernel_outputs_render_safely(kernelspecs: KernelSpecs) -> None:
    notebook = asyncio.run(_run(kernelspecs.python))
    outputs: list[Output] = [output for cell in notebook.cells for output in cell.outputs]
    drawn = {id(output): to_terminal(render_output(output, 80)) for output in outputs}
    for text in drawn.values():
        assert unsafe_parts(text) == []
        assert "pwned" not in text and "evil.example" not in text

    stream = notebook.cells[0].outputs[0]
    assert "\x1b[31mred" in drawn[id(stream)]
    assert "link" in drawn[id(stream)] and "done" in drawn[id(stream)]

    kinds = [best_mime(output.data) for output in notebook.cells[1].outputs]
    assert kinds == [
        "text/markdown",
        "text/html",
        "text/latex",
        "application/json",
        "image/svg+xml",
    ]
    plain = [to_plain(render_output(output, 80)) for output in notebook.cells[1].outputs]
    assert "Heading" in plain[0] and "#" not in plain[0]
    assert [word for word in plain[1].split() if "─" not in word] == ["k", "v", "a", "1"]
    assert "─" in plain[1]  # drawn as a table, with its header rule
    assert "α² + β" in plain[2]
    assert '"answer": 42' in plain[3]
    assert "SVG image 30×10" in plain[4]

    picture = notebook.cells[2].outputs[0]
    assert best_mime(picture.data) == "image/png"
    assert "\x1b[38;2;0;255;0;48;2;0;255;0m▀▀▀▀▀▀▀▀▀▀" in drawn[id(picture)]

    error = notebook.cells[3].outputs[0]
    assert error.output_type == "error"
    assert "ZeroDivisionError" in to_plain(render_output(error))
    assert "\x1b[31mZeroDivisionError" in drawn[id(error)]
