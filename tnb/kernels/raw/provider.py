"""LocalProvider: kernelspecs and Python environments on this machine, started as raw kernels."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import shlex
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from tnb.kernels.protocol import KernelBackend, KernelChoice, KernelSpecRef, KernelStartError
from tnb.kernels.raw.environments import (
    find_environments,
    has_ipykernel,
    interpreter_of,
    python_version,
)
from tnb.kernels.raw.install import install_command
from tnb.kernels.raw.kernel import LaunchSpec, RawKernel

# What jupyter_client accepts as a kernelspec name.
_KERNELSPEC_NAME = re.compile(r"[a-zA-Z0-9._-]+")
_BARE_PYTHONS = {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}


def _spec_to_launch(
    name: str, spec: Mapping[str, Any], resource_dir: str
) -> tuple[LaunchSpec, str]:
    """A kernelspec dict -> LaunchSpec, with a bare `python` bound to the right interpreter."""
    argv = [str(a) for a in spec.get("argv") or []]
    bin_dir: str | None = None
    location = resource_dir
    if argv and argv[0] in _BARE_PYTHONS:
        # jupyter_client would run its own interpreter (jupyter_client#949); a spec that
        # lives in an environment's share/jupyter/kernels means that environment's python.
        res = Path(resource_dir)
        prefix = res.parents[3] if len(res.parents) > 3 and res.parent.name == "kernels" else None
        interpreter = interpreter_of(prefix) if prefix else None
        argv[0] = str(interpreter) if interpreter else sys.executable
        bin_dir = str(Path(argv[0]).parent)
        location = argv[0]
    launch = LaunchSpec(
        name=name,
        display_name=str(spec.get("display_name") or name),
        language=str(spec.get("language") or ""),
        argv=argv,
        env={str(k): str(v) for k, v in (spec.get("env") or {}).items()},
        interrupt_mode=str(spec.get("interrupt_mode") or "signal"),
        resource_dir=resource_dir,
        metadata=dict(spec.get("metadata") or {}),
        bin_dir=bin_dir,
    )
    return launch, location


def _launch_details(launch: LaunchSpec) -> dict[str, Any]:
    return {
        "argv": launch.argv,
        "env": launch.env,
        "interrupt_mode": launch.interrupt_mode,
        "resource_dir": launch.resource_dir,
        "metadata": launch.metadata,
        "bin_dir": launch.bin_dir,
    }


def launch_spec_of(choice: KernelChoice) -> LaunchSpec:
    """The LaunchSpec a local choice carries in ``details``."""
    d = choice.details
    return LaunchSpec(
        name=choice.name,
        display_name=choice.display_name,
        language=choice.language,
        argv=list(d["argv"]),
        env=dict(d.get("env") or {}),
        interrupt_mode=str(d.get("interrupt_mode") or "signal"),
        resource_dir=str(d.get("resource_dir") or ""),
        metadata=dict(d.get("metadata") or {}),
        bin_dir=d.get("bin_dir"),
    )


def with_ipython_history(spec: LaunchSpec, hist_file: str) -> LaunchSpec:
    """``spec`` telling an IPython kernel where to keep its history (":memory:": nowhere),
    as nbclient does for headless runs; other kernels, and a spec that sets it, unchanged."""
    ipython = spec.name in ("python", "python2", "python3") or any(
        "ipykernel" in arg for arg in spec.argv
    )
    if not ipython or any(arg.startswith("--HistoryManager.hist_file") for arg in spec.argv):
        return spec
    return dataclasses.replace(spec, argv=[*spec.argv, f"--HistoryManager.hist_file={hist_file}"])


def _list_choices_sync(notebook_dir: Path | None, running: bool) -> list[KernelChoice]:
    from jupyter_client.kernelspec import KernelSpecManager

    choices: list[KernelChoice] = []
    bound_interpreters: set[Path] = set()
    specs = KernelSpecManager().get_all_specs()
    for name in sorted(specs):
        entry = specs[name]
        launch, location = _spec_to_launch(name, entry.get("spec") or {}, entry["resource_dir"])
        if launch.bin_dir:
            # Not resolved: a venv's python is a symlink to the base interpreter.
            bound_interpreters.add(Path(os.path.abspath(launch.argv[0])))
        choices.append(
            KernelChoice(
                key=f"spec:{name}",
                backend="raw",
                kind="spec",
                name=name,
                display_name=launch.display_name,
                language=launch.language,
                location=location,
                details=_launch_details(launch),
            )
        )
    for found in find_environments(notebook_dir):
        prefix, how = found.prefix, found.how
        interpreter = interpreter_of(prefix)
        if interpreter is None:
            continue
        if Path(os.path.abspath(interpreter)) in bound_interpreters:
            continue  # already offered as a kernelspec
        version = python_version(prefix)
        label = f"Python {version} ({how})" if version else f"Python ({how})"
        available = has_ipykernel(prefix)
        launch = LaunchSpec(
            name=f"env:{prefix}",
            display_name=label,
            language="python",
            argv=[str(interpreter), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            bin_dir=str(interpreter.parent),
        )
        choices.append(
            KernelChoice(
                key=f"env:{prefix}",
                backend="raw",
                kind="environment",
                name=f"env:{prefix}",
                display_name=label,
                language="python",
                location=str(interpreter),
                available=available,
                reason="" if available else f"ipykernel is not installed in {prefix}",
                fix="" if available else shlex.join(install_command(prefix)),
                details=_launch_details(launch)
                | {
                    "near_notebook": found.kind == "project",
                    "environment_kind": found.kind,
                    "python_version": version,
                    "installable": not available,  # ipykernel can be installed on request
                },
            )
        )
    if running:
        choices += _running_choices()
    return choices


def _answers(info: dict[str, Any]) -> bool:
    """Cheap liveness: the shell socket accepts a connection (a killed kernel leaves its ipc
    socket file behind, so the file existing proves nothing)."""
    try:
        port = int(info["shell_port"])
        if info.get("transport", "tcp") == "ipc":
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
                unix.settimeout(0.2)
                unix.connect(f"{info['ip']}-{port}")
            return True
        with socket.create_connection((str(info.get("ip") or "127.0.0.1"), port), timeout=0.2):
            return True
    except (OSError, KeyError, TypeError, ValueError):
        return False


def _running_choices() -> list[KernelChoice]:
    """Kernels that left a connection file in the Jupyter runtime dir and still answer."""
    from jupyter_core.paths import jupyter_runtime_dir

    choices: list[KernelChoice] = []
    runtime = Path(jupyter_runtime_dir())
    for path in sorted(runtime.glob("kernel-*.json")):
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(info, dict) or not _answers(info):
            continue
        name = str(info.get("kernel_name") or "")
        spec = _spec_ref(name)
        choices.append(
            KernelChoice(
                key=f"running:{path}",
                backend="raw",
                kind="running",
                name=path.stem,
                display_name=f"running kernel {path.stem}" + (f" ({name})" if name else ""),
                language=spec.language if spec else "",
                location=str(path),
                spec=spec,
            )
        )
    return choices


def _spec_ref(kernel_name: str) -> KernelSpecRef | None:
    """The kernelspec a connection file's ``kernel_name`` names (display name and language
    from the installed spec, when this machine has it)."""
    if not _KERNELSPEC_NAME.fullmatch(kernel_name):
        return None  # e.g. tnb's own "env:/path" for an environment without a kernelspec
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except (NoSuchKernel, OSError, ValueError):
        return KernelSpecRef(kernel_name, kernel_name)
    return KernelSpecRef(kernel_name, str(spec.display_name or kernel_name), spec.language or "")


def _connection_spec(path: Path) -> KernelSpecRef | None:
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # RawKernel.attach says what is wrong with the file
    return _spec_ref(str(info.get("kernel_name") or "")) if isinstance(info, dict) else None


def _session_name(notebook: Path | None) -> str:
    """JPY_SESSION_NAME for a kernel of ``notebook``: its absolute path, as Jupyter sets it
    (ipykernel makes it ``__session__``; only the working directory is read)."""
    return os.path.abspath(notebook) if notebook is not None else ""


def _find_connection_file(path: Path) -> Path:
    """A bare file name is looked up in the Jupyter runtime dir, as `jupyter console` does."""
    if path.exists() or path.is_absolute():
        return path
    from jupyter_core.paths import jupyter_runtime_dir

    candidate = Path(jupyter_runtime_dir()) / path
    return candidate if candidate.exists() else path


class LocalProvider:
    """Kernels on this machine: kernelspecs plus Python environments, run as raw kernels."""

    name = "local"

    def __init__(
        self,
        *,
        notebook_dir: Path | None = None,
        transport: Literal["ipc", "tcp"] | None = None,
        env: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
        list_running: bool = True,
        keep_kernel: bool = False,
        ipython_history: str | None = None,
    ) -> None:
        self.notebook_dir = notebook_dir
        # IPython kernels' HistoryManager.hist_file (`tnb run`: ":memory:"); None: theirs.
        self.ipython_history = ipython_history
        # --keep-kernel: started kernels outlive tnb and stay attachable.
        self.keep_kernel = keep_kernel
        self.list_running = list_running
        self.transport = transport
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout

    @property
    def url(self) -> str:
        """ "": the kernels of this computer."""
        return ""

    async def close(self) -> None:
        """Nothing to release: each kernel is stopped by its own backend."""

    async def list_choices(self) -> list[KernelChoice]:
        """Kernelspecs (off the event loop: it reads many files) and environments."""
        return await asyncio.to_thread(_list_choices_sync, self.notebook_dir, self.list_running)

    async def start(self, choice: KernelChoice, *, notebook: Path | None = None) -> KernelBackend:
        """Start a raw kernel for ``choice``, told the path of ``notebook`` if given.

        Raises:
            KernelStartError: with the exit code and stderr tail when it cannot start.
        """
        if not choice.available:
            raise KernelStartError(choice.display_name, choice.reason or "not available")
        if choice.kind in ("existing", "running"):
            return await self.attach_existing(Path(choice.location))
        spec = launch_spec_of(choice)
        if self.ipython_history:
            spec = with_ipython_history(spec, self.ipython_history)
        return await RawKernel.start(
            spec,
            choice,
            cwd=self.notebook_dir,
            transport=self.transport,
            env=self.env,
            startup_timeout=self.startup_timeout,
            session_name=_session_name(notebook),
            keep=self.keep_kernel,
        )

    async def attach_existing(self, connection_file: Path) -> KernelBackend:
        """Attach to a kernel started elsewhere (never killed by tnb).

        Raises:
            KernelConnectionError: the file is unreadable or nobody answers.
        """
        path = _find_connection_file(Path(connection_file))
        spec = await asyncio.to_thread(_connection_spec, path)
        choice = KernelChoice(
            key=f"existing:{path}",
            backend="raw",
            kind="existing",
            name=path.name,
            display_name=f"existing kernel {path.name}",
            language=spec.language if spec else "",
            location=str(path),
            spec=spec,
        )
        return await RawKernel.attach(path, choice)
