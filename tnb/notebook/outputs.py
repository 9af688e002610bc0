"""Output semantics shared by the UI and the runner: streams, \\r and \\b, clear, displays."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tnb.notebook.jsonshape import (
    expect_count,
    expect_dict,
    expect_str,
    expect_str_list,
    join_bundle,
    join_multiline,
    split_bundle,
    split_multiline,
)
from tnb.notebook.model import Cell, Output

# Keys each known output type owns; anything else in the file is kept in Output.extra.
_KNOWN_KEYS: dict[str, frozenset[str]] = {
    "stream": frozenset({"output_type", "name", "text"}),
    "display_data": frozenset({"output_type", "data", "metadata"}),
    "execute_result": frozenset({"output_type", "data", "metadata", "execution_count"}),
    "error": frozenset({"output_type", "ename", "evalue", "traceback"}),
}

# Escape sequences take no column on screen: CSI (colours), OSC (titles, links), two-byte ESC x.
_TOKEN = re.compile(
    r"(?P<esc>\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_])"
    r"|(?P<ctl>[\r\b])"
    r"|(?P<text>[^\r\b\x1b]+|\x1b)"
)


def output_from_json(value: Any, where: str = "output") -> Output:
    """An Output from one entry of a cell's ``outputs`` list in the file.

    Raises:
        SchemaError: a known key has the wrong JSON type (``where`` says which).
    """
    d = expect_dict(value, where)
    output_type = expect_str(d.get("output_type"), f"{where}.output_type")
    known = _KNOWN_KEYS.get(output_type)
    if known is None:
        # An output type from a future nbformat: keep every key as it is.
        return Output(
            output_type=output_type, extra={k: v for k, v in d.items() if k != "output_type"}
        )
    out = Output(output_type=output_type, extra={k: v for k, v in d.items() if k not in known})
    if output_type == "stream":
        out.name = expect_str(d.get("name", "stdout"), f"{where}.name")
        out.text = join_multiline(d.get("text", ""), f"{where}.text")
    elif output_type == "error":
        out.ename = expect_str(d.get("ename", ""), f"{where}.ename")
        out.evalue = expect_str(d.get("evalue", ""), f"{where}.evalue")
        out.traceback = list(expect_str_list(d.get("traceback", []), f"{where}.traceback"))
    else:
        out.data = join_bundle(d.get("data", {}), f"{where}.data")
        out.metadata = expect_dict(d.get("metadata", {}), f"{where}.metadata")
        if output_type == "execute_result":
            out.execution_count = expect_count(d.get("execution_count"), f"{where}.execution_count")
    return out


def output_to_json(output: Output, *, split_lines: bool = True) -> dict[str, Any]:
    """The output as nbformat's writer stores it (text split into lines unless not
    ``split_lines``; display_id dropped).

    The result shares nested values with the output: serialize it, don't mutate it.
    """
    out = dict(output.extra)
    out["output_type"] = output.output_type
    if output.output_type == "stream":
        out["name"] = output.name
        out["text"] = split_multiline(output.text) if split_lines else output.text
    elif output.output_type in ("display_data", "execute_result"):
        out["data"] = split_bundle(output.data) if split_lines else output.data
        out["metadata"] = output.metadata
        if output.output_type == "execute_result":
            out["execution_count"] = output.execution_count
    elif output.output_type == "error":
        out["ename"] = output.ename
        out["evalue"] = output.evalue
        out["traceback"] = output.traceback
    return out


class OutputAccumulator:
    """Applies a running cell's outputs to its ``outputs`` list in place, as Jupyter does.

    Consecutive stream text of the same name merges into one output, with ``\\r`` and ``\\b``
    moving the cursor as in a terminal (so progress bars overwrite their line, even when the
    ``\\r`` and the next text come in different messages). ``clear(wait=True)`` empties the
    list only when the next output arrives, as nbclient and JupyterLab do.

    For a display_data or execute_result that carries a display_id, call ``update_display``
    over the notebook's cells first (Jupyter updates the earlier displays), then ``add``.
    """

    def __init__(self, outputs: list[Output]) -> None:
        self.outputs = outputs
        self.clear_pending = False

    def stream(self, name: str, text: str) -> Output:
        """Append stream text; returns the output that now holds it (merged or new)."""
        self._clear_if_pending()
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text = append_stream_text(last.text, text)
            return last
        output = Output(output_type="stream", name=name, text=append_stream_text("", text))
        self.outputs.append(output)
        return output

    def add(self, output: Output) -> Output:
        """Append a display_data, execute_result or error output."""
        self._clear_if_pending()
        self.outputs.append(output)
        return output

    def clear(self, wait: bool) -> None:
        """clear_output: now, or (``wait``) just before the next output arrives."""
        if wait:
            self.clear_pending = True
        else:
            self.clear_pending = False
            self.outputs.clear()

    def _clear_if_pending(self) -> None:
        if self.clear_pending:
            self.clear_pending = False
            self.outputs.clear()


def update_display(
    cells: Iterable[Cell], display_id: str, data: dict[str, Any], metadata: dict[str, Any]
) -> list[Cell]:
    """update_display_data: new data and metadata for every output with that display_id.

    Returns the cells that changed, in notebook order, so the UI refreshes only those.
    """
    changed: list[Cell] = []
    for cell in cells:
        hit = False
        for output in cell.outputs:
            if output.display_id is not None and output.display_id == display_id:
                output.data = dict(data)
                output.metadata = dict(metadata)
                hit = True
        if hit:
            changed.append(cell)
    return changed


def append_stream_text(stored: str, new: str) -> str:
    """``stored + new`` as a terminal shows it, with the cursor position kept at the end.

    Only the last line of ``stored`` can be touched (``\\r`` and ``\\b`` never cross a newline),
    so a long output is not rescanned. If the cursor does not end at the end of the last line,
    the result ends with ``\\r`` (cursor at column 0) or ``\\b`` characters (cursor that many
    columns back), so text that arrives later overwrites from the right place.
    """
    if not new:
        return stored
    start = stored.rfind("\n") + 1
    tail = stored[start:]
    if "\r" not in new and "\b" not in new and not tail.endswith(("\r", "\b")):
        return stored + new
    return stored[:start] + _render(tail + new)


def visible_text(text: str) -> str:
    """Stream text as it appears on screen: ``\\r`` and ``\\b`` applied, cursor marks removed."""
    if "\r" not in text and "\b" not in text:
        return text
    return _render(text).rstrip("\r\b")


def _render(text: str) -> str:
    lines = text.split("\n")
    last = len(lines) - 1
    return "\n".join(_render_line(line, keep_cursor=i == last) for i, line in enumerate(lines))


def _render_line(line: str, *, keep_cursor: bool) -> str:
    """One line with ``\\r``/``\\b`` applied; escape sequences ride on the next character."""
    if "\r" not in line and "\b" not in line:
        return line
    cells: list[str] = []  # one entry per screen column
    col = 0
    pending = ""
    for match in _TOKEN.finditer(line):
        kind = match.lastgroup
        token = match.group()
        if kind == "esc":
            pending += token
        elif token == "\r":
            col = 0
        elif token == "\b":
            col = max(0, col - 1)
        else:
            if col == len(cells):
                cells.append(pending + token[0])
                cells.extend(token[1:])
            else:
                for i, ch in enumerate(token):
                    piece = pending + ch if i == 0 else ch
                    if col + i < len(cells):
                        cells[col + i] = piece
                    else:
                        cells.append(piece)
            pending = ""
            col += len(token)
    rendered = "".join(cells[:col]) + pending + "".join(cells[col:])
    back = len(cells) - col
    if not keep_cursor or back == 0:
        return rendered
    return rendered + ("\r" if col == 0 else "\b" * back)
