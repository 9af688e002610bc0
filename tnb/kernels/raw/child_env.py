"""The environment tnb's own child processes get: tnb's, less the secrets meant for tnb alone."""

from __future__ import annotations

import os
from collections.abc import Mapping

# tnb reads these to reach a Jupyter server; a kernel or the watchdog has no use for them,
# and whatever runs in a kernel could read them.
TNB_ONLY = ("JUPYTER_TOKEN",)


def child_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: ``os.environ``) without the variables in ``TNB_ONLY``."""
    env = os.environ if base is None else base
    return {key: value for key, value in env.items() if key not in TNB_ONLY}
