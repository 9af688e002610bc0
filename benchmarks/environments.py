"""Discovery of Python environments with 50 present, against jupyter_client listing kernelspecs."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from tnb.kernels.raw.environments import find_environments
from tnb.kernels.raw.provider import _list_choices_sync as list_choices_sync


def _python(prefix: Path, version: str = "3.12") -> None:
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    (prefix / "lib" / f"python{version}" / "site-packages").mkdir(parents=True)


def _machine(home: Path) -> None:
    """50 environments: 10 each of virtualenvwrapper, pyenv, conda envs, pipenv, poetry."""
    for i in range(10):
        _python(home / ".virtualenvs" / f"venv{i}")
        _python(home / ".pyenv" / "versions" / f"3.12.{i}")
        _python(home / "miniconda3" / "envs" / f"env{i}")
        (home / "miniconda3" / "envs" / f"env{i}" / "conda-meta").mkdir()
        _python(home / ".local" / "share" / "virtualenvs" / f"proj-{i:06d}")
        _python(home / ".cache" / "pypoetry" / "virtualenvs" / f"proj-{i:06d}-py3.12")


def _median_ms(fn: object, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        project = Path(tmp) / "proj"
        project.mkdir()
        (project / "pyproject.toml").write_text("")
        _machine(home)
        environ = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
        found = find_environments(project, environ=environ, home=home)
        assert len(found) >= 50, len(found)
        discover = _median_ms(lambda: find_environments(project, environ=environ, home=home))
        specs = _median_ms(lambda: KernelSpecManager().get_all_specs())
        os.environ["HOME"] = str(home)  # the provider reads the real environment
        listing = _median_ms(lambda: list_choices_sync(project, False))
        print(f"environments found: {len(found)}")
        print(f"find_environments:          {discover:7.2f} ms")
        print(f"KernelSpecManager specs:    {specs:7.2f} ms (jupyter_client, bare)")
        print(f"ratio discovery / specs:    {discover / specs:7.2f}x")
        print(f"the picker's whole local list (specs + environments + ipykernel checks): "
              f"{listing:.2f} ms ({listing / specs:.2f}x the bare specs)")  # fmt: skip


if __name__ == "__main__":
    main()
