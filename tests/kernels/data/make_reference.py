# mypy: disable-error-code="no-untyped-call,no-any-return"
"""Regenerates the reference notebooks here by executing them with nbclient (Jupyter's own runner).

Run `.venv/bin/python -m tests.kernels.data.make_reference` after changing the sources below;
`tests/test_headless.py` checks that `tnb run` produces the same outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).parent

_IMAGE = (
    "import io\n"
    "from PIL import Image as PILImage\n"
    "from IPython.display import Image, display\n"
    "buf = io.BytesIO()\n"
    "PILImage.new('RGB', (4, 3), (200, 30, 60)).save(buf, format='PNG')\n"
    "display(Image(data=buf.getvalue()))"
)

NOTEBOOKS: dict[str, list[tuple[str, str, list[str]]]] = {
    # (cell type, source, tags)
    "outputs": [
        ("markdown", "# Outputs that `tnb run` must reproduce", []),
        ("code", "print('hello, world')\n1 + 1", []),
        (
            "code",
            "import sys\nprint('to stderr', file=sys.stderr, flush=True)\nprint('to stdout')",
            [],
        ),
        ("code", "", []),
        (
            "code",
            "from IPython.display import HTML, Markdown, JSON, display\n"
            "display(HTML('<b>bold</b>'))\ndisplay(Markdown('*md*'))\ndisplay(JSON({'a': [1, 2]}))",
            [],
        ),
        ("code", _IMAGE, []),
        ("code", "handle = display('first', display_id='progress')", []),
        ("code", "handle.update('updated from a later cell')\nprint('updater')", []),
        (
            "code",
            "from IPython.display import clear_output\n"
            "print('gone', flush=True)\nclear_output(wait=True)\nprint('kept')",
            [],
        ),
        (
            "code",
            "for i in range(5):\n    print(f'\\rprogress {i}/4', end='', flush=True)\nprint()",
            [],
        ),
        ("code", "print('héllo wörld ✓ 你好 🎉 e\\u0301')\n'ünïcødé ⟨result⟩'", []),
        ("code", "raise ValueError('expected by the tag')", ["raises-exception"]),
        ("code", "print('this cell is skipped')", ["skip-execution"]),
        ("raw", "raw cell, left alone", []),
        ("code", "print('last cell')", []),
    ],
    "stops": [
        ("code", "x = 41", []),
        ("code", "x + 1", []),
        ("code", "1 / 0", []),
        ("code", "print('never runs')", []),
    ],
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` from its sources, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    makers = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }
    for index, (kind, source, tags) in enumerate(NOTEBOOKS[name]):
        cell = makers[kind](source)
        cell.id = f"{name}-{index}"
        if tags:
            cell.metadata["tags"] = tags
        if "skip-execution" in tags:
            # What a skipped cell stored before must survive the run untouched.
            cell.outputs = [nbformat.v4.new_output("stream", text="stored, never re-run\n")]
        nb.cells.append(cell)
    return nb


def main() -> None:
    for name in NOTEBOOKS:
        nb = build(name)
        NotebookClient(nb, kernel_name="python3", allow_errors=(name == "stops")).execute()
        nbformat.write(nb, HERE / f"{name}.ipynb")
        print(f"wrote {HERE / f'{name}.ipynb'}")


if __name__ == "__main__":
    main()
