"""Test-wide set-up: every test runs isolated from the user's Jupyter folders."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.kernelspecs",
    "tests.fixtures.jupyter_server",
    "tests.fixtures.gateway",
    "tests.fixtures.jupyterhub",
]

# Set before any Jupyter library is imported, so none of them sees the user's folders.
_JUPYTER_HOME = Path(tempfile.mkdtemp(prefix="tnb-tests-"))
for _var, _sub in (
    ("JUPYTER_CONFIG_DIR", "config"),
    ("JUPYTER_DATA_DIR", "data"),
    ("JUPYTER_RUNTIME_DIR", "runtime"),
):
    (_JUPYTER_HOME / _sub).mkdir()
    os.environ[_var] = str(_JUPYTER_HOME / _sub)
os.environ["JUPYTER_PATH"] = str(_JUPYTER_HOME / "path")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
# Test kernels would otherwise write their history into the user's ~/.ipython.
os.environ["IPYTHONDIR"] = str(_JUPYTER_HOME / "ipython")
os.environ["TNB_CONFIG_DIR"] = str(_JUPYTER_HOME / "tnb-config")
os.environ["TNB_STATE_DIR"] = str(_JUPYTER_HOME / "tnb-state")
os.environ.pop("JUPYTER_TOKEN", None)


@pytest.fixture(scope="session")
def jupyter_home() -> Path:
    """The temporary folder that holds the tests' Jupyter config, data, runtime and path dirs."""
    return _JUPYTER_HOME
