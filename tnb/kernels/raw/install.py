"""Installing ipykernel into a Python environment that lacks it, only when the user asked."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections import deque
from collections.abc import Callable
from pathlib import Path

from tnb.kernels.raw.environments import has_ipykernel, interpreter_of


def install_command(prefix: Path) -> list[str]:
    """How ipykernel goes into ``prefix``: conda's (or mamba's) install for a conda
    environment when conda is here, else the environment's own pip."""
    if (prefix / "conda-meta").is_dir():
        conda = shutil.which("mamba") or shutil.which("conda") or os.environ.get("CONDA_EXE")
        if conda:
            return [conda, "install", "--yes", "--prefix", str(prefix), "ipykernel"]
    interpreter = interpreter_of(prefix)
    python = str(interpreter) if interpreter else str(prefix / "bin" / "python")
    return [python, "-m", "pip", "install", "ipykernel"]


async def install_ipykernel(prefix: Path, on_line: Callable[[str], None]) -> str | None:
    """Run `install_command` and report each line of its output; None when ipykernel is
    there afterwards, else what went wrong in the installer's own words (its last lines).
    Cancelling stops the installer."""
    command = install_command(prefix)
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # pip's "a new version is available" would read as part of the answer.
            env=os.environ | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    except OSError as exc:
        return f"could not run {command[0]}: {exc}"
    tail: deque[str] = deque(maxlen=12)
    assert process.stdout is not None
    try:
        async for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                tail.append(line)
                on_line(line)
        code = await process.wait()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), 5)
        raise
    if code == 0 and has_ipykernel(prefix):
        return None
    said = "\n".join(tail)
    if code == 0:
        return f"{said}\nthe installer finished, yet ipykernel is not in {prefix}".strip()
    return said or f"{command[0]} exited with code {code}"
