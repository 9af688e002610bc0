"""Which Python environment each notebook last ran on: kept in tnb's state dir, not in the file."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tnb.kernels.protocol import KernelChoice
from tnb.notebook.recovery import state_dir


def _memory_file() -> Path:
    return state_dir() / "environments.json"


def _load() -> dict[str, Any]:
    try:
        data = json.loads(_memory_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(notebook: Path | None, choice: KernelChoice) -> None:
    """Note that ``notebook`` now runs on ``choice``: kept for an environment, forgotten otherwise.

    A notebook run on an environment is saved with the standard ``python3`` kernelspec (so other
    tools open it); this is how tnb knows which environment that ``python3`` meant.
    """
    if notebook is None:
        return
    key = str(notebook.resolve())
    data = _load()
    spec = choice.kernelspec()
    if choice.kind == "environment" and spec is not None:
        data[key] = {"choice": choice.key, "kernelspec": spec.name}
    elif data.pop(key, None) is None:
        return
    folder = _memory_file().parent
    # Best effort: a read-only state dir costs the memory, never the run.
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".environments-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1)
            os.replace(temp, _memory_file())
        except OSError:
            os.unlink(temp)
            raise


def remembered(notebook: Path | None, kernel_name: str | None) -> str | None:
    """The choice key of the environment ``notebook`` last ran on, while the notebook still names
    the kernelspec tnb saved for it (a kernel chosen since in another tool wins)."""
    if notebook is None:
        return None
    entry = _load().get(str(notebook.resolve()))
    if not isinstance(entry, dict):
        return None
    if kernel_name and entry.get("kernelspec") != kernel_name:
        return None
    choice = entry.get("choice")
    return choice if isinstance(choice, str) else None
