"""A hostile notebook, kernel and kernelspec in a real terminal: only text and colour pass."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.e2e.tmux import Tmux, start_recorded, wait_until_gone
from tests.fixtures.hostile import ALL, FORBIDDEN_BYTES, MARKUP
from tests.fixtures.kernelspecs import KernelSpecs
from tnb.notebook.io import dumps_notebook
from tnb.notebook.model import Cell, Notebook, Output

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

CLICK = MARKUP[1]  # "[@click=app.quit]TNBPWN-q[/]": must show as typed, never quit the app


def _assert_terminal_untouched(session: Tmux, record: Path) -> None:
    """No hostile byte in what tnb wrote, the title not set, no clipboard write, screen kept."""
    written = record.read_bytes()
    assert written, "nothing was recorded"
    leaked = [sequence for sequence in FORBIDDEN_BYTES if sequence in written]
    assert leaked == []
    assert "TNBPWN" not in session.title()
    assert session.buffers() == ""


def _hostile_notebook() -> Notebook:
    markdown = (
        f"# Heading {ALL}\n\n"
        f"A [link {ALL}](https://example.org/\x1b]0;TNBPWN-url\x07)"
        f" and ![alt {ALL}](attachment:x.png)\n\n"
        f"| col {ALL} |\n|---|\n| cell {ALL} |\n\n"
        f"<b>html {ALL}</b>\n\n{' '.join(MARKUP)}\n\nMARKER-MD"
    )
    md = Cell.new("markdown", markdown)
    md.attachments = {f"x{ALL}.png": {"image/png": "iVBORw0KGgo="}}
    code = Cell.new("code", f"print('code') # {ALL}\n# MARKER-CODE")
    code.outputs = [
        Output("stream", name="stdout", text=f"out {ALL}\nMARKER-OUT\n"),
        Output("stream", name="stderr", text=f"err {ALL}\n"),
        Output(
            "display_data",
            data={"text/markdown": f"md out {ALL}", "text/plain": f"plain {ALL}"},
        ),
        Output("display_data", data={"text/html": f"<p>html out {ALL}</p>"}),
        Output("error", ename=f"Evil{ALL}", evalue=f"value {ALL}", traceback=[f"tb {ALL}", CLICK]),
    ]
    raw = Cell.new("raw", f"raw {ALL} {CLICK}\nMARKER-RAW")
    return Notebook(cells=[md, raw, code], metadata={"kernelspec": {"language": "python"}})


def test_hostile_notebook_opened_without_a_kernel(tmux_factory: list[Tmux], tmp_path: Path) -> None:
    path = tmp_path / f"hostile{ALL[:12]}.ipynb"  # the file name too: it is in the bars
    path.write_text(dumps_notebook(_hostile_notebook()), encoding="utf-8")
    record = tmp_path / "terminal.bin"
    session = start_recorded(tmux_factory, str(path), "--no-kernel", cwd=tmp_path, record=record)
    session.wait_for("Heading", "TNBPWN-bell", "attached", timeout=60)
    session.keys("j")  # each cell in turn, so every surface is drawn
    screen = session.wait_for("MARKER-RAW")
    assert CLICK in screen  # markup shown as typed
    session.keys("j")
    screen = session.wait_for("MARKER-CODE", "MARKER-OUT", "html out", "tb")
    assert CLICK in screen
    session.keys("Enter")  # the live editor on the hostile source
    session.wait_for("EDIT", "MARKER-CODE")
    session.keys("Escape")
    session.wait_for("COMMAND")
    _assert_terminal_untouched(session, record)
    assert session.alive()  # the [@click=app.quit] never acted
    session.keys("q")
    wait_until_gone(session)


def test_hostile_kernel_output_and_input_prompt(
    tmux_factory: list[Tmux], tmp_path: Path, kernelspecs: KernelSpecs
) -> None:
    spec = {
        "name": kernelspecs.python,
        "display_name": "p",
        "language": "python",
    }
    (tmp_path / "hostile.txt").write_text(ALL, encoding="utf-8")  # the kernel runs in this folder
    source = (
        "import sys; h = open('hostile.txt', encoding='utf-8').read()\n"
        "print(h + 'RUN-OUT'); print(h, file=sys.stderr)\n"
        "answer = input(h + 'PROMPT-MARK ')\n"
        "print('got', answer); raise ValueError(h + 'RUN-ERR')"
    )
    nb = Notebook(cells=[Cell.new("code", source)], metadata={"kernelspec": spec})
    path = tmp_path / "kernel.ipynb"
    path.write_text(dumps_notebook(nb), encoding="utf-8")
    record = tmp_path / "terminal.bin"
    session = start_recorded(tmux_factory, str(path), cwd=tmp_path, record=record)
    session.wait_for("raw · idle", timeout=60)
    session.keys("C-r")
    session.wait_for("input requested", "TNBPWN-clear", timeout=60)
    session.keys("yes", literal=True)
    session.keys("Enter")
    session.wait_for("got yes", "RUN-ERR", "RUN-OUT", timeout=60)
    _assert_terminal_untouched(session, record)
    session.keys("q")
    session.wait_for("unsaved changes")
    session.keys("d")
    wait_until_gone(session)


def test_hostile_kernelspec_in_the_picker(tmux_factory: list[Tmux], tmp_path: Path) -> None:
    kernels = tmp_path / "jupyter" / "kernels" / "evil"
    kernels.mkdir(parents=True)
    display = f"Evil PICKER-MARK {CLICK} {ALL}"
    spec = {"argv": [sys.executable, "-c", "pass"], "display_name": display, "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(spec))
    jupyter_path = os.pathsep.join([str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH", "")])
    record = tmp_path / "terminal.bin"
    path = tmp_path / "new.ipynb"
    session = start_recorded(
        tmux_factory, str(path), cwd=tmp_path, record=record, env={"JUPYTER_PATH": jupyter_path}
    )
    screen = session.wait_for("Choose a kernel", "PICKER-MARK", timeout=60)
    assert CLICK in screen
    _assert_terminal_untouched(session, record)
    session.keys("Escape")
    session.wait_for("COMMAND")
    session.keys("q")
    wait_until_gone(session)
