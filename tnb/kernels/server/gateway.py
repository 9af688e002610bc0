"""Which kind of Jupyter server answers (jupyter_server or Enterprise Gateway); what it can do."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tnb.kernels.protocol import KernelStartError

FlavourKind = Literal["jupyter_server", "gateway"]


class EnvNotSupportedError(KernelStartError):
    """``--env`` was given for a server whose start request cannot pass it to the kernel."""


@dataclass(frozen=True)
class ServerFlavour:
    """What a server's ``GET api`` says it is, and which parts of the API it has.

    An Enterprise Gateway (3.x) answers ``api`` with a ``gateway_version``, has no
    ``api/status``, no sessions and no contents (HTTP 403/404), lists running kernels only
    when its ``list_kernels`` option is on, and passes a start request's ``env`` to the
    kernel (``KERNEL_*`` variables, and those its ``EG_CLIENT_ENVS`` names). A stock
    jupyter_server ignores ``env`` in a start request.
    """

    kind: FlavourKind
    version: str

    @property
    def label(self) -> str:
        """How the picker and messages name it."""
        return "Enterprise Gateway" if self.kind == "gateway" else "Jupyter server"

    @property
    def has_sessions(self) -> bool:
        """Whether ``api/sessions`` exists (notebooks are filed under a session path)."""
        return self.kind == "jupyter_server"

    @property
    def has_contents(self) -> bool:
        """Whether ``api/contents`` exists (the server has files: notebooks live there)."""
        return self.kind == "jupyter_server"

    @property
    def passes_env(self) -> bool:
        """Whether a kernel start request's ``env`` reaches the kernel."""
        return self.kind == "gateway"

    @property
    def auth_probe(self) -> str:
        """An endpoint that needs the token (``api`` itself may answer without one)."""
        return "api/status" if self.kind == "jupyter_server" else "api/kernelspecs"


def detect_flavour(api: Mapping[str, Any]) -> ServerFlavour | None:
    """The flavour for the JSON ``GET {base}api`` answered, or None if it is no Jupyter API."""
    gateway = api.get("gateway_version")
    if isinstance(gateway, str):
        return ServerFlavour("gateway", gateway)
    version = api.get("version")
    if isinstance(version, str):
        return ServerFlavour("jupyter_server", version)
    return None


def start_body(
    flavour: ServerFlavour, name: str, env: Mapping[str, str], *, display_name: str = ""
) -> dict[str, Any]:
    """The body of ``POST api/kernels`` for kernelspec ``name`` with ``env`` for the kernel.

    A gateway gets what jupyter_server's own gateway client sends: every ``KERNEL_*``
    variable of our environment and ``KERNEL_USERNAME`` (whose kernel it is), then ``env``
    on top. A server that would drop ``env`` is refused instead of ignored.

    Raises:
        EnvNotSupportedError: ``env`` is not empty and the server cannot pass it on.
    """
    if not flavour.passes_env:
        if env:
            names = ", ".join(sorted(env))
            raise EnvNotSupportedError(
                display_name or name,
                f"--env ({names}) cannot reach a kernel on a {flavour.label}: it starts kernels "
                "with its own environment. --env works with raw kernels and through an "
                "Enterprise Gateway.",
            )
        return {"name": name}
    kernel_env = {k: v for k, v in os.environ.items() if k.startswith("KERNEL_")}
    kernel_env.setdefault("KERNEL_USERNAME", _user_name())
    return {"name": name, "env": kernel_env | dict(env)}


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return str(os.getuid())
