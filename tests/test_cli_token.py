"""--token-file: read, checked and explained; one token source at a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tnb.session.cli_token import TokenFileError, exposed_token_file, read_token_file


def test_token_file_is_read_without_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("  abc123\n")
    assert read_token_file(path) == "abc123"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot be read"), (b"\n", "is empty"), (b"\xff\xfe\x00", "not a text file")],
)
def test_bad_token_files_say_why(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TokenFileError, match=message):
        read_token_file(path)


def test_a_token_file_others_can_read_is_pointed_out(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("abc")
    path.chmod(0o644)
    assert "chmod 600" in (exposed_token_file(path) or "")
    path.chmod(0o600)
    assert exposed_token_file(path) is None


def _tnb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tnb", *args], capture_output=True, text=True, check=False
    )


def test_token_and_token_file_together_are_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("abc")
    done = _tnb(
        "kernels", "--server", "http://127.0.0.1:9/", "--token", "x", "--token-file", str(path)
    )
    assert done.returncode == 2
    assert "not both" in done.stderr and "Traceback" not in done.stderr


def test_missing_token_file_is_a_usage_error(tmp_path: Path) -> None:
    done = _tnb("run", "nb.ipynb", "--token-file", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "--token-file" in done.stderr and "cannot be read" in done.stderr
    assert "Traceback" not in done.stderr
