"""Notebooks written the way Jupyter writes them (with nbformat itself), for round-trip tests."""

# nbformat ships py.typed but leaves its builders unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import nbformat
from nbformat import v3
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAA"
    "AABJRU5ErkJggg=="
)
ANSI_TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[3], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241;43m1\x1b[39;49m/0",
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.9",
}


def writes(nb: Any) -> str:
    """Exactly what Jupyter (jupyter_server's nbformat.write) puts in the file."""
    text: str = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text + "\n"


def basic() -> Any:
    """Code, markdown and raw cells with every standard output type."""
    code = new_code_cell(
        "import sys\nprint('hello')\nsys.stderr.write('warn\\n')\n1 + 1", execution_count=1
    )
    code.outputs = [
        new_output("stream", name="stdout", text="hello\n"),
        new_output("stream", name="stderr", text="warn\n"),
        new_output("execute_result", data={"text/plain": "2"}, execution_count=1),
    ]
    err = new_code_cell("1/0", execution_count=3)
    err.outputs = [
        new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero", traceback=ANSI_TRACEBACK
        )
    ]
    plot = new_code_cell("plot()", execution_count=4)
    plot.outputs = [
        new_output(
            "display_data",
            data={"image/png": PNG_1X1, "text/plain": "<Figure size 640x480 with 1 Axes>"},
            metadata={"image/png": {"width": 1, "height": 1}},
        )
    ]
    return new_notebook(
        cells=[
            new_markdown_cell("# A title\n\nSome *markdown* text.\n"),
            code,
            new_raw_cell("raw text\nstays raw"),
            err,
            plot,
            new_code_cell(""),
        ],
        metadata={"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO},
    )


def attachments() -> Any:
    """A markdown cell with an attached image and a multiline text attachment."""
    cell = new_markdown_cell("![pic](attachment:pic.png)\n![svg](attachment:d.svg)")
    cell.attachments = {
        "pic.png": {"image/png": PNG_1X1},
        "d.svg": {"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg">\n<rect/>\n</svg>\n'},
    }
    raw = new_raw_cell("raw with attachment")
    raw.attachments = {"notes.txt": {"text/plain": "line one\nline two\n"}}
    return new_notebook(cells=[cell, raw], metadata={"kernelspec": KERNELSPEC})


def widgets() -> Any:
    """ipywidgets: saved widget state in notebook metadata and a widget-view output."""
    state = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                "a1b2c3": {
                    "model_module": "@jupyter-widgets/controls",
                    "model_module_version": "2.0.0",
                    "model_name": "IntSliderModel",
                    "state": {"value": 7, "max": 10, "description": "n", "layout": "IPY_MODEL_d4"},
                }
            },
            "version_major": 2,
            "version_minor": 0,
        }
    }
    cell = new_code_cell("IntSlider(7)", execution_count=1)
    cell.outputs = [
        new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": "a1b2c3",
                    "version_major": 2,
                    "version_minor": 0,
                },
                "text/plain": "IntSlider(value=7, description='n', max=10)",
            },
        )
    ]
    return new_notebook(cells=[cell], metadata={"kernelspec": KERNELSPEC, "widgets": state})


def unusual_metadata() -> Any:
    """Metadata Jupyter keeps but tnb does not know: vendors, numbers, nulls, unicode keys."""
    nb = new_notebook(
        cells=[
            new_code_cell(
                "x = 1",
                metadata={
                    "tags": ["parameters", "hide-input"],
                    "collapsed": False,
                    "scrolled": "auto",
                    "jupyter": {"source_hidden": True, "outputs_hidden": False},
                    "editable": False,
                    "deletable": False,
                    "vscode": {"languageId": "python"},
                    "ExecuteTime": {"end_time": "2024-01-01T00:00:00.1Z", "start_time": None},
                },
            ),
            new_markdown_cell("text", metadata={"slideshow": {"slide_type": "slide"}}),
        ],
        metadata={
            "kernelspec": KERNELSPEC,
            "title": "Ünïcødé tïtlé",
            "authors": [{"name": "Zoë"}, {"name": "李"}],
            "toc": {"nav_menu": {}, "number_sections": True, "toc_position": {"left": 10.5}},
            "numbers": [0, -1, 1.5, 1e-07, 12345678901234567890, 3.0],
            "nothing": None,
            "empty": {},
            "custom-vendor": {"deep": {"deeper": [[], {}, [{"a": ""}]]}},
            "ключ": "значение",
        },
    )
    return nb


def unknown_mimes() -> Any:
    """Outputs of MIME types tnb does not render, including JSON types and split ones."""
    cell = new_code_cell("show()", execution_count=2)
    cell.outputs = [
        new_output(
            "display_data",
            data={
                "application/vnd.custom.thing": "opaque\npayload",
                "application/x-bar+json": {"k": [1, 2, {"n": None}]},
                "application/json": {"list": ["a\n", "b"]},
                "text/x-weird": "line 1\nline 2\n",
                "text/html": "<table>\n<tr><td>1</td></tr>\n</table>",
                "text/markdown": "**bold**",
                "text/latex": "$x^2$",
                "image/svg+xml": "<svg>\n<circle/>\n</svg>",
                "image/jpeg": "/9j/4AAQSkZJRg==",
                "application/javascript": "console.log(1);\nconsole.log(2);",
                "application/pdf": "JVBERi0xLjQK",
            },
            metadata={"isolated": True, "application/x-bar+json": {"expanded": False}},
        ),
        new_output(
            "execute_result",
            data={
                "text/plain": "Out",
                "application/vnd.dataresource+json": {"data": [], "schema": {}},
            },
            metadata={},
            execution_count=2,
        ),
    ]
    return new_notebook(cells=[cell], metadata={})


def non_ascii() -> Any:
    """Text in many scripts, emoji, and the line separators str.splitlines knows about."""
    text = "héllo wörld\n日本語のテキスト\nمرحبا\n🎉🐍 emoji\ncombining: e\u0301\n"
    odd = "vertical\x0btab\x0cfeed\x1cfs\x1dgs\x1ers\x85nel\u2028ls\u2029ps\r\nwindows\rmac"
    cell = new_code_cell(f"s = {text!r}\nprint(s)\n# {odd}", execution_count=1)
    cell.outputs = [
        new_output("stream", name="stdout", text=text),
        new_output("stream", name="stdout", text=odd),
        new_output("execute_result", data={"text/plain": odd}, execution_count=1),
    ]
    return new_notebook(
        cells=[new_markdown_cell(text + odd), cell, new_raw_cell("\u00a0nbsp\ttab ")],
        metadata={"kernelspec": KERNELSPEC, "名前": "値 ✓"},
    )


def empty_things() -> Any:
    """Empty sources, empty outputs lists, empty streams, no execution counts."""
    cell = new_code_cell("")
    cell.outputs = [new_output("stream", name="stdout", text="")]
    return new_notebook(
        cells=[new_code_cell(""), new_markdown_cell(""), new_raw_cell(""), cell],
        metadata={},
    )


def no_cells() -> Any:
    """A notebook with no cells at all."""
    return new_notebook(cells=[], metadata={"kernelspec": KERNELSPEC})


def progress_bar_output() -> Any:
    """Stream text as nbclient stores it without coalescing: carriage returns kept."""
    cell = new_code_cell("for i in trange(3): ...", execution_count=5)
    cell.outputs = [
        new_output("stream", name="stderr", text="\r  0%|          | 0/3\r 33%|###       | 1/3"),
        new_output("stream", name="stderr", text="\r100%|##########| 3/3\n"),
        new_output("stream", name="stdout", text="back\bspace\n"),
    ]
    return new_notebook(cells=[cell], metadata={"kernelspec": KERNELSPEC})


def unknown_keys() -> Any:
    """Keys that no nbformat schema has, at every level: nbformat keeps them, so must we."""
    nb = basic()
    nb["x_toplevel"] = {"kept": True}
    nb.cells[1]["x_cell_key"] = [1, 2]
    nb.cells[1].outputs[0]["x_output_key"] = "kept"
    nb.cells[1].outputs.append(
        nbformat.from_dict({"output_type": "x_future_output", "payload": ["a\n", "b"]})
    )
    nb.cells[0]["outputs"] = []  # a code-only key on a markdown cell
    return nb


GENERATORS: dict[str, Callable[[], Any]] = {
    "basic": basic,
    "attachments": attachments,
    "widgets": widgets,
    "unusual_metadata": unusual_metadata,
    "unknown_mimes": unknown_mimes,
    "non_ascii": non_ascii,
    "empty_things": empty_things,
    "no_cells": no_cells,
    "progress_bar_output": progress_bar_output,
    "unknown_keys": unknown_keys,
}


def at_minor(nb: Any, minor: int) -> Any:
    """The same notebook as nbformat 4.``minor`` wrote it (no cell ids before 4.5)."""
    nb = copy.deepcopy(nb)
    nb.nbformat_minor = minor
    if minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)
    if minor < 1:
        for cell in nb.cells:
            cell.pop("attachments", None)
    return nb


def v3_notebook() -> str:
    """An nbformat 3 notebook (worksheets, heading cells, prompt numbers) as IPython 2 wrote it."""
    ws = v3.new_worksheet(
        cells=[
            v3.new_heading_cell("Old title", level=2),
            v3.new_text_cell("markdown", source="Some *text*"),
            v3.new_code_cell(
                input="print('hi')\n1 + 1",
                prompt_number=4,
                outputs=[
                    v3.new_output("stream", output_text="hi\n", stream="stdout"),
                    v3.new_output("pyout", output_text="2", prompt_number=4),
                ],
            ),
            v3.new_text_cell("raw", source="raw\ntext"),
        ]
    )
    nb = v3.new_notebook(name="old", worksheets=[ws])
    text: str = v3.writes_json(nb)
    return text + "\n"
