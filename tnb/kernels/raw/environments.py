"""Python environments on this machine, found as VS Code finds them: on disk, never run."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

EnvironmentKind = Literal[
    "project", "active", "virtualenvwrapper", "pyenv", "conda", "poetry", "pipenv", "path", "tnb"
]

_BIN = "Scripts" if sys.platform == "win32" else "bin"
_EXE = "python.exe" if sys.platform == "win32" else "python"
# Where conda, mamba and their installers put the base install under a home folder.
_CONDA_BASES = ("miniconda3", "anaconda3", "miniforge3", "mambaforge", "micromamba", ".conda")


@dataclass(frozen=True)
class FoundEnvironment:
    """A Python prefix, how it was found (shown to the user) and its kind (for grouping)."""

    prefix: Path
    how: str
    kind: EnvironmentKind


def interpreter_of(prefix: Path) -> Path | None:
    """The prefix's python executable, if it has one."""
    for name in (_EXE, "python3"):
        candidate = prefix / _BIN / name
        if candidate.exists():
            return candidate
    return None


def has_ipykernel(prefix: Path) -> bool:
    """Cheap: look for the package on disk instead of starting the interpreter."""
    if prefix.resolve() == Path(sys.prefix).resolve():
        return importlib.util.find_spec("ipykernel") is not None
    patterns = ("lib/python3*/site-packages/ipykernel", "Lib/site-packages/ipykernel")
    return any(any(prefix.glob(p)) for p in patterns)


def python_version(prefix: Path) -> str:
    """ "3.12" from the prefix's lib folder (no interpreter started); "" when unknown."""
    versions = sorted(
        (lib.name.removeprefix("python") for lib in prefix.glob("lib/python3*")),
        key=lambda v: tuple(int(p) if p.isdigit() else 0 for p in v.split(".")),
    )
    return versions[-1] if versions else ""


def find_environments(
    notebook_dir: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> list[FoundEnvironment]:
    """Every Python environment tnb can see, in priority order, one per real prefix.

    The notebook's project first (``.venv``/``venv`` in its folder and parents, its poetry and
    pipenv environments), then the active ones (``$VIRTUAL_ENV``, ``$CONDA_PREFIX``), then
    virtualenvwrapper, pyenv, conda and mamba environments, pythons on ``PATH``, and tnb's own.
    Only the file system is read: a hundred environments cost milliseconds.
    """
    env = os.environ if environ is None else environ
    home = home if home is not None else Path(env.get("HOME") or Path.home())
    found: list[FoundEnvironment] = []
    seen: set[Path] = set()

    def add(prefix: Path, how: str, kind: EnvironmentKind) -> None:
        try:
            real = prefix.resolve()
        except OSError:
            return
        if real in seen or interpreter_of(prefix) is None:
            return
        seen.add(real)
        found.append(FoundEnvironment(prefix, how, kind))

    project = notebook_dir.resolve() if notebook_dir is not None else None
    if project is not None:
        for parent in [project, *project.parents]:
            for name in (".venv", "venv"):
                add(parent / name, f"{name} in {parent}", "project")
        for prefix, how, kind in _project_managed(project, env, home):
            add(prefix, how, kind)
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        if env.get(var):
            add(Path(env[var]), f"${var}", "active")
    for folder in _unique([env.get("WORKON_HOME", ""), str(home / ".virtualenvs")]):
        for prefix in _children(Path(folder)):
            add(prefix, f"virtualenv {prefix.name}", "virtualenvwrapper")
    pyenv_root = Path(env.get("PYENV_ROOT") or home / ".pyenv")
    for version in _children(pyenv_root / "versions"):
        add(version, f"pyenv {version.name}", "pyenv")
        for virtual in _children(version / "envs"):
            add(virtual, f"pyenv {virtual.name} ({version.name})", "pyenv")
    for prefix in _conda_prefixes(env, home):
        name = prefix.name if prefix.parent.name == "envs" else "base"
        add(prefix, f"conda {name}", "conda")
    for folder in env.get("PATH", "").split(os.pathsep):
        if folder and Path(folder).name == _BIN:
            # Resolved: on merged-/usr systems /bin is /usr/bin, one Python, not two.
            real = Path(folder).resolve()
            add(real.parent, f"python on PATH in {real}", "path")
    add(Path(sys.prefix), "tnb's own interpreter", "tnb")
    return found


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []


def _unique(items: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        if item and item not in seen:
            seen.add(item)
            yield item


def _conda_prefixes(env: Mapping[str, str], home: Path) -> Iterator[Path]:
    """Conda's own list (``~/.conda/environments.txt``), then each base install and its envs."""
    listed = home / ".conda" / "environments.txt"
    try:
        lines = listed.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line.strip():
            yield Path(line.strip())
    bases = [home / name for name in _CONDA_BASES] + [Path("/opt/conda")]
    for var in ("CONDA_PREFIX", "CONDA_ROOT", "MAMBA_ROOT_PREFIX"):
        value = env.get(var)
        if value:
            prefix = Path(value)
            # An activated env lives in BASE/envs/NAME: its base holds the others.
            bases.append(prefix.parent.parent if prefix.parent.name == "envs" else prefix)
    for base in bases:
        if (base / "conda-meta").is_dir():
            yield base
        for prefix in _children(base / "envs"):
            if (prefix / "conda-meta").is_dir():
                yield prefix


def _project_managed(
    project: Path, env: Mapping[str, str], home: Path
) -> Iterator[tuple[Path, str, EnvironmentKind]]:
    """Poetry's and pipenv's environments of the notebook's project: both name them after the
    project folder (``NAME-<hash>``), in their cache folders. uv and hatch keep ``.venv`` in the
    project, found with the folder's own."""
    for root in [project, *project.parents]:
        if (root / "pyproject.toml").exists() or (root / "Pipfile").exists():
            break
    else:
        return
    name = root.name.casefold()
    cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
    data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    places: list[tuple[Path, str, EnvironmentKind]] = [
        (Path(env.get("POETRY_VIRTUALENVS_PATH") or cache / "pypoetry" / "virtualenvs"), "poetry",
         "poetry"),
        (Path(env.get("WORKON_HOME") or data / "virtualenvs"), "pipenv", "pipenv"),
    ]  # fmt: skip
    for folder, tool, kind in places:
        for prefix in _children(folder):
            if prefix.name.casefold().startswith(name + "-"):
                yield prefix, f"{tool} {prefix.name}", kind
