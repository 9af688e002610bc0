"""Round trips: notebooks Jupyter wrote come back byte for byte; older versions open and upgrade."""

# nbformat ships py.typed but leaves its builders unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.notebook import corpus
from tnb.notebook.io import dumps_notebook, load_notebook, loads_notebook, save_notebook

DATA = Path(__file__).parent / "data"


def _nbformat_roundtrip(text: str) -> str:
    """What Jupyter writes after reading this text (nbformat's reader, then its writer)."""
    return corpus.writes(nbformat.reads(text, as_version=nbformat.NO_CONVERT))


def _without_ids(text: str) -> Any:
    d = json.loads(text)
    for cell in d["cells"]:
        cell.pop("id", None)
    return d


@pytest.mark.parametrize("name", sorted(corpus.GENERATORS))
@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_jupyter_written_notebook_round_trips_byte_identical(
    name: str, minor: int, tmp_path: Path
) -> None:
    if minor == 0 and name == "attachments":
        pytest.skip("attachments arrived in nbformat 4.1")
    text = corpus.writes(corpus.at_minor(corpus.GENERATORS[name](), minor))
    path = tmp_path / "nb.ipynb"
    path.write_bytes(text.encode("utf-8"))

    nb = load_notebook(path)
    assert dumps_notebook(nb) == text
    save_notebook(nb)
    assert path.read_bytes() == text.encode("utf-8")
    assert nb.nbformat_minor == minor


def test_round_trip_keeps_everything_we_put_in() -> None:
    nb = loads_notebook(corpus.writes(corpus.unknown_keys()))
    assert nb.extra == {"x_toplevel": {"kept": True}}
    code = nb.cells[1]
    assert code.extra == {"x_cell_key": [1, 2]}
    assert code.outputs[0].extra == {"x_output_key": "kept"}
    future = code.outputs[-1]
    assert future.output_type == "x_future_output"
    assert future.extra == {"payload": ["a\n", "b"]}
    assert nb.cells[0].extra == {"outputs": []}


def test_mime_bundles_joined_like_nbformat_and_json_kept_as_objects() -> None:
    nb = loads_notebook(corpus.writes(corpus.unknown_mimes()))
    data = nb.cells[0].outputs[0].data
    assert data["text/html"] == "<table>\n<tr><td>1</td></tr>\n</table>"
    assert data["application/javascript"] == "console.log(1);\nconsole.log(2);"
    assert data["application/json"] == {"list": ["a\n", "b"]}
    assert data["application/x-bar+json"] == {"k": [1, 2, {"n": None}]}
    assert data["application/vnd.custom.thing"] == "opaque\npayload"
    on_disk = json.loads(dumps_notebook(nb))["cells"][0]["outputs"][0]["data"]
    assert on_disk["text/html"] == ["<table>\n", "<tr><td>1</td></tr>\n", "</table>"]
    assert on_disk["image/jpeg"] == "/9j/4AAQSkZJRg=="  # binary data is never split
    assert on_disk["application/vnd.custom.thing"] == "opaque\npayload"


def test_attachments_and_widget_state_survive() -> None:
    nb = loads_notebook(corpus.writes(corpus.attachments()))
    assert nb.cells[0].attachments is not None
    assert nb.cells[0].attachments["pic.png"] == {"image/png": corpus.PNG_1X1}
    assert nb.cells[0].attachments["d.svg"]["image/svg+xml"].count("\n") == 3
    w = loads_notebook(corpus.writes(corpus.widgets()))
    state = w.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert state["state"]["a1b2c3"]["state"]["value"] == 7
    view = w.cells[0].outputs[0].data["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == "a1b2c3"


def test_loaded_cells_have_the_files_ids_and_text() -> None:
    source = corpus.basic()
    nb = loads_notebook(corpus.writes(source))
    assert [c.id for c in nb.cells] == [c.id for c in source.cells]
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "raw", "code", "code", "code"]
    assert nb.cells[1].source == source.cells[1].source
    assert nb.cells[1].execution_count == 1
    assert nb.cells[3].outputs[0].traceback == corpus.ANSI_TRACEBACK
    assert nb.language == "python"
    assert not nb.dirty
    assert nb.upgrade_notes == []


def test_pre_45_notebook_keeps_its_version_when_edited_until_the_user_upgrades(
    tmp_path: Path,
) -> None:
    text = corpus.writes(corpus.at_minor(corpus.basic(), 4))
    path = tmp_path / "old.ipynb"
    path.write_text(text, encoding="utf-8")
    nb = load_notebook(path)
    ids = [c.id for c in nb.cells]
    assert all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert nb.upgrade_notes == []  # saving changes nothing the user did not

    save_notebook(nb)  # unedited: byte-identical, still 4.4
    assert path.read_text(encoding="utf-8") == text

    nb.set_source(1, "print('edited')")
    save_notebook(nb)  # edited: still 4.4, no ids, only the edit differs
    before = json.loads(text)
    before["cells"][1]["source"] = ["print('edited')"]
    assert json.loads(path.read_text(encoding="utf-8")) == before
    assert nb.nbformat_minor == 4

    assert nb.upgrade_format(5)  # the user asked: 4.5 with the in-memory ids
    save_notebook(nb)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["nbformat_minor"] == 5
    assert [c["id"] for c in saved["cells"]] == ids
    # Apart from the ids and the version, nothing else changed,
    before["nbformat_minor"] = 5
    after = _without_ids(path.read_text(encoding="utf-8"))
    assert after == before
    # and it is what nbformat's own 4.4 -> 4.5 upgrade writes, ids aside.
    upgraded = nbformat.v4.upgrade(nbformat.reads(text, as_version=nbformat.NO_CONVERT), 4, 4)
    upgraded.cells[1].source = "print('edited')"
    assert _without_ids(corpus.writes(upgraded)) == after


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_an_edit_changes_only_what_was_edited_in_every_minor_version(
    minor: int, tmp_path: Path
) -> None:
    text = corpus.writes(corpus.at_minor(corpus.basic(), minor))
    path = tmp_path / "nb.ipynb"
    path.write_text(text, encoding="utf-8")
    nb = load_notebook(path)
    nb.set_source(0, "print('edited')")
    nb.clear_outputs([1])
    nb.insert_cell(len(nb.cells), "markdown", "new")
    save_notebook(nb)
    before, after = json.loads(text), json.loads(path.read_text(encoding="utf-8"))
    added = after["cells"].pop()
    assert added["source"] == ["new"] and ("id" in added) == (minor >= 5)
    before["cells"][0]["source"] = ["print('edited')"]
    before["cells"][1]["outputs"], before["cells"][1]["execution_count"] = [], None
    assert after == before


def test_pre_45_file_with_ids_keeps_them_unedited() -> None:
    d = json.loads(corpus.writes(corpus.basic()))
    d["nbformat_minor"] = 4
    text = json.dumps(d, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": "))
    text += "\n"
    nb = loads_notebook(text)
    assert dumps_notebook(nb) == text
    assert [c.id for c in nb.cells] == [c["id"] for c in d["cells"]]


def test_missing_and_duplicate_ids_in_45_are_repaired_like_nbformat() -> None:
    d = json.loads(corpus.writes(corpus.basic()))
    del d["cells"][0]["id"]
    d["cells"][2]["id"] = d["cells"][1]["id"]
    nb = loads_notebook(json.dumps(d))
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids)
    assert ids[1] == d["cells"][1]["id"]
    assert any("no id" in n for n in nb.upgrade_notes)
    assert any("duplicate" in n for n in nb.upgrade_notes)


def test_v3_notebook_opens_through_nbformats_converter(tmp_path: Path) -> None:
    text = corpus.v3_notebook()
    path = tmp_path / "v3.ipynb"
    path.write_text(text, encoding="utf-8")
    nb = load_notebook(path)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert any("nbformat 3" in note for note in nb.upgrade_notes)
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code", "raw"]
    assert nb.cells[0].source == "## Old title"
    assert nb.cells[2].source == "print('hi')\n1 + 1"
    assert nb.cells[2].execution_count == 4
    assert nb.cells[2].outputs[0].text == "hi\n"
    assert nb.cells[2].outputs[1].output_type == "execute_result"
    assert path.read_text(encoding="utf-8") == text  # opening writes nothing

    expected = corpus.writes(nbformat.reads(text, as_version=4))
    assert _without_ids(dumps_notebook(nb)) == _without_ids(expected)
    save_notebook(nb)
    assert json.loads(path.read_text(encoding="utf-8"))["nbformat"] == 4
    assert nb.upgrade_notes == []


@pytest.mark.parametrize(
    "name", ["plain_string_source.json", "trusted_and_orig_metadata.json", "minimal_v4.json"]
)
def test_hand_written_files_save_as_jupyter_would(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    nb = loads_notebook(text, source=name)
    assert dumps_notebook(nb) == _nbformat_roundtrip(text)


def test_plain_string_source_is_read_as_text() -> None:
    nb = load_notebook(DATA / "plain_string_source.json")
    assert nb.cells[0].source == "print('one string')\nprint('two')"
    assert nb.cells[0].outputs[0].text == "one string\ntwo\n"
    assert nb.cells[1].source == "# Title\nbody"


def test_byte_order_mark_is_accepted_and_noted() -> None:
    text = corpus.writes(corpus.basic())
    nb = loads_notebook("\ufeff" + text)
    assert dumps_notebook(nb) == text
    assert any("byte-order mark" in n for n in nb.upgrade_notes)


def test_lone_surrogate_escape_survives_a_save(tmp_path: Path) -> None:
    d = json.loads(corpus.writes(corpus.no_cells()))
    d["metadata"]["odd"] = "\ud800x"
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(d), encoding="ascii")
    nb = load_notebook(path)
    save_notebook(nb)
    assert load_notebook(path).metadata["odd"] == "\ud800x"


def test_importing_and_loading_a_v4_notebook_does_not_import_nbformat(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(corpus.writes(corpus.at_minor(corpus.basic(), 4)), encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tnb.notebook.io import load_notebook, save_notebook\n"
        f"nb = load_notebook(Path({str(path)!r}))\n"
        "nb.set_source(0, 'x')\n"
        "save_notebook(nb)\n"
        "print(len(nb.cells), sorted(m for m in sys.modules if m.split('.')[0] in "
        "('nbformat', 'jsonschema', 'textual', 'rich')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert out == "6 []"
