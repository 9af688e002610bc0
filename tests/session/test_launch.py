"""Launch options read from every command line tnb has, and the providers they build."""

from __future__ import annotations

from pathlib import Path

import pytest

from tnb.cli import build_parser
from tnb.kernels.raw.provider import LocalProvider
from tnb.session.launch import LaunchOptions


def test_the_notebook_command_line_becomes_typed_options(tmp_path: Path) -> None:
    argv = [
        str(tmp_path / "a.ipynb"), "--kernel", "python3", "--transport", "tcp",
        "--env", "A=1", "--env", "B=two=2", "--keep-kernel", "--record-timing", "--pick",
        "--server", "http://127.0.0.1:9/?token=t", "--ca-bundle", "ca.pem",
    ]  # fmt: skip
    options = LaunchOptions.of(build_parser().parse_args(argv))
    assert options == LaunchOptions(
        kernel="python3",
        server="http://127.0.0.1:9/?token=t",
        ca_bundle="ca.pem",
        transport="tcp",
        env={"A": "1", "B": "two=2"},
        keep_kernel=True,
        pick=True,
        record_timing=True,
    )
    assert LaunchOptions.of(options) is options
    with pytest.raises(AttributeError):
        options.kernel = "bash"  # type: ignore[misc]


def test_no_options_mean_the_defaults(tmp_path: Path) -> None:
    assert LaunchOptions.of(build_parser().parse_args([str(tmp_path / "a.ipynb")])) == (
        LaunchOptions()
    )
    assert LaunchOptions.of(None) == LaunchOptions()


def test_the_local_provider_carries_the_options(tmp_path: Path) -> None:
    options = LaunchOptions(transport="ipc", env={"X": "1"}, keep_kernel=True)
    provider = options.local_provider(tmp_path, ipython_history=":memory:")
    assert isinstance(provider, LocalProvider)
    assert (provider.transport, provider.env, provider.keep_kernel) == ("ipc", {"X": "1"}, True)
    assert (provider.notebook_dir, provider.ipython_history) == (tmp_path, ":memory:")
    provider.env["Y"] = "2"  # the provider's copy: the options stay as given
    assert options.env == {"X": "1"}
