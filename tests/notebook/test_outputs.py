"""Output semantics: stream merging, \\r and \\b as in a terminal, clear_output(wait), displays."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tnb.notebook.io import dumps_notebook
from tnb.notebook.model import Cell, Notebook, Output
from tnb.notebook.outputs import (
    OutputAccumulator,
    append_stream_text,
    output_from_json,
    output_to_json,
    update_display,
    visible_text,
)


def _acc() -> tuple[list[Output], OutputAccumulator]:
    outputs: list[Output] = []
    return outputs, OutputAccumulator(outputs)


def _streams(outputs: list[Output]) -> list[tuple[str, str]]:
    return [(o.name, o.text) for o in outputs]


def test_consecutive_streams_of_one_name_merge() -> None:
    outputs, acc = _acc()
    first = acc.stream("stdout", "a\n")
    assert acc.stream("stdout", "b\n") is first
    acc.stream("stderr", "oops\n")
    acc.stream("stdout", "c\n")
    assert _streams(outputs) == [("stdout", "a\nb\n"), ("stderr", "oops\n"), ("stdout", "c\n")]


def test_a_display_between_streams_stops_the_merge() -> None:
    outputs, acc = _acc()
    acc.stream("stdout", "a")
    acc.add(Output("display_data", data={"text/plain": "d"}))
    acc.stream("stdout", "b")
    assert [o.output_type for o in outputs] == ["stream", "display_data", "stream"]


def test_accumulator_mutates_the_cells_own_list() -> None:
    cell = Cell.new()
    acc = OutputAccumulator(cell.outputs)
    acc.stream("stdout", "x")
    assert cell.outputs[0].text == "x"


@pytest.mark.parametrize(
    ("chunks", "stored", "shown"),
    [
        (["10%\r20%\r30%"], "30%", "30%"),
        (["10%\r", "20%\r", "30%\n"], "30%\n", "30%\n"),  # \r and the text in different messages
        (["10%\r"], "10%\r", "10%"),  # the line stays visible, the cursor at its start
        (["Loading...\r", "Done\n"], "Doneing...\n", "Doneing...\n"),  # a terminal overwrites
        (["a\r\nb"], "a\nb", "a\nb"),  # \r\n is a plain newline
        (["abc\b\bX"], "aXc\b", "aXc"),
        (["abc\b", "\b", "Y"], "aYc\b", "aYc"),
        (["\b\bx"], "x", "x"),  # backspace stops at the line start
        (["a\nb\rc\nd"], "a\nc\nd", "a\nc\nd"),  # \r never reaches the line above
        (["x\b \b"], " \r", " "),  # the usual erase sequence leaves a blank
        (["one\ntwo\r", "2"], "one\n2wo\b\b", "one\n2wo"),
    ],
)
def test_carriage_return_and_backspace_like_a_terminal(
    chunks: list[str], stored: str, shown: str
) -> None:
    outputs, acc = _acc()
    for chunk in chunks:
        acc.stream("stdout", chunk)
    assert len(outputs) == 1
    assert outputs[0].text == stored
    assert visible_text(outputs[0].text) == shown


def test_progress_bar_does_not_pile_up() -> None:
    outputs, acc = _acc()
    acc.stream("stdout", "start\n")
    for i in range(1000):
        acc.stream("stderr", f"\r{i / 10:5.1f}% |{'#' * (i // 100):<10}|")
    acc.stream("stderr", "\n")
    acc.stream("stderr", "done\n")
    assert _streams(outputs) == [("stdout", "start\n"), ("stderr", " 99.9% |######### |\ndone\n")]


def test_colours_survive_an_overwrite() -> None:
    red, reset = "\x1b[31m", "\x1b[0m"
    outputs, acc = _acc()
    acc.stream("stdout", f"{red}10%{reset}\r")
    acc.stream("stdout", f"{red}20%{reset}\n")
    assert outputs[0].text == f"{red}20%{reset}\n"


def test_fast_path_keeps_long_output_intact() -> None:
    text = ""
    for i in range(2000):
        text = append_stream_text(text, f"line {i}\n")
    assert text.count("\n") == 2000 and text.endswith("line 1999\n")


def test_visible_text_of_stored_raw_text() -> None:
    # What nbclient stores without coalescing, or another tool left in a file.
    assert visible_text("\r  0%|  | 0/3\r 33%|# | 1/3\r100%|##| 3/3\n") == "100%|##| 3/3\n"
    assert visible_text("plain\ntext") == "plain\ntext"


def test_clear_now_and_clear_wait() -> None:
    outputs, acc = _acc()
    acc.stream("stdout", "old\n")
    acc.clear(wait=False)
    assert outputs == []
    acc.stream("stdout", "frame 1\n")
    acc.clear(wait=True)
    assert _streams(outputs) == [("stdout", "frame 1\n")]  # still shown until the next output
    assert acc.clear_pending
    acc.stream("stdout", "frame 2\n")
    assert _streams(outputs) == [("stdout", "frame 2\n")]
    acc.clear(wait=True)
    acc.add(Output("display_data", data={"text/plain": "pic"}))
    assert [o.output_type for o in outputs] == ["display_data"]
    assert not acc.clear_pending


def test_update_display_does_not_trigger_a_pending_clear() -> None:
    cell = Cell.new()
    acc = OutputAccumulator(cell.outputs)
    acc.add(Output("display_data", data={"text/plain": "1"}, display_id="d"))
    acc.clear(wait=True)
    update_display([cell], "d", {"text/plain": "2"}, {})
    assert [o.data for o in cell.outputs] == [{"text/plain": "2"}]
    assert acc.clear_pending


def test_update_display_across_cells() -> None:
    a, b, c = Cell.new(), Cell.new(), Cell.new()
    a.outputs = [Output("display_data", data={"text/plain": "old"}, display_id="x")]
    b.outputs = [Output("stream", name="stdout", text="s")]
    c.outputs = [
        Output("execute_result", data={"text/plain": "old"}, execution_count=2, display_id="x"),
        Output("display_data", data={"text/plain": "other"}, display_id="y"),
    ]
    changed = update_display([a, b, c], "x", {"text/plain": "new"}, {"m": 1})
    assert changed == [a, c]
    assert a.outputs[0].data == {"text/plain": "new"} and a.outputs[0].metadata == {"m": 1}
    assert c.outputs[0].data == {"text/plain": "new"}
    assert c.outputs[0].output_type == "execute_result" and c.outputs[0].execution_count == 2
    assert c.outputs[1].data == {"text/plain": "other"}
    assert update_display([a, b, c], "missing", {}, {}) == []


def test_display_id_is_never_saved() -> None:
    cell = Cell.new()
    cell.outputs = [Output("display_data", data={"text/plain": "a"}, display_id="secret")]
    text = dumps_notebook(Notebook(cells=[cell]))
    assert "secret" not in text
    assert json.loads(text)["cells"][0]["outputs"] == [
        {"data": {"text/plain": ["a"]}, "metadata": {}, "output_type": "display_data"}
    ]


@pytest.mark.parametrize(
    "d",
    [
        {"output_type": "stream", "name": "stdout", "text": ["a\n", "b"]},
        {"output_type": "display_data", "data": {"text/plain": ["x"]}, "metadata": {}},
        {
            "output_type": "execute_result",
            "data": {"text/plain": ["1"]},
            "metadata": {},
            "execution_count": 1,
        },
        {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t1", "t2"]},
        {"output_type": "something_new", "whatever": [1, {"2": 3}]},
    ],
)
def test_output_json_round_trip(d: dict[str, object]) -> None:
    assert output_to_json(output_from_json(d)) == d


def _terminal(text: str) -> str:
    """A reference terminal, one character at a time (no escape sequences)."""
    lines: list[list[str]] = [[]]
    col = 0
    for ch in text:
        line = lines[-1]
        if ch == "\n":
            lines.append([])
            col = 0
        elif ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(0, col - 1)
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    return "\n".join("".join(line) for line in lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab \r\b\n", max_size=12), max_size=8))
def test_streams_in_any_chunks_show_what_a_terminal_shows(chunks: list[str]) -> None:
    outputs, acc = _acc()
    for chunk in chunks:
        acc.stream("stdout", chunk)
    shown = visible_text(outputs[0].text) if outputs else ""
    assert shown == _terminal("".join(chunks))
    # The stored text, read again from a file, shows the same.
    assert (
        visible_text(output_from_json(output_to_json(outputs[0])).text if outputs else "") == shown
    )
