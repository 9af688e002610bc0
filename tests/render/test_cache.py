"""render_output is cached per output until the output's content or the options change."""

from __future__ import annotations

import gc
import io
import weakref

from rich.console import Console

from tests.render.terminal import to_plain
from tnb.notebook.model import Output
from tnb.ui.render import output as output_module
from tnb.ui.render import output_text, render_output, render_output_lines


def test_same_output_same_options_is_the_same_renderable() -> None:
    output = Output("display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"})
    assert render_output(output, 80) is render_output(output, 80)


def test_new_stream_text_renders_anew() -> None:
    output = Output("stream", text="one\n")
    first = render_output(output)
    output.text += "two\n"
    second = render_output(output)
    assert first is not second
    assert to_plain(second).splitlines() == ["one", "two"]


def test_updated_display_data_renders_anew() -> None:
    output = Output("display_data", data={"text/plain": "old"})
    assert "old" in to_plain(render_output(output))
    output.data = {"text/plain": "new"}
    assert "new" in to_plain(render_output(output))
    output.data["text/plain"] = "newer"  # mutated in place
    assert "newer" in to_plain(render_output(output))


def test_options_are_part_of_the_key() -> None:
    output = Output("stream", text="".join(f"{i}\n" for i in range(100)))
    assert render_output(output, 80, max_lines=5) is not render_output(output, 80, max_lines=10)
    assert render_output(output, 80) is not render_output(output, 60)
    assert render_output(output, theme="dark") is not render_output(output, theme="light")


def test_cache_does_not_keep_outputs_alive() -> None:
    output = Output("stream", text="bye\n")
    render_output(output)
    assert output in output_module._CACHE
    gone = weakref.ref(output)
    del output
    gc.collect()
    # Not a count of the cache: other tests' outputs may be collected at the same moment.
    assert gone() is None


def test_laid_out_lines_are_cached_per_console_and_width() -> None:
    console = Console(width=100, file=io.StringIO())
    output = Output("stream", text="".join(f"\x1b[32m{i}\x1b[0m\n" for i in range(50)))
    lines = render_output_lines(output, 40, console=console)
    assert len(lines) == 50
    assert lines[3][0].text == "3" and lines[3][0].style is not None
    assert render_output_lines(output, 40, console=console) is lines
    assert render_output_lines(output, 20, console=console) is not lines
    output.text += "more\n"
    assert len(render_output_lines(output, 40, console=console)) == 51


def test_laid_out_lines_fit_the_width() -> None:
    console = Console(width=200, file=io.StringIO())
    output = Output("stream", text="word " * 100)
    lines = render_output_lines(output, 30, console=console)
    assert len(lines) > 10
    assert all(sum(len(segment.text) for segment in line) <= 30 for line in lines)


def test_output_text_is_cached_until_the_output_changes() -> None:
    output = Output("stream", text="\x1b[31mone\x1b[0m\n" * 1000)
    first = output_text(output)
    assert output_text(output) is first
    output.text += "two\n"
    assert output_text(output).endswith("one\ntwo\n")
