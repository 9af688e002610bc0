"""Huge outputs: only a window of lines is built, and memory stays far below the output's size."""

from __future__ import annotations

import tracemalloc

from tests.render.terminal import to_plain
from tnb.notebook.model import Output
from tnb.ui.render import render_output, text_window

MB = 1024 * 1024


def _render_and_measure(output: Output, max_lines: int) -> tuple[int, str]:
    """Peak bytes allocated while building and drawing ``output``, and the drawn text."""
    tracemalloc.start()
    try:
        drawn = to_plain(render_output(output, 100, max_lines=max_lines), 100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, drawn


def test_100_mb_stream_shows_its_tail_in_bounded_memory() -> None:
    line = "x" * 99 + "\n"
    text = line * (100 * MB // len(line))  # 100 MB in 1,048,576 lines
    output = Output("stream", name="stdout", text=text)
    peak, drawn = _render_and_measure(output, max_lines=50)
    lines = drawn.splitlines()
    assert lines[0] == f"… {1_048_576 - 50:,} more lines above"
    assert len(lines) == 51
    assert peak < len(text) // 100, f"peak {peak / MB:.1f} MB for a {len(text) / MB:.0f} MB output"


def test_one_huge_line_is_cut_to_a_bounded_number_of_characters() -> None:
    text = "y" * (20 * MB)
    peak, drawn = _render_and_measure(Output("stream", text=text), max_lines=50)
    assert "long lines cut" in drawn
    assert peak < len(text) // 10


def test_huge_text_plain_keeps_its_head() -> None:
    text = "".join(f"row {i}\n" for i in range(100_000))
    drawn = to_plain(
        render_output(Output("execute_result", data={"text/plain": text}), max_lines=20)
    )
    lines = drawn.splitlines()
    assert lines[0] == "row 0" and lines[19] == "row 19"
    assert lines[20] == "… 99,980 more lines below"


def test_huge_traceback_keeps_the_exception_at_the_bottom() -> None:
    frames = [f"frame {i}" for i in range(10_000)] + [
        "RecursionError: maximum recursion depth exceeded"
    ]
    output = Output("error", ename="RecursionError", evalue="", traceback=frames)
    lines = to_plain(render_output(output, max_lines=10)).splitlines()
    assert lines[-1] == "RecursionError: maximum recursion depth exceeded"
    assert lines[0] == "… 9,991 more lines above"


def test_huge_html_is_cut_before_parsing() -> None:
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(400_000))  # about 8 MB
    output = Output("display_data", data={"text/html": f"<table>{rows}</table>"})
    peak, drawn = _render_and_measure(output, max_lines=30)
    assert "more rows" in drawn and "HTML cut" in drawn
    assert peak < 3 * MB


def test_no_limit_shows_everything() -> None:
    text = "".join(f"{i}\n" for i in range(3000))
    drawn = to_plain(render_output(Output("stream", text=text), max_lines=None))
    assert drawn.splitlines() == [str(i) for i in range(3000)]


def test_window_counts() -> None:
    window = text_window("a\nb\nc\nd\n", 2, keep="tail")
    assert (window.shown, window.total_lines, window.hidden_lines) == ("c\nd", 4, 2)
    window = text_window("a\nb\nc\nd", 3, keep="head")
    assert (window.shown, window.hidden_lines) == ("a\nb\nc", 1)
    window = text_window("short", 3, keep="head")
    assert (window.shown, window.hidden_lines, window.cut_chars) == ("short", 0, False)
