"""Real ipykernel messages fed to nbclient and to OutputAccumulator store the same outputs."""

# nbformat and nbclient leave their functions unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.client import _RGX_CARRIAGERETURN
from nbclient.exceptions import CellExecutionComplete

from tnb.notebook.model import Cell, Notebook, Output
from tnb.notebook.outputs import (
    OutputAccumulator,
    output_to_json,
    update_display,
    visible_text,
)

CELLS = [
    "import sys\nprint('a', flush=True)\nprint('b', flush=True)\n"
    "print('err', file=sys.stderr, flush=True)\nprint('c', flush=True)",
    "from IPython.display import display, clear_output\nh = display('first', display_id=True)\n42",
    "h.update('second')\ndisplay('again', display_id=h.display_id)\nprint('tail')",
    "for i in range(3):\n    clear_output(wait=True)\n    print('frame', i, flush=True)",
    "import time\nfor i in range(5):\n    print(f'\\r{i * 25:3d}%', end='', flush=True)\n"
    "    time.sleep(0.02)\nprint(flush=True)",
    "print('x\\b\\by', flush=True)",
    "1/0",
    "print('before', flush=True)\nclear_output()\nprint('after', flush=True)",
    "from IPython.display import HTML\nHTML('<b>bold</b>')",
]


@pytest.fixture(scope="module")
def kernel() -> Iterator[BlockingKernelClient]:
    km = KernelManager(kernel_name="python3")
    km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _run(kc: BlockingKernelClient, code: str) -> list[dict[str, Any]]:
    """Every iopub message the kernel sent for this execution, up to its idle status."""
    msg_id = kc.execute(code)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    kc.get_shell_msg(timeout=60)
    return messages


def _apply(nb: Notebook, acc: OutputAccumulator, cell: Cell, msg: dict[str, Any]) -> None:
    """What the runner does with each message (there via tnb.kernels events)."""
    kind, content = msg["msg_type"], msg["content"]
    display_id = (content.get("transient") or {}).get("display_id")
    if kind == "execute_input":
        cell.execution_count = content["execution_count"]
    elif kind == "stream":
        acc.stream(content["name"], content["text"])
    elif kind == "clear_output":
        acc.clear(content["wait"])
    elif kind in ("display_data", "execute_result", "update_display_data"):
        if display_id:
            update_display(nb.cells, display_id, content["data"], content["metadata"])
        if kind != "update_display_data":
            acc.add(
                Output(
                    kind,
                    data=content["data"],
                    metadata=content["metadata"],
                    execution_count=content.get("execution_count"),
                    display_id=display_id,
                )
            )
    elif kind == "error":
        acc.add(
            Output(
                "error",
                ename=content["ename"],
                evalue=content["evalue"],
                traceback=content["traceback"],
            )
        )


def _merge_consecutive_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and out["output_type"] == prev["output_type"] == "stream"
            and out["name"] == prev["name"]
        ):
            prev["text"] += out["text"]
        else:
            merged.append(dict(out))
    return merged


def _joined(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outputs as nbformat holds them in memory (our JSON form splits lines for the file)."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(outputs=nbformat.from_dict(outputs))]
    )
    node = nbformat.reads(nbformat.writes(nb), as_version=4)
    result: list[dict[str, Any]] = node.cells[0].outputs
    return result


def test_outputs_match_nbclient(kernel: BlockingKernelClient) -> None:
    recorded = [_run(kernel, code) for code in CELLS]

    theirs = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = NotebookClient(theirs, record_timing=False)
    for index, messages in enumerate(recorded):
        client.clear_before_next_output = False
        for msg in messages:
            try:
                client.process_message(msg, theirs.cells[index], index)
            except CellExecutionComplete:
                break

    ours = Notebook(cells=[Cell.new("code", c) for c in CELLS])
    for cell, messages in zip(ours.cells, recorded, strict=True):
        acc = OutputAccumulator(cell.outputs)
        for msg in messages:
            _apply(ours, acc, cell, msg)

    for index, (mine, their) in enumerate(zip(ours.cells, theirs.cells, strict=True)):
        expected = _merge_consecutive_streams(_joined(their.outputs))
        got = _joined([output_to_json(o) for o in mine.outputs])
        # Rendering the text nbclient stored all at once must give what the accumulator
        # built message by message.
        for out in expected + got:
            if out["output_type"] == "stream":
                out["text"] = visible_text(out["text"])
        assert got == expected, f"cell {index}: {CELLS[index]!r}"
        assert mine.execution_count == their.execution_count

    # The cases above really were exercised: spot-check what was stored.
    assert [o.text for o in ours.cells[0].outputs] == ["a\nb\n", "err\n", "c\n"]
    # A later display_data with the same display_id updates the earlier one too.
    assert ours.cells[1].outputs[0].data["text/plain"] == "'again'"
    assert [o.text for o in ours.cells[3].outputs] == ["frame 2\n"]
    assert ours.cells[4].outputs[0].text == "100%\n"
    # For a progress line, nbclient's own \r rule (coalesce_streams=True) agrees. Its \b rule
    # is a regex word boundary (r"[^\n]\b"), not a backspace, so it cannot be compared.
    raw = "".join(o["text"] for o in theirs.cells[4].outputs)
    assert raw.count("\r") == 5
    assert _RGX_CARRIAGERETURN.sub("", raw) == "100%\n"
    assert visible_text(ours.cells[5].outputs[0].text) == "y\n"
    assert ours.cells[6].outputs[0].ename == "ZeroDivisionError"
    assert [o.text for o in ours.cells[7].outputs] == ["after\n"]
