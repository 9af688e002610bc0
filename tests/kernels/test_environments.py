"""Python environments found across the machine, as VS Code finds them, under a made-up HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.kernels.test_raw import _fake_env, _real_python
from tnb.kernels.raw.environments import find_environments
from tnb.notebook.io import load_notebook, save_notebook
from tnb.notebook.model import Cell, Notebook


def bare_python(folder: Path, version: str = "3.12") -> Path:
    """A prefix with an interpreter and no ipykernel (listed, with the fix)."""
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").symlink_to(_real_python())
    (folder / "lib" / f"python{version}" / "site-packages").mkdir(parents=True)
    return folder


def machine(tmp_path: Path) -> dict[str, Path]:
    """A HOME with one environment of every kind tnb looks for, and a project notebook."""
    home = tmp_path / "home"
    project = tmp_path / "code" / "shop"
    (project / "notebooks").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    conda_base = bare_python(home / "miniconda3", "3.11")
    (conda_base / "conda-meta").mkdir()
    ml = _fake_env(home / "miniconda3" / "envs" / "ml")
    (ml / "conda-meta").mkdir()
    listed = bare_python(tmp_path / "elsewhere" / "conda-listed")
    (listed / "conda-meta").mkdir()
    (home / ".conda").mkdir()
    (home / ".conda" / "environments.txt").write_text(f"{listed}\n{ml}\n")
    envs = {
        "project": _fake_env(project / ".venv"),
        "virtualenvwrapper": _fake_env(home / ".virtualenvs" / "work"),
        "pyenv": bare_python(home / ".pyenv" / "versions" / "3.12.1"),
        "pyenv-virtualenv": bare_python(home / ".pyenv" / "versions" / "3.12.1" / "envs" / "tools"),
        "conda-base": conda_base,
        "conda-ml": ml,
        "conda-listed": listed,
        "poetry": bare_python(home / ".cache" / "pypoetry" / "virtualenvs" / "shop-Ab12Cd-py3.12"),
        "pipenv": bare_python(home / ".local" / "share" / "virtualenvs" / "shop-x1Y2z3"),
        "other-poetry": bare_python(
            home / ".cache" / "pypoetry" / "virtualenvs" / "blog-Zz9-py3.12"
        ),
    }
    # The same environment twice (a symlink): listed once.
    (home / ".virtualenvs" / "work-again").symlink_to(envs["virtualenvwrapper"])
    return envs | {"home": home, "notebooks": project / "notebooks"}


def home_environ(m: dict[str, Path]) -> dict[str, str]:
    """This process's environment with HOME made up and every locator variable dropped."""
    drop = (
        "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_ROOT", "MAMBA_ROOT_PREFIX", "PYENV_ROOT",
        "WORKON_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "POETRY_VIRTUALENVS_PATH",
    )  # fmt: skip
    return {k: v for k, v in os.environ.items() if k not in drop} | {"HOME": str(m["home"])}


def test_every_kind_is_found_once_in_priority_order(tmp_path: Path) -> None:
    m = machine(tmp_path)
    environ = {"HOME": str(m["home"]), "PATH": f"{m['conda-ml'] / 'bin'}:/usr/bin"}
    found = find_environments(m["notebooks"], environ=environ, home=m["home"])
    by_prefix = {f.prefix.resolve(): f for f in found}
    assert len(by_prefix) == len(found)  # one row per real prefix
    expected = {
        "project": "project", "virtualenvwrapper": "virtualenvwrapper", "pyenv": "pyenv",
        "pyenv-virtualenv": "pyenv", "conda-base": "conda", "conda-ml": "conda",
        "conda-listed": "conda", "poetry": "poetry", "pipenv": "pipenv",
    }  # fmt: skip
    for key, kind in expected.items():
        assert by_prefix[m[key].resolve()].kind == kind, key
    assert m["other-poetry"].resolve() not in by_prefix  # another project's environment
    assert found[0].prefix == m["project"] and found[0].how.startswith(".venv in ")
    assert by_prefix[m["conda-ml"].resolve()].how == "conda ml"
    assert by_prefix[m["conda-base"].resolve()].how == "conda base"
    assert by_prefix[m["pyenv-virtualenv"].resolve()].how == "pyenv tools (3.12.1)"
    kinds = [f.kind for f in found]
    assert kinds.index("project") < kinds.index("poetry") < kinds.index("virtualenvwrapper")
    assert kinds.index("virtualenvwrapper") < kinds.index("pyenv") < kinds.index("conda")
    assert kinds[-1] == "tnb" or Path(sys.prefix).resolve() in by_prefix


def test_tnb_kernels_lists_them_with_kind_version_and_ipykernel(tmp_path: Path) -> None:
    m = machine(tmp_path)
    env = home_environ(m)
    notebook = str(m["notebooks"] / "a.ipynb")
    listed = subprocess.run(
        [sys.executable, "-m", "tnb", "kernels", "--json", "--notebook", notebook],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    rows = {
        Path(r["location"]).parent.parent.resolve(): r
        for r in json.loads(listed.stdout)
        if r["kind"] == "environment"
    }
    ml = rows[m["conda-ml"].resolve()]
    assert (ml["environment_kind"], ml["ipykernel"], ml["available"]) == ("conda", True, True)
    assert ml["python_version"] == f"{sys.version_info[0]}.{sys.version_info[1]}"
    pyenv = rows[m["pyenv"].resolve()]
    assert (pyenv["environment_kind"], pyenv["python_version"]) == ("pyenv", "3.12")
    assert pyenv["ipykernel"] is False and "pip install ipykernel" in pyenv["fix"]
    assert rows[m["virtualenvwrapper"].resolve()]["environment_kind"] == "virtualenvwrapper"
    assert rows[m["pipenv"].resolve()]["environment_kind"] == "pipenv"


def test_tnb_run_on_a_conda_environment_runs_in_it(tmp_path: Path) -> None:
    m = machine(tmp_path)
    path = m["notebooks"] / "where.ipynb"
    save_notebook(Notebook(cells=[Cell.new("code", "import sys; print(sys.prefix)")], path=path))
    env = home_environ(m)
    done = subprocess.run(
        [sys.executable, "-m", "tnb", "run", str(path), "--kernel", f"env:{m['conda-ml']}"],
        capture_output=True, text=True, timeout=180, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    saved = load_notebook(path)
    printed = "".join(o.text or "" for o in saved.cells[0].outputs).strip()
    assert Path(printed).resolve() == m["conda-ml"].resolve()
    assert saved.metadata["kernelspec"]["name"] == "python3"
    assert "conda ml" in saved.metadata["kernelspec"]["display_name"]


def test_a_bin_folder_reached_by_a_symlink_on_path_is_one_python(tmp_path: Path) -> None:
    usr = bare_python(tmp_path / "usr")
    (tmp_path / "bin").symlink_to(usr / "bin")  # merged /usr: /bin -> usr/bin
    environ = {"HOME": str(tmp_path / "home"), "PATH": f"{usr / 'bin'}:{tmp_path / 'bin'}"}
    found = [f for f in find_environments(None, environ=environ) if f.kind == "path"]
    assert [f.prefix for f in found] == [usr]
