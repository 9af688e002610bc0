"""MIME ranking: pictures, markdown, html, latex, json, svg, text/plain; unknown types fall back."""

from __future__ import annotations

import pytest

from tests.render.terminal import to_plain
from tnb.notebook.model import Output
from tnb.ui.render import RANKED_TYPES, best_mime, rank_mime, render_output

ORDER = [
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/html",
    "text/latex",
    "application/json",
    "image/svg+xml",
    "text/plain",
]


@pytest.mark.parametrize("index", range(len(ORDER) - 1))
def test_each_type_beats_the_ones_after_it(index: int) -> None:
    bundle = {mime: "x" for mime in ORDER[index:]}
    assert best_mime(bundle) == ORDER[index]
    assert rank_mime(bundle) == ORDER[index:]


def test_ranking_is_the_documented_order() -> None:
    assert [mime for mime in RANKED_TYPES if mime in ORDER] == ORDER


def test_unknown_types_fall_back_to_text_plain() -> None:
    bundle = {
        "application/vnd.jupyter.widget-view+json": {"model_id": "1"},
        "text/plain": "IntSlider(1)",
    }
    assert best_mime(bundle) == "text/plain"
    drawn = to_plain(render_output(Output("display_data", data=bundle)))
    assert "IntSlider(1)" in drawn


def test_a_bundle_with_nothing_drawable_says_so() -> None:
    assert best_mime({"application/vnd.plotly.v1+json": {}}) is None
    drawn = to_plain(render_output(Output("display_data", data={"application/x-foo": "?"})))
    assert "nothing to draw" in drawn and "application/x-foo" in drawn


def test_empty_bundle_says_so() -> None:
    assert "nothing to draw" in to_plain(render_output(Output("display_data", data={})))


def test_images_off_skips_pictures_and_notes_them() -> None:
    bundle = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"}
    assert best_mime(bundle, images=False) == "text/plain"
    drawn = to_plain(render_output(Output("display_data", data=bundle), images="none"))
    assert "<Figure size 640x480 with 1 Axes>" in drawn
    assert "image/png not shown" in drawn


def test_html_without_visible_text_falls_through_to_the_next_type() -> None:
    bundle = {"text/html": "<script>Plotly.newPlot()</script>", "text/plain": "Figure()"}
    assert "Figure()" in to_plain(render_output(Output("display_data", data=bundle)))


def test_broken_picture_shows_why_instead_of_failing() -> None:
    drawn = to_plain(render_output(Output("display_data", data={"image/png": "bm90IGEgcG5n"})))
    assert "image/png: cannot draw" in drawn


def test_execute_result_uses_the_same_ranking() -> None:
    output = Output(
        "execute_result", execution_count=3, data={"text/plain": "plain", "text/markdown": "**md**"}
    )
    drawn = to_plain(render_output(output))
    assert "md" in drawn and "plain" not in drawn and "**" not in drawn


def test_unknown_output_type_is_named() -> None:
    assert "future_type" in to_plain(render_output(Output("future_type")))
